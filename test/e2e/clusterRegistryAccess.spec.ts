// The per-cluster stack (examples/per-cluster) through the real engine,
// against a real kube-apiserver and the IAM emulator: the exact secrets, service
// accounts shared with other writers, rotation, a region change reviewed in preview,
// cross-account identities, and bad input stopped at preview.
import { expect } from "chai";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { LocalCluster } from "../bed/cluster";
import { iamWorld, loginAs } from "../bed/iamWorld";
import { pullSecrets, serviceAccountPullSecrets } from "../bed/kubeView";
import { ProgramStack, PulumiSandbox, resourceChanges, RunResult } from "../bed/pulumi";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";
import { sharedCluster } from "../bed/sharedCluster";

const ACCOUNT_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const ACCOUNT_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const ADMIN_A = "admin-key-of-account-a-0f9e8d7c6b5a";
const ADMIN_B = "admin-key-of-account-b-1a2b3c4d5e6f";

describe("ClusterRegistryAccess (the per-cluster stack)", function () {
    let cluster: LocalCluster;
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        cluster = await sharedCluster();
        iam = await startIamEmulator({
            port: 0,
            accounts: [
                { accountId: ACCOUNT_A, apiKey: ADMIN_A },
                { accountId: ACCOUNT_B, apiKey: ADMIN_B },
            ],
        });
        sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath, IBMCLOUD_API_KEY: "" });
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    /** A stack of the per-cluster program with the given namespaces. */
    async function clusterStack(
        stackName: string,
        namespaces: Record<string, unknown>,
        extra: Record<string, { value: string; secret?: boolean }> = {},
    ): Promise<ProgramStack> {
        return sandbox.stack(PER_CLUSTER_PROGRAM, stackName, {
            "icr-access:cluster": { value: stackName },
            "icr-access:namespaces": { value: JSON.stringify(namespaces) },
            "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
            "ibmcloud:apiKey": { value: ADMIN_A, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
            ...extra,
        });
    }

    async function createNamespaceWithForeignEntry(namespace: string): Promise<void> {
        expect(
            (await cluster.api.post("/api/v1/namespaces", { metadata: { name: namespace } })).status,
        ).to.equal(201);
        const path = `/api/v1/namespaces/${namespace}/serviceaccounts/default`;
        const deadline = Date.now() + 60_000;
        let sa = await cluster.api.get(path);
        while (sa.status !== 200 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 200));
            sa = await cluster.api.get(path);
        }
        // Another writer's entry, as IKS's all-icr-io would be.
        const put = await cluster.api.put(path, { ...sa.data, imagePullSecrets: [{ name: "someone-else" }] });
        expect(put.status).to.equal(200);
    }

    it("writes exactly the expected pull secrets, keeps other writers' entries, rotates in place and reviews a region change", async function () {
        // GIVEN a namespace whose default service account already pulls with someone else's secret
        await createNamespaceWithForeignEntry("shop");
        const stack = await clusterStack("bedc", {
            shop: { regions: ["us-south", "eu-de"] },
            "team-b": { createNamespace: true, regions: ["eu-gb"], includeGlobal: false, layout: "combined" },
        });

        // WHEN the stack is deployed
        const up = await stack.up();
        const serviceIds = up.outputs.serviceIds.value as Record<string, string>;

        // THEN shop holds exactly the runbook's per-domain secrets, each for one domain
        const shop = await pullSecrets(cluster, "shop");
        expect([...shop.keys()].sort()).to.deep.equal(["shop-de-icr-io", "shop-icr-io", "shop-us-icr-io"]);
        const hosts = Object.fromEntries([...shop].map(([name, s]) => [name, Object.keys(s.auths)]));
        expect(hosts).to.deep.equal({
            "shop-icr-io": ["icr.io"],
            "shop-us-icr-io": ["us.icr.io"],
            "shop-de-icr-io": ["de.icr.io"],
        });
        const key = shop.get("shop-us-icr-io")!.auths["us.icr.io"].password;
        for (const [, s] of shop) {
            for (const entry of Object.values(s.auths)) {
                expect(entry).to.deep.equal({
                    username: "iamapikey",
                    password: key,
                    email: "iamapikey",
                    auth: Buffer.from(`iamapikey:${key}`).toString("base64"),
                });
            }
        }
        // and the password is the API key of shop's own service ID
        expect(await loginAs(iam.url, key)).to.equal(`iam-${serviceIds.shop} in ${ACCOUNT_A}`);
        // and team-b holds one combined secret for the one domain it asked for
        const teamB = await pullSecrets(cluster, "team-b");
        expect([...teamB.keys()]).to.deep.equal(["all-icr-io"]);
        expect(Object.keys(teamB.get("all-icr-io")!.auths)).to.deep.equal(["uk.icr.io"]);
        expect(await loginAs(iam.url, teamB.get("all-icr-io")!.auths["uk.icr.io"].password)).to.equal(
            `iam-${serviceIds["team-b"]} in ${ACCOUNT_A}`,
        );
        // and the service accounts list ours after the entry that was already there
        expect(await serviceAccountPullSecrets(cluster, "shop")).to.deep.equal([
            "someone-else",
            "shop-icr-io",
            "shop-us-icr-io",
            "shop-de-icr-io",
        ]);
        expect(await serviceAccountPullSecrets(cluster, "team-b")).to.deep.equal(["all-icr-io"]);
        // and the key is nowhere in plain text: outputs, export, state files, CLI output
        expect(await stack.exportText()).not.to.contain(key);
        expect(stack.backendText()).not.to.contain(key);
        expect(up.stdout).not.to.contain(key);

        // WHEN previewed and deployed again THEN nothing changes, and nothing is added twice
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);
        iam.resetLog();
        expect(resourceChanges(await stack.up())).to.deep.equal([]);
        expect(iam.counters().writes).to.equal(0);
        expect(await serviceAccountPullSecrets(cluster, "shop")).to.deep.equal([
            "someone-else",
            "shop-icr-io",
            "shop-us-icr-io",
            "shop-de-icr-io",
        ]);

        // WHEN the keys are rotated
        await stack.setConfig({ "icr-access:rotation": { value: "2026-12" } });
        const rotated = await stack.up();

        // THEN each key is replaced create-before-delete, and the secrets change in place
        const keySteps = rotated.steps.filter((s) => s.name === "bedc-shop-key").map((s) => s.op);
        expect(keySteps).to.deep.equal(["create-replacement", "replace", "delete-replaced"]);
        const secretOps = rotated.steps
            .filter((s) => s.type === "kubernetes:core/v1:Secret")
            .map((s) => s.op);
        expect(secretOps).to.have.length(4);
        expect(new Set(secretOps)).to.deep.equal(new Set(["update"]));
        const shopAfter = await pullSecrets(cluster, "shop");
        for (const [name, s] of shopAfter)
            expect(s.uid, `${name} kept its identity`).to.equal(shop.get(name)!.uid);
        const newKey = shopAfter.get("shop-us-icr-io")!.auths["us.icr.io"].password;
        expect(newKey).not.to.equal(key);
        expect(await loginAs(iam.url, newKey)).to.equal(`iam-${serviceIds.shop} in ${ACCOUNT_A}`);
        expect(await loginAs(iam.url, key)).to.equal("400 BXNIM0415E");
        expect(await serviceAccountPullSecrets(cluster, "shop")).to.deep.equal([
            "someone-else",
            "shop-icr-io",
            "shop-us-icr-io",
            "shop-de-icr-io",
        ]);

        // WHEN shop's regions change from eu-de to jp-tok
        await stack.setConfig({
            "icr-access:namespaces": {
                value: JSON.stringify({
                    shop: { regions: ["us-south", "jp-tok"] },
                    "team-b": {
                        createNamespace: true,
                        regions: ["eu-gb"],
                        includeGlobal: false,
                        layout: "combined",
                    },
                }),
            },
        });
        const review = await stack.preview();

        // THEN the preview shows exactly one secret added and one removed, the matching
        // policies, the service-account patch updated, and no replacement of anything
        const reviewed = resourceChanges(review).map((s) => `${s.op} ${s.type.split(":").pop()} ${s.name}`);
        expect(reviewed.sort()).to.deep.equal(
            [
                "create AccessPolicy bedc-shop-policy-jp-tok",
                "delete AccessPolicy bedc-shop-policy-eu-de",
                "create Secret bedc-shop-jp-icr-io",
                "delete Secret bedc-shop-de-icr-io",
                "update ServiceAccountPullSecrets bedc-shop-sa-default",
            ].sort(),
        );
        expect(review.stdout).not.to.contain(newKey);
        // Every event a user can see without --debug. (The Node SDK itself logs each
        // RegisterResource response, decrypted outputs included, at debug severity: upstream
        // behaviour for every secret output, Kubernetes Secret data as much as ours.)
        // (The SDK types omit "debug", which the engine sends for them.)
        const visible = review.events.filter(
            (e) => (e.diagnosticEvent?.severity as string | undefined) !== "debug",
        );
        expect(JSON.stringify(visible)).not.to.contain(newKey);
        await stack.up();
        expect([...(await pullSecrets(cluster, "shop")).keys()].sort()).to.deep.equal([
            "shop-icr-io",
            "shop-jp-icr-io",
            "shop-us-icr-io",
        ]);
        expect(await serviceAccountPullSecrets(cluster, "shop")).to.deep.equal([
            "someone-else",
            "shop-icr-io",
            "shop-us-icr-io",
            "shop-jp-icr-io",
        ]);

        // WHEN refreshed and destroyed THEN no secret shows up in plain text at either step: not
        // the API keys (old, new, the admin's), nor the kubeconfig's own token (stored as a secret)
        const secretValues = {
            "first key": key,
            "rotated key": newKey,
            "admin key": ADMIN_A,
            "kubeconfig token": cluster.token,
        };
        const noSecretsIn = async (when: string, output: string) => {
            const texts = {
                "CLI output": output,
                "stack export": await stack.exportText(),
                "state files": stack.backendText(),
            };
            for (const [where, text] of Object.entries(texts))
                for (const [what, value] of Object.entries(secretValues))
                    expect(text, `${what} in ${where} after ${when}`).not.to.contain(value);
        };
        await noSecretsIn("up", up.stdout);
        await noSecretsIn("refresh", (await stack.refresh()).stdout);

        // WHEN destroyed THEN only our entries and objects are gone
        await noSecretsIn("destroy", (await stack.destroy()).stdout);
        expect(await serviceAccountPullSecrets(cluster, "shop")).to.deep.equal(["someone-else"]);
        expect([...(await pullSecrets(cluster, "shop")).keys()]).to.deep.equal([]);
        expect(
            (await cluster.api.get("/api/v1/namespaces/team-b")).status,
            "the namespace it created",
        ).to.equal(404);
        const world = await iamWorld(iam.url, ACCOUNT_A);
        expect(world.serviceIds.filter((s) => s.name.startsWith("bedc-"))).to.deep.equal([]);
        expect(world.apiKeys.filter((k) => k.name.startsWith("bedc-"))).to.deep.equal([]);
    });

    it("makes the identities in the registry's account when it is another account than the stack's", async function () {
        // GIVEN the stack's IAM key is account A's and the registry is in account B
        const stack = await clusterStack(
            "bedx",
            { default: { regions: ["us-south"] } },
            {
                "icr-access:registryApiKey": { value: ADMIN_B, secret: true },
                "icr-access:registryIamEndpoint": { value: iam.url },
            },
        );

        // WHEN deployed
        const up = await stack.up();

        // THEN the service ID, policies and key are in account B, and account A holds none
        const b = await iamWorld(iam.url, ACCOUNT_B);
        const a = await iamWorld(iam.url, ACCOUNT_A);
        expect(b.serviceIds.map((s) => s.name)).to.deep.equal(["bedx-default-id"]);
        expect(b.apiKeys.map((k) => k.name)).to.deep.equal(["bedx-default-key"]);
        expect(b.policies).to.have.length(2); // us-south and global
        expect(a.serviceIds.filter((s) => s.name.startsWith("bedx-"))).to.deep.equal([]);
        expect(a.apiKeys.filter((k) => k.name.startsWith("bedx-"))).to.deep.equal([]);
        // and the cluster's secret holds account B's key
        const secret = (await pullSecrets(cluster, "default")).get("default-us-icr-io")!;
        const serviceIds = up.outputs.serviceIds.value as Record<string, string>;
        expect(await loginAs(iam.url, secret.auths["us.icr.io"].password)).to.equal(
            `iam-${serviceIds.default} in ${ACCOUNT_B}`,
        );
        // and account B's key never reaches state in plain text
        expect(stack.backendText()).not.to.contain(ADMIN_B);

        await stack.destroy();
        expect((await iamWorld(iam.url, ACCOUNT_B)).serviceIds).to.deep.equal([]);
        expect([...(await pullSecrets(cluster, "default")).keys()]).to.deep.equal([]);
    });

    describe("rejects bad input at preview, naming the field, and creates nothing", function () {
        const cases: [string, () => Promise<ProgramStack>, RegExp[]][] = [
            [
                "an unknown region",
                () => clusterStack("bad-region", { default: { regions: ["us-east-9"] } }),
                [/namespaces\.default\.regions\[0\]: unknown region "us-east-9"/, /us-south/, /eu-de/],
            ],
            [
                "a namespace name that is not DNS-1123",
                () => clusterStack("bad-ns", { Team_A: {} }),
                [/namespaces\.Team_A/, /DNS-1123|lowercase/i],
            ],
            [
                "an empty API key",
                () =>
                    sandbox.stack("test/e2e/programs/bad-input", "empty-key", {
                        case: { value: "emptyKey" },
                    }),
                [/apiKey: the API key is empty/],
            ],
            [
                "an empty registry server",
                () =>
                    sandbox.stack("test/e2e/programs/bad-input", "empty-server", {
                        case: { value: "emptyServer" },
                    }),
                [/server/],
            ],
            [
                "a deprecated bluemix.net registry domain",
                () =>
                    sandbox.stack("test/e2e/programs/bad-input", "deprecated", {
                        case: { value: "deprecatedDomain" },
                    }),
                [/registry\.ng\.bluemix\.net/, /us\.icr\.io/],
            ],
        ];
        for (const [what, makeStack, expected] of cases) {
            it(`rejects ${what}`, async function () {
                const stack = await makeStack();
                const secretsBefore = (await cluster.api.get("/api/v1/secrets")).data.items.length;
                iam.resetLog();
                let failure: (Error & { result?: RunResult }) | undefined;
                try {
                    await stack.preview();
                } catch (err) {
                    failure = err as Error & { result?: RunResult };
                }
                expect(failure, "preview must fail").not.to.equal(undefined);
                const text = `${failure!.message}\n${failure!.result?.stdout ?? ""}`;
                for (const re of expected) expect(text).to.match(re);
                expect(iam.counters().writes).to.equal(0);
                expect((await cluster.api.get("/api/v1/secrets")).data.items.length).to.equal(secretsBefore);
                expect(await stack.resources()).to.deep.equal([]);
            });
        }
    });
});
