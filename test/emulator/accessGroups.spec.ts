// IAM Access Groups v2, checked with IBM's own Node SDK (@ibm-cloud/platform-services,
// IamAccessGroupsV2 and IamPolicyManagementV1, unchanged) against the emulator: groups with IBM's
// fields and ETag revisions, members (users and service IDs, type `service`), 207 outcomes per
// member, policies whose subject is an access group, and a member's login carrying its groups.
import IamAccessGroupsV2 from "@ibm-cloud/platform-services/iam-access-groups/v2";
import IamIdentityV1 from "@ibm-cloud/platform-services/iam-identity/v1";
import IamPolicyManagementV1 from "@ibm-cloud/platform-services/iam-policy-management/v1";
import { expect } from "chai";
import * as fs from "fs";
import { IamAuthenticator } from "ibm-cloud-sdk-core";
import * as os from "os";
import * as path from "path";
import {
    ACCOUNT_A,
    ACCOUNT_B,
    ADMIN_KEY_A,
    ADMIN_KEY_B,
    APIKEY_GRANT,
    Harness,
    READER,
    decodeJwt,
    startHarness,
    tokenRequest,
} from "./harness";

/** IBM's SDK clients as an application builds them, for the admin key of account A (or `apikey`). */
function sdks(h: Harness, apikey = ADMIN_KEY_A) {
    const options = {
        authenticator: new IamAuthenticator({ apikey, url: h.iam.url }),
        serviceUrl: h.iam.url,
    };
    return {
        groups: new IamAccessGroupsV2(options),
        identity: new IamIdentityV1(options),
        policies: new IamPolicyManagementV1(options),
    };
}

/** The SDK's error status and parsed body of a failed call. */
async function sdkFailure(
    call: Promise<unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
    try {
        await call;
    } catch (err) {
        const e = err as { status: number; body?: string };
        return { status: e.status, body: e.body ? JSON.parse(e.body) : {} };
    }
    throw new Error("the call succeeded");
}

/** A Container Registry reader policy body (SDK parameters) for an access group. */
function groupRegistryPolicy(accountId: string, groupId: string, region = "us-south") {
    return {
        type: "access",
        subjects: [{ attributes: [{ name: "access_group_id", value: groupId }] }],
        roles: [{ role_id: READER }],
        resources: [
            {
                attributes: [
                    { name: "accountId", value: accountId, operator: "stringEquals" },
                    { name: "serviceName", value: "container-registry", operator: "stringEquals" },
                    { name: "region", value: region, operator: "stringEquals" },
                ],
            },
        ],
    };
}

describe("IAM emulator: Access Groups v2 (IBM's SDK)", () => {
    let h: Harness;
    let sdk: ReturnType<typeof sdks>;
    beforeEach(async () => {
        h = await startHarness();
        sdk = sdks(h);
    });
    afterEach(async () => h.iam.close());

    async function newServiceId(name: string): Promise<{ id: string; iamId: string }> {
        const res = await sdk.identity.createServiceId({ accountId: ACCOUNT_A, name });
        return { id: res.result.id as string, iamId: res.result.iam_id as string };
    }

    it("creates, gets, updates (If-Match: the ETag revision) and lists a group with IBM's fields", async () => {
        const created = await sdk.groups.createAccessGroup({ accountId: ACCOUNT_A, name: "cluster-pullers" });
        expect(created.status).to.equal(201);
        const id = created.result.id as string;
        expect(id).to.match(/^AccessGroupId-[0-9a-f-]{36}$/);
        expect(created.result).to.include({
            name: "cluster-pullers",
            description: "",
            account_id: ACCOUNT_A,
            href: `${h.iam.url}/v2/groups/${id}`,
        });
        expect(created.result.created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(created.result.created_by_id).to.match(/^IBMid-/);

        const got = await sdk.groups.getAccessGroup({
            accessGroupId: id,
            showCrn: true,
            showFederated: true,
        });
        expect(got.result).to.include({
            id,
            crn: `crn:v1:bluemix:public:iam-groups::a/${ACCOUNT_A}::access-group:${id}`,
            is_federated: false,
        });
        const etag = got.headers.etag as string;
        expect(etag).to.equal("1");

        const updated = await sdk.groups.updateAccessGroup({
            accessGroupId: id,
            ifMatch: etag,
            description: "pull access for every cluster",
        });
        expect(updated.status).to.equal(200);
        expect(updated.result).to.include({
            name: "cluster-pullers",
            description: "pull access for every cluster",
        });
        expect(updated.headers.etag).to.equal("2");

        const listed = await sdk.groups.listAccessGroups({ accountId: ACCOUNT_A, hidePublicAccess: true });
        expect(listed.result).to.include({ limit: 100, offset: 0, total_count: 1 });
        expect(listed.result.groups?.map((g) => g.id)).to.deep.equal([id]);
        const searched = await sdk.groups.listAccessGroups({ accountId: ACCOUNT_A, search: "name:PULLERS" });
        expect(searched.result.total_count).to.equal(1);
    });

    it("refuses a second group of a name the account has (case-insensitive) with 409, another account's not", async () => {
        await sdk.groups.createAccessGroup({
            accountId: ACCOUNT_A,
            name: "icr-reader-all-regions-all-namespaces",
        });
        const twin = await sdkFailure(
            sdk.groups.createAccessGroup({
                accountId: ACCOUNT_A,
                name: "ICR-Reader-All-Regions-All-Namespaces",
            }),
        );
        expect(twin.status).to.equal(409);
        const listed = await sdk.groups.listAccessGroups({
            accountId: ACCOUNT_A,
            search: "name:icr-reader-all-regions-all-namespaces",
        });
        expect((listed.result.groups ?? []).map((g) => g.name)).to.deep.equal([
            "icr-reader-all-regions-all-namespaces",
        ]);
        const other = await sdks(h, ADMIN_KEY_B).groups.createAccessGroup({
            accountId: ACCOUNT_B,
            name: "icr-reader-all-regions-all-namespaces",
        });
        expect(other.status).to.equal(201);
    });

    it("pages the group list by offset, and IBM's AccessGroupsPager walks every page", async () => {
        for (let i = 0; i < 7; i++)
            await sdk.groups.createAccessGroup({ accountId: ACCOUNT_A, name: `g-${i}` });
        const first = await sdk.groups.listAccessGroups({ accountId: ACCOUNT_A, limit: 3 });
        expect(first.result).to.include({ limit: 3, offset: 0, total_count: 7 });
        expect(first.result.groups).to.have.length(3);
        expect(first.result.next?.href).to.contain("offset=3");
        expect(first.result.last?.href).to.contain("offset=6");
        const pager = new IamAccessGroupsV2.AccessGroupsPager(sdk.groups, { accountId: ACCOUNT_A, limit: 3 });
        const all = await pager.getAll();
        expect(all.map((g) => g.name)).to.deep.equal(["g-0", "g-1", "g-2", "g-3", "g-4", "g-5", "g-6"]);
    });

    it("adds a service ID (type service) and a user as members: 207 with status_code 200 per member", async () => {
        const sid = await newServiceId("cluster-1-puller");
        const group = (await sdk.groups.createAccessGroup({ accountId: ACCOUNT_A, name: "pullers" })).result;
        const added = await sdk.groups.addMembersToAccessGroup({
            accessGroupId: group.id as string,
            members: [
                { iam_id: sid.iamId, type: "service" },
                { iam_id: "IBMid-1000ABCDEF", type: "user" },
            ],
        });
        expect(added.status).to.equal(207);
        expect(added.result.members?.map((m) => [m.iam_id, m.type, m.status_code])).to.deep.equal([
            [sid.iamId, "service", 200],
            ["IBMid-1000ABCDEF", "user", 200],
        ]);

        const isMember = await sdk.groups.isMemberOfAccessGroup({
            accessGroupId: group.id as string,
            iamId: sid.iamId,
        });
        expect(isMember.status).to.equal(204);

        const listed = await sdk.groups.listAccessGroupMembers({
            accessGroupId: group.id as string,
            verbose: true,
            type: "service",
        });
        expect(listed.result.total_count).to.equal(1);
        expect(listed.result.members?.[0]).to.include({
            iam_id: sid.iamId,
            type: "service",
            membership_type: "static",
            name: "cluster-1-puller",
            href: `${h.iam.url}/v1/serviceids/${sid.id}`,
        });

        const byMember = await sdk.groups.listAccessGroups({ accountId: ACCOUNT_A, iamId: sid.iamId });
        expect(byMember.result.groups?.map((g) => g.id)).to.deep.equal([group.id]);

        const removed = await sdk.groups.removeMemberFromAccessGroup({
            accessGroupId: group.id as string,
            iamId: sid.iamId,
        });
        expect(removed.status).to.equal(204);
        const gone = await sdkFailure(
            sdk.groups.isMemberOfAccessGroup({ accessGroupId: group.id as string, iamId: sid.iamId }),
        );
        expect(gone.status).to.equal(404);
    });

    it("reports per member what failed: an unknown service ID (404) and a type that does not match (400)", async () => {
        const group = (await sdk.groups.createAccessGroup({ accountId: ACCOUNT_A, name: "pullers" })).result;
        const res = await sdk.groups.addMembersToAccessGroup({
            accessGroupId: group.id as string,
            members: [
                { iam_id: "iam-ServiceId-00000000-0000-4000-8000-000000000000", type: "service" },
                { iam_id: "IBMid-1000ABCDEF", type: "service" },
            ],
        });
        expect(res.status).to.equal(207);
        const [unknown, mismatched] = res.result.members ?? [];
        expect(unknown).to.include({ status_code: 404 });
        expect(unknown.errors?.[0].code).to.equal("not_found");
        expect(unknown.trace).to.be.a("string");
        expect(mismatched).to.include({ status_code: 400 });
        const members = await sdk.groups.listAccessGroupMembers({ accessGroupId: group.id as string });
        expect(members.result.total_count).to.equal(0);
    });

    it("removes several members (POST …/members/delete, 207) and one member from all groups", async () => {
        const a = await newServiceId("a");
        const b = await newServiceId("b");
        const g1 = (await sdk.groups.createAccessGroup({ accountId: ACCOUNT_A, name: "g1" })).result
            .id as string;
        const g2 = (await sdk.groups.createAccessGroup({ accountId: ACCOUNT_A, name: "g2" })).result
            .id as string;
        const multi = await sdk.groups.addMemberToMultipleAccessGroups({
            accountId: ACCOUNT_A,
            iamId: a.iamId,
            type: "service",
            groups: [g1, g2],
        });
        expect(multi.status).to.equal(207);
        expect(multi.result.groups?.map((g) => g.status_code)).to.deep.equal([200, 200]);
        await sdk.groups.addMembersToAccessGroup({
            accessGroupId: g1,
            members: [{ iam_id: b.iamId, type: "service" }],
        });

        const bulk = await sdk.groups.removeMembersFromAccessGroup({
            accessGroupId: g1,
            members: [b.iamId, "IBMid-X"],
        });
        expect(bulk.status).to.equal(207);
        expect(bulk.result.access_group_id).to.equal(g1);
        expect(bulk.result.members?.map((m) => [m.iam_id, m.status_code])).to.deep.equal([
            [b.iamId, 204],
            ["IBMid-X", 404],
        ]);

        const all = await sdk.groups.removeMemberFromAllAccessGroups({
            accountId: ACCOUNT_A,
            iamId: a.iamId,
        });
        expect(all.status).to.equal(207);
        expect(all.result.groups?.map((g) => g.access_group_id)).to.deep.equal([g1, g2]);
        // As in IBM's own SDK test: again, the member is in no group: 404 naming it.
        const again = await sdkFailure(
            sdk.groups.removeMemberFromAllAccessGroups({ accountId: ACCOUNT_A, iamId: a.iamId }),
        );
        expect(again.status).to.equal(404);
        expect(JSON.stringify(again.body)).to.contain(a.iamId);
    });

    it("grants a group's policy to its members: createPolicy with an access_group_id subject, listed by access_group_id", async () => {
        const group = (await sdk.groups.createAccessGroup({ accountId: ACCOUNT_A, name: "pullers" })).result;
        const created = await sdk.policies.createPolicy(groupRegistryPolicy(ACCOUNT_A, group.id as string));
        expect(created.status).to.equal(201);
        expect(created.result.subjects).to.deep.equal([
            { attributes: [{ name: "access_group_id", value: group.id }] },
        ]);
        const listed = await sdk.policies.listPolicies({
            accountId: ACCOUNT_A,
            accessGroupId: group.id as string,
        });
        expect(listed.result.policies?.map((p) => p.id)).to.deep.equal([created.result.id]);

        // A member gets the group's policy; `/_emulator/access` shows it, with the group it came through.
        const sid = await newServiceId("cluster-7-puller");
        await sdk.groups.addMembersToAccessGroup({
            accessGroupId: group.id as string,
            members: [{ iam_id: sid.iamId, type: "service" }],
        });
        const access = (
            await h.http.get("/_emulator/access", { params: { account_id: ACCOUNT_A, iam_id: sid.iamId } })
        ).data;
        expect(access.accessGroups).to.deep.equal([group.id]);
        expect(
            access.policies.map((p: { via: string; policy: { id: string } }) => [p.via, p.policy.id]),
        ).to.deep.equal([[group.id, created.result.id]]);
    });

    it("validates a group subject as IBM does: unknown group 400, another account's resource 400 with IBM's message", async () => {
        const unknown = await sdkFailure(
            sdk.policies.createPolicy(
                groupRegistryPolicy(ACCOUNT_A, "AccessGroupId-00000000-0000-4000-8000-000000000000"),
            ),
        );
        expect(unknown.status).to.equal(400);
        expect((unknown.body.errors as { code: string }[])[0].code).to.equal("invalid_body");

        const group = (await sdk.groups.createAccessGroup({ accountId: ACCOUNT_A, name: "pullers" })).result;
        const elsewhere = await sdkFailure(
            sdk.policies.createPolicy(groupRegistryPolicy(ACCOUNT_B, group.id as string)),
        );
        expect(elsewhere.status).to.equal(400);
        expect((elsewhere.body.errors as { message: string }[])[0].message).to.equal(
            "Access groups can only be assigned against resources in the same account as the access group.",
        );
        // Account B does not see account A's group.
        const fromB = await sdkFailure(
            sdks(h, ADMIN_KEY_B).groups.getAccessGroup({ accessGroupId: group.id as string }),
        );
        expect(fromB.status).to.equal(404);
    });

    it("deletes a group with members only with force=true, and its policies with it", async () => {
        const sid = await newServiceId("member");
        const id = (await sdk.groups.createAccessGroup({ accountId: ACCOUNT_A, name: "pullers" })).result
            .id as string;
        await sdk.groups.addMembersToAccessGroup({
            accessGroupId: id,
            members: [{ iam_id: sid.iamId, type: "service" }],
        });
        const policy = (await sdk.policies.createPolicy(groupRegistryPolicy(ACCOUNT_A, id))).result;

        expect((await sdkFailure(sdk.groups.deleteAccessGroup({ accessGroupId: id }))).status).to.equal(409);
        expect((await sdk.groups.deleteAccessGroup({ accessGroupId: id, force: true })).status).to.equal(204);
        expect((await sdkFailure(sdk.groups.getAccessGroup({ accessGroupId: id }))).status).to.equal(404);
        expect((await sdkFailure(sdk.policies.getPolicy({ policyId: policy.id as string }))).status).to.equal(
            404,
        );
    });

    it("puts a member's access groups in its login's ID token (groups_<account>), and leaves them when it leaves", async () => {
        const sid = await newServiceId("cluster-puller");
        const key = (await sdk.identity.createApiKey({ name: "k", iamId: sid.iamId, accountId: ACCOUNT_A }))
            .result;
        const id = (await sdk.groups.createAccessGroup({ accountId: ACCOUNT_A, name: "pullers" })).result
            .id as string;
        await sdk.groups.addMembersToAccessGroup({
            accessGroupId: id,
            members: [{ iam_id: sid.iamId, type: "service" }],
        });
        const login = () =>
            tokenRequest(h.http, {
                grant_type: APIKEY_GRANT,
                apikey: key.apikey as string,
                client_id: "kube",
                client_secret: "kube",
            });
        const claims = decodeJwt((await login()).data.id_token).claims;
        expect(claims[`groups_${ACCOUNT_A}`]).to.deep.equal([id]);

        await sdk.groups.removeMemberFromAccessGroup({ accessGroupId: id, iamId: sid.iamId });
        expect(decodeJwt((await login()).data.id_token).claims[`groups_${ACCOUNT_A}`]).to.deep.equal([]);
    });

    it("takes a deleted service ID out of its groups", async () => {
        const sid = await newServiceId("short-lived");
        const id = (await sdk.groups.createAccessGroup({ accountId: ACCOUNT_A, name: "pullers" })).result
            .id as string;
        await sdk.groups.addMembersToAccessGroup({
            accessGroupId: id,
            members: [{ iam_id: sid.iamId, type: "service" }],
        });
        await sdk.identity.deleteServiceId({ id: sid.id });
        expect((await sdk.groups.listAccessGroupMembers({ accessGroupId: id })).result.total_count).to.equal(
            0,
        );
    });

    it("keeps groups and their members in the state file for the next emulator", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iam-emulator-groups-"));
        try {
            const stateFile = path.join(dir, "world.json");
            const first = await startHarness({ stateFile });
            const firstSdk = sdks(first);
            const sid = (await firstSdk.identity.createServiceId({ accountId: ACCOUNT_A, name: "kept" }))
                .result;
            const id = (await firstSdk.groups.createAccessGroup({ accountId: ACCOUNT_A, name: "kept" }))
                .result.id as string;
            await firstSdk.groups.addMembersToAccessGroup({
                accessGroupId: id,
                members: [{ iam_id: sid.iam_id as string, type: "service" }],
            });
            await first.iam.close();
            const second = await startHarness({ stateFile });
            try {
                const members = await sdks(second).groups.listAccessGroupMembers({ accessGroupId: id });
                expect(members.result.members?.map((m) => m.iam_id)).to.deep.equal([sid.iam_id]);
            } finally {
                await second.iam.close();
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
