// IAM's per-account limits ("IBM Cloud IAM limits") and the Identity account-limits API
// (IBM's SDK, IamIdentityV1.getAccountLimits / bulkListAccountEntityConsumption), plus the raw
// HTTP errors of Access Groups and of a reached limit. Tests lower a limit through
// `POST /_emulator/limits`, the `limits` option or `--limit` instead of creating thousands of objects.
import IamIdentityV1 from "@ibm-cloud/platform-services/iam-identity/v1";
import axios from "axios";
import { expect } from "chai";
import { IamAuthenticator } from "ibm-cloud-sdk-core";
import { DEFAULT_LIMITS } from "../../emulator";
import { parseArgs } from "../../emulator/main";
import {
    ACCOUNT_A,
    ACCOUNT_B,
    ADMIN_KEY_A,
    ADMIN_KEY_B,
    Harness,
    bearer,
    createApiKey,
    createServiceId,
    registryPolicy,
    startHarness,
    tokenFor,
} from "./harness";

/** An access group created over HTTP; its id. */
async function createGroup(h: Harness, token: string, name: string): Promise<string> {
    const res = await h.http.post(`/v2/groups?account_id=${ACCOUNT_A}`, { name }, bearer(token));
    if (res.status !== 201) throw new Error(`createAccessGroup failed with ${res.status}`);
    return res.data.id as string;
}

/** The first error of an IBM `errors[]` body. */
function firstError(body: { errors: { code: string; message: string }[] }): {
    code: string;
    message: string;
} {
    return body.errors[0];
}

describe("IAM emulator: account limits", () => {
    let h: Harness;
    let token: string;
    beforeEach(async () => {
        h = await startHarness();
        token = await tokenFor(h.http, ADMIN_KEY_A);
    });
    afterEach(async () => h.iam.close());

    const setLimits = (limits: Record<string, number>) => axios.post(`${h.iam.url}/_emulator/limits`, limits);

    it("starts with IBM's limits, answers them at GET /_emulator/limits, and POST /_emulator/reset restores them", async () => {
        expect(DEFAULT_LIMITS).to.deep.equal({
            serviceIdsPerAccount: 3000,
            apiKeysPerIdentity: 20,
            policiesPerAccount: 4020,
            policiesPerSubject: 1000,
            accessGroupsPerAccount: 500,
            accessGroupsPerMember: 50,
        });
        expect((await h.http.get("/_emulator/limits")).data).to.deep.equal(DEFAULT_LIMITS);
        const changed = await setLimits({ serviceIdsPerAccount: 2 });
        expect(changed.status).to.equal(200);
        expect(changed.data.serviceIdsPerAccount).to.equal(2);
        expect(h.iam.limits().serviceIdsPerAccount).to.equal(2);
        await axios.post(`${h.iam.url}/_emulator/reset`);
        expect((await h.http.get("/_emulator/limits")).data).to.deep.equal(DEFAULT_LIMITS);
    });

    it("refuses an unknown limit or a bad count with 400 naming it", async () => {
        const res = await h.http.post("/_emulator/limits", {
            serviceIdsPerAcount: 2,
            apiKeysPerIdentity: -1,
        });
        expect(res.status).to.equal(400);
        expect(res.data.error)
            .to.contain("serviceIdsPerAcount: not a limit")
            .and.contain("apiKeysPerIdentity");
        expect(() => h.iam.setLimits({ policiesPerAccount: 1.5 })).to.throw("policiesPerAccount");
    });

    it("reads --limit <name>=<count> on the command line, and refuses an unknown name", () => {
        const ok = parseArgs([
            "--account",
            `${ACCOUNT_A}:k`,
            "--limit",
            "serviceIdsPerAccount=3",
            "--limit=apiKeysPerIdentity=1",
        ]);
        expect(ok.options?.limits).to.deep.equal({ serviceIdsPerAccount: 3, apiKeysPerIdentity: 1 });
        const bad = parseArgs(["--account", `${ACCOUNT_A}:k`, "--limit", "widgets=3", "--limit", "x"]);
        expect(bad.problems.join("\n"))
            .to.contain("limits.widgets: not a limit")
            .and.contain("--limit: expected");
    });

    it("refuses a service ID past serviceIdsPerAccount with 400 limit_exceeded in the Identity shape; other accounts are not counted", async () => {
        await setLimits({ serviceIdsPerAccount: 2 });
        await createServiceId(h.http, token, ACCOUNT_A, "one");
        await createServiceId(h.http, token, ACCOUNT_A, "two");
        const res = await h.http.post(
            "/v1/serviceids/",
            { account_id: ACCOUNT_A, name: "three" },
            bearer(token),
        );
        expect(res.status).to.equal(400);
        expect(res.data.errors[0]).to.include({ code: "limit_exceeded" });
        expect(res.data.errors[0].message).to.equal(
            `You have reached 100% of the maximum number of allowed Service IDs in account ${ACCOUNT_A}. ` +
                "Your current count is 2, and the limit is 2.",
        );
        expect(res.data.context).to.be.an("object");
        // Account B has its own count.
        const tokenB = await tokenFor(h.http, ADMIN_KEY_B);
        await createServiceId(h.http, tokenB, ACCOUNT_B, "b-one");
    });

    it("refuses an API key past apiKeysPerIdentity, the limit the limits API reports (IBM's SDK)", async () => {
        const iam = new IamIdentityV1({
            authenticator: new IamAuthenticator({ apikey: ADMIN_KEY_A, url: h.iam.url }),
            serviceUrl: h.iam.url,
        });
        h.iam.setLimits({ apiKeysPerIdentity: 2 });
        const s = await createServiceId(h.http, token, ACCOUNT_A, "keyed");
        await createApiKey(h.http, token, s.iam_id);
        await createApiKey(h.http, token, s.iam_id);
        const third = await h.http.post("/v1/apikeys", { name: "k3", iam_id: s.iam_id }, bearer(token));
        expect(third.status).to.equal(400);
        expect(third.data.errors[0].code).to.equal("limit_exceeded");

        const limits = await iam.getAccountLimits({
            accountId: ACCOUNT_A,
            apikeysPerIdentity: `${s.iam_id},IBMid-NOBODY`,
        });
        expect(limits.status).to.equal(200);
        expect(limits.result.apikeys_per_identity).to.deep.equal({
            limit: 2,
            identities: [
                { iam_id: s.iam_id, count: 2 },
                { iam_id: "IBMid-NOBODY", count: 0 },
            ],
        });
        const bulk = await iam.bulkListAccountEntityConsumption({
            accountId: ACCOUNT_A,
            apikeysPerIdentity: [s.iam_id],
            profiles: true,
        });
        expect(bulk.result.apikeys_per_identity?.identities).to.deep.equal([{ iam_id: s.iam_id, count: 2 }]);
        expect(bulk.result.profiles).to.deep.equal({ limit: 2000, count: 0 });
        // Asking about another account is 403, as every Identity request naming another account.
        const other = await h.http.get(`/v1/accounts/${ACCOUNT_B}/limits/identity`, bearer(token));
        expect(other.status).to.equal(403);
    });

    it("refuses a policy past policiesPerSubject and policiesPerAccount with 400 limit_exceeded in the Policy shape", async () => {
        await setLimits({ policiesPerSubject: 1, policiesPerAccount: 2 });
        const a = await createServiceId(h.http, token, ACCOUNT_A, "a");
        const b = await createServiceId(h.http, token, ACCOUNT_A, "b");
        const post = (body: unknown) => h.http.post("/v1/policies", body, bearer(token));
        expect((await post(registryPolicy(ACCOUNT_A, a.iam_id, { region: "us-south" }))).status).to.equal(
            201,
        );
        const second = await post(registryPolicy(ACCOUNT_A, a.iam_id, { region: "eu-de" }));
        expect(second.status).to.equal(400);
        expect(Object.keys(second.data).sort()).to.deep.equal(["errors", "status_code", "trace"]);
        expect(firstError(second.data).code).to.equal("limit_exceeded");
        expect(firstError(second.data).message).to.contain(`for subject iam_id=${a.iam_id}`);
        expect((await post(registryPolicy(ACCOUNT_A, b.iam_id, { region: "us-south" }))).status).to.equal(
            201,
        );
        const c = await createServiceId(h.http, token, ACCOUNT_A, "c");
        const third = await post(registryPolicy(ACCOUNT_A, c.iam_id, { region: "us-south" }));
        expect(third.status).to.equal(400);
        expect(firstError(third.data).message).to.contain(`in account ${ACCOUNT_A}`);
    });

    it("refuses an access group past accessGroupsPerAccount", async () => {
        await setLimits({ accessGroupsPerAccount: 1 });
        await createGroup(h, token, "only");
        const res = await h.http.post(
            `/v2/groups?account_id=${ACCOUNT_A}`,
            { name: "second" },
            bearer(token),
        );
        expect(res.status).to.equal(400);
        expect(Object.keys(res.data).sort()).to.deep.equal(["errors", "status_code", "trace"]);
        expect(firstError(res.data).code).to.equal("limit_exceeded");
    });

    it("lets an iam_id be in at most accessGroupsPerMember groups (IBM: 50): the member's outcome is 400 limit_exceeded", async () => {
        const s = await createServiceId(h.http, token, ACCOUNT_A, "busy");
        const groups = [];
        for (let i = 0; i < 3; i++) groups.push(await createGroup(h, token, `g${i}`));
        await setLimits({ accessGroupsPerMember: 2 });
        const add = (group: string) =>
            h.http.put(
                `/v2/groups/${group}/members`,
                { members: [{ iam_id: s.iam_id, type: "service" }] },
                bearer(token),
            );
        expect((await add(groups[0])).data.members[0].status_code).to.equal(200);
        expect((await add(groups[1])).data.members[0].status_code).to.equal(200);
        // Adding it again where it already is stays fine.
        expect((await add(groups[1])).data.members[0].status_code).to.equal(200);
        const third = await add(groups[2]);
        expect(third.status).to.equal(207);
        expect(third.data.members[0]).to.include({ iam_id: s.iam_id, status_code: 400 });
        expect(third.data.members[0].errors[0].code).to.equal("limit_exceeded");
        const head = await h.http.head(`/v2/groups/${groups[2]}/members/${s.iam_id}`, bearer(token));
        expect(head.status).to.equal(404);
    });

    it("at IBM's default, refuses the 51st group of one service ID", async () => {
        const s = await createServiceId(h.http, token, ACCOUNT_A, "fifty");
        let last;
        for (let i = 0; i < 51; i++) {
            const group = await createGroup(h, token, `cluster-${i}`);
            last = await h.http.put(
                `/v2/groups/${group}/members`,
                { members: [{ iam_id: s.iam_id, type: "service" }] },
                bearer(token),
            );
            if (i < 50) expect(last.data.members[0].status_code, `group ${i + 1}`).to.equal(200);
        }
        expect(last?.data.members[0].status_code).to.equal(400);
    });
});

describe("IAM emulator: Access Groups errors over raw HTTP", () => {
    let h: Harness;
    let token: string;
    let group: string;
    before(async () => {
        h = await startHarness();
        token = await tokenFor(h.http, ADMIN_KEY_A);
        group = await createGroup(h, token, "errors");
    });
    after(async () => h.iam.close());

    it("answers a stale If-Match with 412 and a missing one with 428, in the errors[] shape", async () => {
        const stale = await h.http.patch(
            `/v2/groups/${group}`,
            { name: "x" },
            bearer(token, { "If-Match": "7" }),
        );
        expect(stale.status).to.equal(412);
        expect(stale.data).to.include({ status_code: 412 });
        expect(firstError(stale.data).code).to.equal("precondition_failed");
        expect(stale.data.trace).to.equal(stale.headers["transaction-id"]);
        const missing = await h.http.patch(`/v2/groups/${group}`, { name: "x" }, bearer(token));
        expect(missing.status).to.equal(428);
        const current = (await h.http.get(`/v2/groups/${group}`, bearer(token))).headers.etag;
        const ok = await h.http.patch(
            `/v2/groups/${group}`,
            { name: "renamed" },
            bearer(token, { "If-Match": current }),
        );
        expect(ok.status).to.equal(200);
        expect(ok.headers.etag).to.equal(String(Number(current) + 1));
    });

    it("answers 404 for an unknown group, a non-member and an unknown member on delete", async () => {
        const unknown = "AccessGroupId-00000000-0000-4000-8000-000000000000";
        const get = await h.http.get(`/v2/groups/${unknown}`, bearer(token));
        expect(get.status).to.equal(404);
        expect(firstError(get.data)).to.include({ code: "not_found" });
        expect(firstError(get.data).message).to.contain(unknown);
        expect(
            (await h.http.head(`/v2/groups/${group}/members/IBMid-NOBODY`, bearer(token))).status,
        ).to.equal(404);
        const del = await h.http.delete(`/v2/groups/${group}/members/IBMid-NOBODY`, bearer(token));
        expect(del.status).to.equal(404);
        expect(firstError(del.data).message).to.contain("IBMid-NOBODY");
        expect(
            (await h.http.put(`/v2/groups/${unknown}/members`, { members: [] }, bearer(token))).status,
        ).to.equal(404);
    });

    it("refuses a duplicate name (case-insensitive, 409), a missing account_id (400) and another account (403)", async () => {
        await createGroup(h, token, "Team");
        const dup = await h.http.post(`/v2/groups?account_id=${ACCOUNT_A}`, { name: "team" }, bearer(token));
        expect(dup.status).to.equal(409);
        expect((await h.http.post("/v2/groups", { name: "n" }, bearer(token))).status).to.equal(400);
        expect((await h.http.get(`/v2/groups?account_id=${ACCOUNT_B}`, bearer(token))).status).to.equal(403);
    });

    it("refuses more than 50 members in one request, or none", async () => {
        const members = Array.from({ length: 51 }, (_, i) => ({ iam_id: `IBMid-${i}`, type: "user" }));
        expect((await h.http.put(`/v2/groups/${group}/members`, { members }, bearer(token))).status).to.equal(
            400,
        );
        expect(
            (await h.http.put(`/v2/groups/${group}/members`, { members: [] }, bearer(token))).status,
        ).to.equal(400);
    });
});
