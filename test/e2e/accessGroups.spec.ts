// `accessGroups` through the real engine: three per-cluster stacks (three clusters' stacks in one
// account, here three namespaces of the shared test cluster) share one IAM access group and its
// policies; destroying two leaves the third's access intact (its key still logs in, and IAM grants
// it the registry through the group); destroying the last removes the group and its policies. A
// group of the same name that the library did not make is refused at preview, with nothing created.
// Two stacks run at once (a CI matrix) make one group between them, and leave nothing when both
// are destroyed at once.
import axios from "axios";
import { expect } from "chai";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { IamClient } from "../../components/clients/iam";
import { LocalCluster } from "../bed/cluster";
import { FAST_IAM_CLIENT_ENV } from "../bed/fastIamClient";
import { iamWorld, loginAs } from "../bed/iamWorld";
import { pullSecrets } from "../bed/kubeView";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";
import { ProgramStack, PulumiSandbox, RunResult, resourceChanges } from "../bed/pulumi";
import { sharedCluster } from "../bed/sharedCluster";

const ACCOUNT = "4b2e6a1c9d8f70635241a0b9c8d7e6f5";
const ADMIN_KEY = "admin-key-of-the-access-groups-spec-5e0c2a91";
/** The group every stack's scope (Reader, eu-de and icr.io, every registry namespace) names. */
const GROUP = "icr-reader-eu-de_global-all-namespaces";
const CLUSTERS = ["grp-one", "grp-two", "grp-three"];

interface Access {
    accessGroups: string[];
    policies: { via: string; policy: { id: string } }[];
}

describe("Shared access groups (accessGroups, real engine, real API server)", function () {
    let cluster: LocalCluster;
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;
    const stacks: Record<string, ProgramStack> = {};

    before(async function () {
        cluster = await sharedCluster();
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }] });
        sandbox = new PulumiSandbox({
            KUBECONFIG: cluster.kubeconfigPath,
            IBMCLOUD_API_KEY: "",
            IBMCLOUD_IAM_ENDPOINT: "",
            IBMCLOUD_ACCOUNT_ID: "",
            ...FAST_IAM_CLIENT_ENV,
        });
    });
    after(async function () {
        for (const s of Object.values(stacks)) await s.destroy().catch(() => undefined);
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    const world = () => iamWorld(iam.url, ACCOUNT);
    const admin = () => new IamClient({ apiKey: ADMIN_KEY, iamEndpoint: iam.url, source: "the test" });
    const groupPolicies = (w: Awaited<ReturnType<typeof world>>, groupId: string) =>
        w.policies.filter((p) =>
            p.subjects[0].attributes.some((a) => a.name === "access_group_id" && a.value === groupId),
        );
    const ownPolicies = (w: Awaited<ReturnType<typeof world>>) =>
        w.policies.filter((p) => p.subjects[0].attributes.some((a) => a.name === "iam_id"));

    /** The per-cluster stack of `name`: namespace `<name>` (created by the stack), eu-de, accessGroups on. */
    async function stackOf(name: string): Promise<ProgramStack> {
        stacks[name] ??= await sandbox.stack(PER_CLUSTER_PROGRAM, name, {
            "icr-access:cluster": { value: name },
            "icr-access:namespaces": {
                value: JSON.stringify({ [name]: { regions: ["eu-de"], createNamespace: true } }),
            },
            "icr-access:accessGroups": { value: "true" },
            "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
            "ibmcloud:apiKey": { value: ADMIN_KEY, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
        });
        return stacks[name];
    }

    /** The stack's API key, as its pull secrets hold it (each domain's secret holds the same key). */
    async function keyOf(name: string): Promise<string> {
        const keys = new Set<string>();
        for (const s of (await pullSecrets(cluster, name)).values())
            for (const auth of Object.values(s.auths)) keys.add(auth.password);
        expect([...keys], `the key in ${name}'s pull secrets`).to.have.length(1);
        return [...keys][0];
    }

    async function accessOf(iamId: string): Promise<Access> {
        return (
            await axios.get<Access>(`${iam.url}/_emulator/access`, {
                params: { account_id: ACCOUNT, iam_id: iamId },
            })
        ).data;
    }

    /**
     * Expects one group of the shared name, holding the service IDs of `clusters` and nothing else,
     * with one policy per location, each ID granted through it; returns the world and the IDs.
     */
    async function expectOneSharedGroup(clusters: string[]) {
        const w = await world();
        expect(w.accessGroups.map((g) => g.name)).to.deep.equal([GROUP]);
        const group = w.accessGroups[0];
        const sids = clusters.map((c) => w.serviceIds.find((s) => s.name === `${c}-${c}-id`)!.iamId!);
        expect(group.members.map((m) => m.iamId).sort()).to.deep.equal([...sids].sort());
        expect(groupPolicies(w, group.id)).to.have.length(2);
        for (const [i, name] of clusters.entries()) {
            expect((await accessOf(sids[i])).accessGroups, name).to.deep.equal([group.id]);
        }
        return { w, sids };
    }

    /** Expects no access group, policy or service ID left in the account. */
    async function expectNothingLeft(): Promise<void> {
        const empty = await world();
        expect(empty.accessGroups).to.deep.equal([]);
        expect(empty.policies).to.deep.equal([]);
        expect(empty.serviceIds).to.deep.equal([]);
    }

    it("refuses at preview a group of the same name the library did not make, with nothing created", async function () {
        // GIVEN a group of that name made by hand
        const hand = await admin().createAccessGroup({
            accountId: ACCOUNT,
            name: GROUP,
            description: "the registry team's",
        });
        const stack = await stackOf(CLUSTERS[0]);
        let failure: (Error & { result?: RunResult }) | undefined;
        try {
            await stack.preview();
        } catch (err) {
            failure = err as Error & { result?: RunResult };
        }
        expect(failure, "preview must fail").not.to.equal(undefined);
        const text = `${failure!.message}\n${failure!.result?.stdout ?? ""}`;
        expect(text).to.contain(`IAM access group "${GROUP}" (${hand.id}) already exists in this account`);
        expect(text).to.contain("its description carries no shared-group mark");
        expect(text).to.contain("icr-access:accessGroups");
        expect(text).to.contain('{ namePrefix: "<prefix>" }');
        // AND an up without a preview is refused the same way, before any service ID or key exists
        const started = Date.now();
        const skipped = await stack.cli(["up", "--yes", "--skip-preview"]).then(
            () => undefined,
            (err: Error) => err,
        );
        process.stdout.write(
            `      up --skip-preview refused in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
        );
        expect(skipped, "up --skip-preview must fail").not.to.equal(undefined);
        expect(skipped!.message).to.contain(`IAM access group "${GROUP}" (${hand.id}) already exists`);
        // THEN nothing was created in IAM, and the hand-made group is untouched
        const w = await world();
        expect(w.serviceIds).to.deep.equal([]);
        expect(w.policies).to.deep.equal([]);
        expect(w.apiKeys).to.deep.equal([]);
        expect(w.accessGroups.map((g) => [g.id, g.description, g.members.length])).to.deep.equal([
            [hand.id, "the registry team's", 0],
        ]);
        expect(await admin().deleteAccessGroup(hand.id)).to.equal(true);
    });

    it("three stacks share one group and one policy per location; no service ID has a policy of its own", async function () {
        for (const name of CLUSTERS) await (await stackOf(name)).up();
        const { w, sids } = await expectOneSharedGroup(CLUSTERS);
        expect(ownPolicies(w)).to.deep.equal([]);
        for (const [i, name] of CLUSTERS.entries()) {
            expect(await loginAs(iam.url, await keyOf(name))).to.equal(`${sids[i]} in ${ACCOUNT}`);
        }
        // A second run changes nothing.
        const first = await stackOf(CLUSTERS[0]);
        expect(resourceChanges(await first.preview())).to.deep.equal([]);
        // A namespace more: the preview names the membership's members as what changes.
        await first.setConfig({
            "icr-access:namespaces": {
                value: JSON.stringify({
                    [CLUSTERS[0]]: { regions: ["eu-de"], createNamespace: true },
                    [`${CLUSTERS[0]}-b`]: { regions: ["eu-de"], createNamespace: true },
                }),
            },
        });
        const preview = await first.preview({ diff: true });
        const wider = resourceChanges(preview);
        const membership = wider.filter((s) => s.type === "pulumi-nodejs:dynamic/iam:AccessGroupMembership");
        expect(membership.map((s) => [s.op, s.name])).to.deep.equal([["update", `${CLUSTERS[0]}-${GROUP}`]]);
        // The new service ID's iam_id is not known before it exists: the member list shows it added.
        const shown = preview.stdout.slice(preview.stdout.indexOf("dynamic/iam:AccessGroupMembership"));
        expect(shown, preview.stdout).to.match(/~ members\s*: \[/);
        expect(shown.slice(0, shown.indexOf("role")), preview.stdout).not.to.contain("- members");
        expect(wider.filter((s) => s.type === "pulumi-nodejs:dynamic/iam:AccessPolicy")).to.deep.equal([]);
        await first.setConfig({
            "icr-access:namespaces": {
                value: JSON.stringify({ [CLUSTERS[0]]: { regions: ["eu-de"], createNamespace: true } }),
            },
        });
    });

    it("destroying two stacks leaves the third's access intact; destroying the last removes the group and its policies", async function () {
        const before = await world();
        const group = before.accessGroups[0];
        const policyIds = groupPolicies(before, group.id)
            .map((p) => p.id)
            .sort();
        const third = before.serviceIds.find((s) => s.name === "grp-three-grp-three-id")!.iamId!;

        await stacks[CLUSTERS[0]].destroy();
        await stacks[CLUSTERS[1]].destroy();
        const after = await world();
        expect(after.accessGroups.map((g) => [g.id, g.members.map((m) => m.iamId)])).to.deep.equal([
            [group.id, [third]],
        ]);
        expect(
            groupPolicies(after, group.id)
                .map((p) => p.id)
                .sort(),
        ).to.deep.equal(policyIds);
        expect(await loginAs(iam.url, await keyOf(CLUSTERS[2]))).to.equal(`${third} in ${ACCOUNT}`);
        const access = await accessOf(third);
        expect(access.accessGroups).to.deep.equal([group.id]);
        expect(access.policies.map((p) => [p.via, p.policy.id]).sort()).to.deep.equal(
            policyIds.map((id) => [group.id, id]).sort(),
        );

        await stacks[CLUSTERS[2]].destroy();
        await expectNothingLeft();
    });

    it("two stacks run together share one group: no twin group or policy on up, nothing left after destroying both together", async function () {
        // GIVEN two clusters' stacks started at the same moment (as a CI matrix does)
        const pair = ["grp-four", "grp-five"];
        const both = await Promise.all(pair.map((name) => stackOf(name)));
        // (IAM slow to answer the group's create, so that both find no group and both create it:
        // the second create meets the first's group and must join it, not fail or make a twin;
        // 1.5 s stays under the 2 s client timeout of FAST_IAM_CLIENT_ENV, so the answer is late, not lost)
        iam.injectFault({ kind: "latency", method: "POST", pathPrefix: "/v2/groups", ms: 1500, times: 2 });
        iam.resetLog();
        await Promise.all(both.map((s) => s.up()));
        iam.clearFaults();
        const creates = iam.requests().filter((r) => r.operation === "createAccessGroup");
        process.stdout.write(`      group creates: ${creates.map((r) => r.status).join(", ")}\n`);
        expect(
            creates.filter((r) => r.status === 201),
            "groups made",
        ).to.have.length(1);
        // THEN one group holds both service IDs, with one policy per location
        await expectOneSharedGroup(pair);
        for (const s of both) expect(resourceChanges(await s.preview())).to.deep.equal([]);

        // WHEN both are destroyed together THEN neither fails, and nothing is left
        await Promise.all(both.map((s) => s.destroy()));
        await expectNothingLeft();
    });
});
