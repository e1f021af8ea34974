// Lost answers to IAM writes, through the real engine: a two-namespace per-cluster stack
// (ClusterRegistryAccess from the installed package) run by the Pulumi CLI against a real
// kube-apiserver and the IAM emulator, whose writes are done and whose answers are then lost
// (a 5xx, a reset, a stall past the client's timeout), alone and with lagging listings.
// The sweep loses the answer of each IAM write of a clean `up` in turn; after each, a rerun
// converges to exactly the expected objects: one service ID per identity, one policy per
// scope, one API key per key resource (the one in the cluster's secrets), no twins.
import axios from "axios";
import { expect } from "chai";
import { IamEmulator, startIamEmulator } from "../../emulator";
import type { Fault, LostResponseMode } from "../../emulator/faults";
import { LocalCluster } from "../bed/cluster";
import { loginAs } from "../bed/iamWorld";
import { pullSecrets } from "../bed/kubeView";
import { ProgramStack, PulumiSandbox, resourceChanges } from "../bed/pulumi";
import { sharedCluster } from "../bed/sharedCluster";

const PROGRAM = "test/e2e/programs/lost-responses";
const ACCOUNT = "5e7d0c1b2a39485766f4e3d2c1b0a9f8";
const ADMIN_KEY = "admin-key-of-the-lost-responses-spec-4c2e9a";
const CLUSTER = "lost";
const NAMESPACES = {
    alpha: { regions: ["us-south"] },
    beta: { regions: ["eu-de"], includeGlobal: false },
};
/** The policy scopes each identity must have: its regions, plus global unless excluded. */
const SCOPES: Record<string, string[]> = {
    alpha: ["region=us-south", "geography=global"],
    beta: ["region=eu-de"],
};
const MODES: LostResponseMode[] = ["status", "reset", "stall"];
/** The client gives up on an answer after this long; a stall outlasts it. */
const CLIENT_TIMEOUT_MS = 2_000;
const STALL_MS = 10_000;

/** What the emulator holds for the account, with the fields these tests read. */
interface World {
    serviceIds: { id: string; iamId: string; name: string; description: string }[];
    apiKeys: { id: string; iamId: string; name: string }[];
    policies: {
        id: string;
        subjects: { attributes: { name: string; value: string }[] }[];
        resources: { attributes: { name: string; value: string }[] }[];
    }[];
}

describe("Lost IAM answers through the engine: a two-namespace stack converges with no twins", function () {
    let cluster: LocalCluster;
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;
    let stack: ProgramStack;

    before(async function () {
        cluster = await sharedCluster();
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }] });
        sandbox = new PulumiSandbox({
            KUBECONFIG: cluster.kubeconfigPath,
            IBMCLOUD_API_KEY: "",
            IBMCLOUD_IAM_ENDPOINT: "",
            IBMCLOUD_ACCOUNT_ID: "",
            // The provider process's IAM client: a short timeout, so a stall costs seconds.
            ICR_ACCESS_IAM_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS),
            ICR_ACCESS_IAM_BASE_DELAY_MS: "100",
            ICR_ACCESS_IAM_MAX_DELAY_MS: "400",
            ICR_ACCESS_IAM_NOT_FOUND_POLL_MS: "200",
        });
        // The namespaces exist beforehand (a stack that deleted and recreated them would wait for
        // the namespace controller between points).
        for (const ns of Object.keys(NAMESPACES)) {
            expect(
                (await cluster.api.post("/api/v1/namespaces", { metadata: { name: ns } })).status,
            ).to.equal(201);
        }
        stack = await sandbox.stack(PROGRAM, CLUSTER, {
            "bed-lost-responses:cluster": { value: CLUSTER },
            "bed-lost-responses:namespaces": { value: JSON.stringify(NAMESPACES) },
            "bed-lost-responses:kubeconfig": { value: cluster.kubeconfig, secret: true },
            "ibmcloud:apiKey": { value: ADMIN_KEY, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
        });
    });
    // Each test starts from an empty stack and an empty IAM, even after a test that failed
    // half-way (its objects may be gone from IAM: refresh first, then destroy).
    beforeEach(async function () {
        if ((await stack.resources()).some((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))) {
            await stack.refresh().catch(() => undefined);
            await stack.destroy();
        }
        await resetIam();
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    async function world(): Promise<World> {
        const { data } = await axios.get(`${iam.url}/_emulator/state`);
        const mine = <T>(list: { accountId: string }[]): T[] =>
            list.filter((o) => o.accountId === ACCOUNT) as T[];
        return {
            serviceIds: mine(data.serviceIds),
            apiKeys: mine(data.apiKeys),
            policies: mine(data.policies),
        };
    }

    /** An empty IAM world, no faults, an empty request log. */
    async function resetIam(): Promise<void> {
        expect((await axios.post(`${iam.url}/_emulator/reset`)).status).to.equal(204);
    }

    /** The IAM writes of the run so far (every one a create: POST under /v1/). */
    const writes = () =>
        iam
            .requests()
            .filter(
                (r) => r.operation !== "getToken" && ["POST", "PUT", "DELETE", "PATCH"].includes(r.method),
            );

    /**
     * Asserts exactly the expected IAM objects, each the one in state and in the cluster, and a
     * preview with no changes.
     */
    async function expectConverged(where: string): Promise<void> {
        const w = await world();
        const ids: Record<string, string> = {};
        for (const ns of Object.keys(NAMESPACES)) {
            const sids = w.serviceIds.filter((s) => s.name === `${CLUSTER}-${ns}-id`);
            expect(sids, `${where}: service IDs of ${ns}`).to.have.length(1);
            const iamId = sids[0].iamId;
            ids[ns] = sids[0].id;
            const scopes = w.policies
                .filter((p) => p.subjects[0].attributes.some((a) => a.name === "iam_id" && a.value === iamId))
                .map((p) =>
                    p.resources[0].attributes
                        .filter((a) => a.name === "region" || a.name === "geography")
                        .map((a) => `${a.name}=${a.value}`)
                        .join(","),
                );
            expect(scopes.sort(), `${where}: policies of ${ns}`).to.deep.equal([...SCOPES[ns]].sort());
            const keys = w.apiKeys.filter((k) => k.iamId === iamId);
            expect(
                keys.map((k) => k.name),
                `${where}: API keys of ${ns}`,
            ).to.deep.equal([`${CLUSTER}-${ns}-key`]);
            // The cluster's pull secrets hold that key: it logs in as the namespace's service ID.
            const secrets = [...(await pullSecrets(cluster, ns)).values()];
            expect(secrets, `${where}: pull secrets of ${ns}`).to.have.length.above(0);
            for (const s of secrets) {
                for (const auth of Object.values(s.auths)) {
                    expect(await loginAs(iam.url, auth.password), `${where}: key in ${ns}'s secret`).to.equal(
                        `${iamId} in ${ACCOUNT}`,
                    );
                }
            }
        }
        expect(w.serviceIds, `${where}: no other service IDs`).to.have.length(Object.keys(NAMESPACES).length);
        expect(w.apiKeys, `${where}: no other API keys`).to.have.length(Object.keys(NAMESPACES).length);
        // And state holds exactly these objects.
        const inState = (await stack.resources())
            .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/iam:"))
            .map((r) => r.id as string)
            .sort();
        const inIam = [
            ...w.serviceIds.map((s) => s.id),
            ...w.apiKeys.map((k) => k.id),
            ...w.policies.map((p) => p.id),
        ];
        expect(inState, `${where}: state and IAM`).to.deep.equal(inIam.sort());
        expect(resourceChanges(await stack.preview()), `${where}: preview after convergence`).to.deep.equal(
            [],
        );
    }

    /** Destroys the stack; IAM must then be empty (nothing the stack does not know survived). */
    async function destroyAndExpectEmpty(where: string): Promise<void> {
        await stack.destroy();
        const w = await world();
        expect(
            [w.serviceIds.length, w.apiKeys.length, w.policies.length],
            `${where}: left in IAM after destroy`,
        ).to.deep.equal([0, 0, 0]);
    }

    /** `up`, reporting instead of throwing when it fails. */
    async function up(): Promise<{ ok: boolean; error?: string }> {
        try {
            await stack.up();
            return { ok: true };
        } catch (err) {
            const lines = (err as Error).message.split("\n");
            const errors = lines.filter((l) => /error/i.test(l) && !/errored/.test(l)).slice(0, 6);
            return { ok: false, error: (errors.length > 0 ? errors : lines.slice(-12)).join("\n") };
        }
    }

    const lost = (mode: LostResponseMode, extra: Partial<Fault> = {}): Fault =>
        ({
            kind: "lostResponse",
            mode,
            stallMs: STALL_MS,
            method: "POST",
            pathPrefix: "/v1/",
            ...extra,
        }) as Fault;

    for (const mode of MODES) {
        it(`up through a ${mode} after each kind of create ends with exactly one of each object`, async function () {
            await resetIam();
            // GIVEN the first create of each kind (service ID, policy, key) loses its answer
            for (const pathPrefix of ["/v1/serviceids", "/v1/policies", "/v1/apikeys"])
                iam.injectFault(lost(mode, { pathPrefix }));
            // WHEN the stack is deployed
            const first = await up();
            // THEN up succeeded by finding what each lost create made
            expect(first, "up through the lost answers").to.deep.equal({ ok: true });
            const losses = (await axios.get(`${iam.url}/_emulator/faults`)).data.faults;
            expect(losses, "every lost-answer fault was used").to.deep.equal([]);
            await expectConverged(`${mode}`);
            await destroyAndExpectEmpty(`${mode}`);
        });
    }

    it("up through lost answers while IAM's listings lag ends with exactly one of each object", async function () {
        await resetIam();
        // GIVEN new objects are left out of the next listing, new keys unreadable for one read,
        // and the first create of each kind loses its answer
        iam.injectFault({ kind: "listLag", lists: 1 });
        iam.injectFault({ kind: "eventualConsistency", reads: 1, pathPrefix: "/v1/apikeys" });
        for (const pathPrefix of ["/v1/serviceids", "/v1/policies", "/v1/apikeys"])
            iam.injectFault(lost("reset", { pathPrefix }));
        // WHEN the stack is deployed THEN it succeeds with no twins
        expect(await up(), "up through lost answers and list lag").to.deep.equal({ ok: true });
        // (the lost service ID create was retried, the listing not showing what it made, and
        // the twin that made was deleted once the listing caught up)
        const ops = writes().map((r) => r.operation);
        expect(
            ops.filter((o) => o === "createServiceId"),
            "service ID creates",
        ).to.have.length(3);
        expect(
            ops.filter((o) => o === "deleteServiceId"),
            "twins deleted",
        ).to.have.length(1);
        await expectConverged("list lag");
        await destroyAndExpectEmpty("list lag");
    });

    it("sweep: the answer of IAM write k of a clean up is lost, for every k; each rerun converges", async function () {
        // GIVEN the number of IAM writes of a clean up
        await resetIam();
        expect(await up(), "clean up").to.deep.equal({ ok: true });
        const clean = writes();
        const n = clean.length;
        process.stdout.write(`      IAM writes of a clean up: ${clean.map((r) => r.operation).join(", ")}\n`);
        expect(
            clean.every((r) => r.method === "POST" && r.path.startsWith("/v1/")),
            "a clean up only creates",
        ).to.equal(true);
        expect(n, "service IDs, policies and keys of two namespaces").to.equal(7);
        await expectConverged("clean");
        await destroyAndExpectEmpty("clean");

        const covered: string[] = [];
        for (let k = 1; k <= n; k++) {
            const mode = MODES[(k - 1) % MODES.length];
            const where = `write ${k} of ${n} (${mode})`;
            await resetIam();
            // WHEN write k's answer is lost (the up may fail or succeed)
            iam.injectFault(lost(mode, { skip: k - 1, times: 1 }));
            const first = await up();
            const hit = writes()[k - 1];
            expect(hit, `${where}: the faulted write happened`).to.not.equal(undefined);
            iam.clearFaults();
            // AND up runs again without the fault
            const second = await up();
            expect(second, `${where}: rerun (first up: ${first.ok ? "ok" : first.error})`).to.deep.equal({
                ok: true,
            });
            // THEN IAM holds exactly the expected objects, and nothing is left to change
            await expectConverged(where);
            covered.push(`${where}: ${hit.operation}, first up ${first.ok ? "succeeded" : "failed"}`);
            await destroyAndExpectEmpty(where);
        }
        process.stdout.write(
            `      ${covered.join("\n      ")}\n      covered ${covered.length} of ${n} write points\n`,
        );
        expect(covered).to.have.length(n);
    });
});
