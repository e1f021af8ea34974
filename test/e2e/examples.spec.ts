// The user-facing examples of the Kubernetes side (examples/*), each run as-is through the
// real engine against a real kube-apiserver and the IAM emulator: up, the effect checked on
// the API server and in IAM, a preview with no changes, and a destroy that leaves nothing of
// ours behind.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { LocalCluster } from "../bed/cluster";
import { iamWorld, IamWorld, loginAs } from "../bed/iamWorld";
import { DockerAuth, PullSecret, pullSecrets, serviceAccountPullSecrets } from "../bed/kubeView";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";
import { ProgramStack, PulumiSandbox, resourceChanges, RunResult } from "../bed/pulumi";
import { repoRoot } from "../bed/toolchain";
import { sharedCluster } from "../bed/sharedCluster";

const ACCOUNT_A = "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0";
const ACCOUNT_B = "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1";
const ADMIN_A = "examples-admin-key-of-account-a-5e4d3c";
const ADMIN_B = "examples-admin-key-of-account-b-9a8b7c";
const DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson";

/** The `auths` entry IKS (and NamespacePullSecrets) writes for an IAM API key. */
const iamEntry = (key: string): DockerAuth => ({
    username: "iamapikey",
    password: key,
    email: "iamapikey",
    auth: Buffer.from(`iamapikey:${key}`).toString("base64"),
});

const dockerConfigJson = (auths: Record<string, DockerAuth>): string =>
    Buffer.from(JSON.stringify({ auths })).toString("base64");

/** The warnings and errors the engine showed: an example must run clean. */
const warnings = (r: RunResult) =>
    r.events
        .map((e) => e.diagnosticEvent)
        .filter((d) => d !== undefined && (d.severity === "warning" || d.severity === "error"))
        .map((d) => d!.message);

/** A policy as `<role> <attr=value …>`, its resource attributes other than account and service. */
function policySummary(p: IamWorld["policies"][number]): string {
    const raw = p as unknown as {
        roleIds: string[];
        resources: { attributes: { name: string; value: string }[] }[];
    };
    const roles = raw.roleIds.map((r) => r.split(":").pop()).join(",");
    const attrs = raw.resources[0].attributes
        .filter((a) => a.name !== "accountId" && a.name !== "serviceName")
        .map((a) => `${a.name}=${a.value}`);
    return [roles, ...attrs].join(" ");
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
        const v = await probe();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

describe("examples (each through the real engine, against a real API server and the IAM emulator)", function () {
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
        // The cluster comes from KUBECONFIG, as on a workstation; no IAM key from the environment.
        sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath, IBMCLOUD_API_KEY: "" });
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    /** A stack of `examples/<name>` with the emulator as IBM Cloud (account A) and skipAwait on. */
    async function exampleStack(
        name: string,
        config: Record<string, string | { value: string; secret: boolean }>,
    ): Promise<ProgramStack> {
        const values = Object.fromEntries(
            Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? { value: v } : v]),
        );
        return sandbox.stack(`examples/${name}`, "bed", {
            "ibmcloud:apiKey": { value: ADMIN_A, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
            skipAwait: { value: "true" },
            ...values,
        });
    }

    /** Secret name -> the hosts it holds credentials for. */
    const hostsOf = (secrets: Map<string, PullSecret>) =>
        Object.fromEntries([...secrets].map(([name, s]) => [name, Object.keys(s.auths)]));

    /** What account `account` holds for identities named `<prefix>…`, as names and policy summaries. */
    async function identities(account: string, prefix: string) {
        const world = await iamWorld(iam.url, account);
        const ours = world.serviceIds.filter((s) => s.name.startsWith(prefix));
        return {
            serviceIds: ours.map((s) => s.name).sort(),
            apiKeys: world.apiKeys
                .filter((k) => k.name.startsWith(prefix))
                .map((k) => `${k.name} for ${world.serviceIds.find((s) => s.iamId === k.iamId)?.name}`)
                .sort(),
            policies: Object.fromEntries(
                ours.map((s) => [
                    s.name,
                    world.policies
                        .filter((p) => p.subjects[0].attributes.some((a) => a.value === s.iamId))
                        .map(policySummary)
                        .sort(),
                ]),
            ),
            policyCount: world.policies.length,
        };
    }

    async function createNamespace(name: string): Promise<void> {
        expect((await cluster.api.post("/api/v1/namespaces", { metadata: { name } })).status).to.equal(201);
        await until(`${name}/default`, async () =>
            (await cluster.api.get(`/api/v1/namespaces/${name}/serviceaccounts/default`)).status === 200
                ? true
                : undefined,
        );
    }

    it("default-namespace: the runbook's per-domain secrets on serviceaccount/default, used by a Deployment that names none", async function () {
        // GIVEN the example, as a user would configure it
        const stack = await exampleStack("default-namespace", {
            cluster: "exdef",
            registryNamespace: "shop",
            image: "web",
            tag: "1.2.3",
        });

        // WHEN deployed
        const up = await stack.up();
        expect(warnings(up)).to.deep.equal([]);
        const key = up.outputs.apiKey.value as string;
        const serviceId = up.outputs.serviceId.value as string;
        expect(up.outputs.apiKey.secret, "the key output is secret").to.equal(true);

        // THEN `default` holds the runbook's six secrets, one domain each, all with the issued key
        const runbookNames = [
            "default-icr-io",
            "default-us-icr-io",
            "default-uk-icr-io",
            "default-de-icr-io",
            "default-au-icr-io",
            "default-jp-icr-io",
        ];
        const secrets = await pullSecrets(cluster, "default");
        expect(hostsOf(secrets)).to.deep.equal({
            "default-icr-io": ["icr.io"],
            "default-us-icr-io": ["us.icr.io"],
            "default-uk-icr-io": ["uk.icr.io"],
            "default-de-icr-io": ["de.icr.io"],
            "default-au-icr-io": ["au.icr.io"],
            "default-jp-icr-io": ["jp.icr.io"],
        });
        for (const [, s] of secrets) {
            for (const entry of Object.values(s.auths)) expect(entry).to.deep.equal(iamEntry(key));
        }
        expect(up.outputs.secretNames.value).to.deep.equal(runbookNames);
        // and the key is the live key of the example's service ID, which IAM holds as the runbook names it
        expect(await loginAs(iam.url, key)).to.equal(`iam-${serviceId} in ${ACCOUNT_A}`);
        expect(await identities(ACCOUNT_A, "exdef-")).to.deep.equal({
            serviceIds: ["exdef-default-id"],
            apiKeys: ["exdef-default-key for exdef-default-id"],
            policies: { "exdef-default-id": ["Reader"] },
            policyCount: 1,
        });
        // and serviceaccount/default lists them
        expect(await serviceAccountPullSecrets(cluster, "default")).to.deep.equal(runbookNames);
        // and the Deployment names no pull secret, but its pod gets them from the service account
        const deployment = up.outputs.deployment.value as string;
        const dep = await cluster.api.get(`/apis/apps/v1/namespaces/default/deployments/${deployment}`);
        expect(dep.status).to.equal(200);
        expect(dep.data.spec.template.spec.imagePullSecrets).to.equal(undefined);
        expect(dep.data.spec.template.spec.serviceAccountName).to.equal(undefined);
        expect(dep.data.spec.template.spec.containers.map((c: { image: string }) => c.image)).to.deep.equal([
            "us.icr.io/shop/web:1.2.3",
        ]);
        const pod = await until("the Deployment's pod", async () => {
            const pods = await cluster.api.get("/api/v1/namespaces/default/pods", {
                params: { labelSelector: "app=icr-default-example" },
            });
            return pods.data.items[0];
        });
        expect(pod.spec.imagePullSecrets).to.deep.equal(runbookNames.map((name) => ({ name })));

        // WHEN previewed again THEN nothing changes
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN destroyed THEN nothing of ours is left on the cluster or in IAM
        await stack.destroy();
        expect([...(await pullSecrets(cluster, "default")).keys()]).to.deep.equal([]);
        expect(await serviceAccountPullSecrets(cluster, "default")).to.deep.equal([]);
        expect(
            (await cluster.api.get(`/apis/apps/v1/namespaces/default/deployments/${deployment}`)).status,
        ).to.equal(404);
        expect(await identities(ACCOUNT_A, "exdef-")).to.deep.equal({
            serviceIds: [],
            apiKeys: [],
            policies: {},
            policyCount: 0,
        });
        expect(await loginAs(iam.url, key)).to.equal("400 BXNIM0415E");
    });

    it("multi-namespace: per-namespace regions, role and registry namespace, two namespaces sharing one identity", async function () {
        // GIVEN the example (its namespaces are in its code)
        const stack = await exampleStack("multi-namespace", { cluster: "exmul" });

        // WHEN deployed
        const up = await stack.up();
        expect(warnings(up)).to.deep.equal([]);
        const serviceIds = up.outputs.serviceIds.value as Record<string, string>;

        // THEN IAM holds one identity per namespace, one for the two that share, each scoped as declared
        expect(Object.keys(serviceIds).sort()).to.deep.equal(["shop", "team-a", "team-b"]);
        expect(await identities(ACCOUNT_A, "exmul-")).to.deep.equal({
            serviceIds: ["exmul-shop-id", "exmul-team-a-id", "exmul-team-b-id"],
            apiKeys: [
                "exmul-shop-key for exmul-shop-id",
                "exmul-team-a-key for exmul-team-a-id",
                "exmul-team-b-key for exmul-team-b-id",
            ],
            policies: {
                "exmul-team-a-id": ["Reader region=eu-de resourceType=namespace resource=team-a"],
                "exmul-team-b-id": ["Writer geography=global", "Writer region=us-south"],
                "exmul-shop-id": [
                    "Reader geography=global resourceType=namespace resource=shop",
                    "Reader region=eu-gb resourceType=namespace resource=shop",
                    "Reader region=us-south resourceType=namespace resource=shop",
                ],
            },
            policyCount: 6,
        });
        // and each created namespace holds secrets for exactly its domains, listed on its default account
        const expected: Record<string, { hosts: Record<string, string[]>; identity: string }> = {
            "team-a": { hosts: { "team-a-de-icr-io": ["de.icr.io"] }, identity: "team-a" },
            "team-b": {
                hosts: { "team-b-icr-io": ["icr.io"], "team-b-us-icr-io": ["us.icr.io"] },
                identity: "team-b",
            },
            "shop-web": {
                hosts: {
                    "shop-web-icr-io": ["icr.io"],
                    "shop-web-us-icr-io": ["us.icr.io"],
                    "shop-web-uk-icr-io": ["uk.icr.io"],
                },
                identity: "shop",
            },
            "shop-worker": {
                hosts: { "all-icr-io": ["icr.io", "us.icr.io", "uk.icr.io"] },
                identity: "shop",
            },
        };
        const outputs = up.outputs.namespaces.value as Record<
            string,
            { secretNames: string[]; serviceId: string; serviceAccounts: string[] }
        >;
        const keys: Record<string, string> = {};
        for (const [ns, want] of Object.entries(expected)) {
            const secrets = await pullSecrets(cluster, ns);
            expect(hostsOf(secrets), ns).to.deep.equal(want.hosts);
            const key = Object.values([...secrets.values()][0].auths)[0].password;
            for (const [, s] of secrets) {
                for (const entry of Object.values(s.auths)) expect(entry, ns).to.deep.equal(iamEntry(key));
            }
            expect(await loginAs(iam.url, key), ns).to.equal(
                `iam-${serviceIds[want.identity]} in ${ACCOUNT_A}`,
            );
            keys[ns] = key;
            expect(await serviceAccountPullSecrets(cluster, ns), ns).to.deep.equal(Object.keys(want.hosts));
            expect(outputs[ns], ns).to.deep.equal({
                secretNames: Object.keys(want.hosts),
                serviceId: serviceIds[want.identity],
                serviceAccounts: ["default"],
            });
        }
        // and the two shop namespaces pull with the one shared key
        expect(keys["shop-worker"]).to.equal(keys["shop-web"]);
        expect(new Set(Object.values(keys)).size).to.equal(3);

        // WHEN previewed again THEN nothing changes
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN destroyed THEN the namespaces it created and the identities are gone
        await stack.destroy();
        for (const ns of Object.keys(expected)) {
            expect((await cluster.api.get(`/api/v1/namespaces/${ns}`)).status, ns).to.equal(404);
        }
        expect((await identities(ACCOUNT_A, "exmul-")).serviceIds).to.deep.equal([]);
        expect((await iamWorld(iam.url, ACCOUNT_A)).apiKeys).to.deep.equal([]);
        expect((await iamWorld(iam.url, ACCOUNT_A)).policies).to.deep.equal([]);
    });

    it("pod-pull-secret: a Pod names one combined secret in spec.imagePullSecrets, and no service account is patched", async function () {
        // GIVEN the example, for an image in us.icr.io
        const stack = await exampleStack("pod-pull-secret", {
            cluster: "expod",
            image: "us.icr.io/shop/api:2.0",
        });

        // WHEN deployed
        const up = await stack.up();
        expect(warnings(up)).to.deep.equal([]);
        const key = up.outputs.apiKey.value as string;
        const serviceId = up.outputs.serviceId.value as string;

        // THEN `default` holds one secret, for exactly the image's domain, with the issued key
        const secrets = await pullSecrets(cluster, "default");
        expect(hostsOf(secrets)).to.deep.equal({ "icr-pull": ["us.icr.io"] });
        expect(secrets.get("icr-pull")!.auths["us.icr.io"]).to.deep.equal(iamEntry(key));
        expect(up.outputs.secretNames.value).to.deep.equal(["icr-pull"]);
        expect(await loginAs(iam.url, key)).to.equal(`iam-${serviceId} in ${ACCOUNT_A}`);
        expect(await identities(ACCOUNT_A, "expod-")).to.deep.equal({
            serviceIds: ["expod-default-id"],
            apiKeys: ["expod-default-key for expod-default-id"],
            policies: { "expod-default-id": ["Reader"] },
            policyCount: 1,
        });
        // and the Pod names it itself, while serviceaccount/default lists nothing
        const podName = up.outputs.podName.value as string;
        const pod = await cluster.api.get(`/api/v1/namespaces/default/pods/${podName}`);
        expect(pod.status).to.equal(200);
        expect(pod.data.spec.imagePullSecrets).to.deep.equal([{ name: "icr-pull" }]);
        expect(pod.data.spec.containers.map((c: { image: string }) => c.image)).to.deep.equal([
            "us.icr.io/shop/api:2.0",
        ]);
        expect(await serviceAccountPullSecrets(cluster, "default")).to.deep.equal([]);

        // WHEN previewed again THEN nothing changes
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN destroyed THEN the secret, the pod and the identity are gone
        await stack.destroy();
        expect([...(await pullSecrets(cluster, "default")).keys()]).to.deep.equal([]);
        expect((await cluster.api.get(`/api/v1/namespaces/default/pods/${podName}`)).status).to.equal(404);
        expect((await identities(ACCOUNT_A, "expod-")).serviceIds).to.deep.equal([]);
        expect((await iamWorld(iam.url, ACCOUNT_A)).apiKeys).to.deep.equal([]);
    });

    it("cross-account: the identity is made in the registry's account B with B's key, the stack's key being account A's", async function () {
        // GIVEN the stack's ibmcloud:apiKey is account A's, and the registry's key is account B's
        const stack = await exampleStack("cross-account", {
            cluster: "excross",
            registryNamespace: "partner-images",
            registryApiKey: { value: ADMIN_B, secret: true },
            registryIamEndpoint: iam.url,
        });

        // WHEN deployed
        const up = await stack.up();
        expect(warnings(up)).to.deep.equal([]);
        const key = up.outputs.apiKey.value as string;
        const serviceId = up.outputs.serviceId.value as string;

        // THEN account B holds the service ID, its policy and its key, and account A holds nothing
        expect(await identities(ACCOUNT_B, "excross-")).to.deep.equal({
            serviceIds: ["excross-default-id"],
            apiKeys: ["excross-default-key for excross-default-id"],
            policies: {
                "excross-default-id": [
                    "Reader region=us-south resourceType=namespace resource=partner-images",
                ],
            },
            policyCount: 1,
        });
        const a = await iamWorld(iam.url, ACCOUNT_A);
        expect([a.serviceIds, a.apiKeys, a.policies]).to.deep.equal([[], [], []]);
        // and the cluster's secret holds that key, which logs in to account B
        const secrets = await pullSecrets(cluster, "default");
        expect(hostsOf(secrets)).to.deep.equal({ "default-us-icr-io": ["us.icr.io"] });
        expect(secrets.get("default-us-icr-io")!.auths["us.icr.io"]).to.deep.equal(iamEntry(key));
        expect(await loginAs(iam.url, key)).to.equal(`iam-${serviceId} in ${ACCOUNT_B}`);
        expect(await serviceAccountPullSecrets(cluster, "default")).to.deep.equal(["default-us-icr-io"]);
        // and neither account's admin key nor the issued key is in state in plain text
        const state = stack.backendText();
        for (const secret of [ADMIN_A, ADMIN_B, key]) expect(state).not.to.contain(secret);

        // WHEN previewed again THEN nothing changes
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN destroyed THEN account B's identity and the cluster's secret are gone
        await stack.destroy();
        const b = await iamWorld(iam.url, ACCOUNT_B);
        expect([b.serviceIds, b.apiKeys, b.policies]).to.deep.equal([[], [], []]);
        expect([...(await pullSecrets(cluster, "default")).keys()]).to.deep.equal([]);
        expect(await serviceAccountPullSecrets(cluster, "default")).to.deep.equal([]);
    });

    it("other-registry: a private registry's secret and copies of a pull secret from default, re-copied when the source rotates", async function () {
        // GIVEN two existing namespaces, and a runbook pull secret in `default`
        await createNamespace("apps");
        await createNamespace("jobs");
        const source = (password: string) => ({
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "default-us-icr-io", namespace: "default" },
            type: DOCKER_CONFIG_JSON,
            data: { ".dockerconfigjson": dockerConfigJson({ "us.icr.io": iamEntry(password) }) },
        });
        const created = await cluster.api.post("/api/v1/namespaces/default/secrets", source("source-key-1"));
        expect(created.status).to.equal(201);
        const registryPassword = "robot-password-7c6b5a49";
        const stack = await exampleStack("other-registry", {
            namespaces: JSON.stringify(["apps", "jobs"]),
            registryServer: "https://registry.example.com:5000/",
            registryUsername: "robot",
            registryPassword: { value: registryPassword, secret: true },
            registryEmail: "robot@example.com",
            copySecrets: JSON.stringify(["default-us-icr-io"]),
        });

        // WHEN deployed
        const up = await stack.up();
        expect(warnings(up)).to.deep.equal([]);

        // THEN each namespace holds the registry's secret, named after the server, and the renamed copy
        const registryEntry = {
            username: "robot",
            password: registryPassword,
            email: "robot@example.com",
            auth: Buffer.from(`robot:${registryPassword}`).toString("base64"),
        };
        expect(up.outputs.registrySecretName.value).to.equal("registry-example-com-5000");
        expect(up.outputs.copiedSecretNames.value).to.deep.equal({
            apps: ["apps-us-icr-io"],
            jobs: ["jobs-us-icr-io"],
        });
        const before: Record<string, Map<string, PullSecret>> = {};
        for (const ns of ["apps", "jobs"]) {
            const secrets = await pullSecrets(cluster, ns);
            before[ns] = secrets;
            expect(hostsOf(secrets), ns).to.deep.equal({
                "registry-example-com-5000": ["registry.example.com:5000"],
                [`${ns}-us-icr-io`]: ["us.icr.io"],
            });
            expect(secrets.get("registry-example-com-5000")!.auths, ns).to.deep.equal({
                "registry.example.com:5000": registryEntry,
            });
            const copy = secrets.get(`${ns}-us-icr-io`)!;
            expect(copy.auths, ns).to.deep.equal({ "us.icr.io": iamEntry("source-key-1") });
            expect(copy.annotations["pulumi-icr-access/copied-from"]).to.equal("default/default-us-icr-io");
            // and the namespace's default account lists both (the two patches race: order is not fixed)
            expect((await serviceAccountPullSecrets(cluster, ns)).sort(), ns).to.deep.equal(
                [`${ns}-us-icr-io`, "registry-example-com-5000"].sort(),
            );
        }
        expect(up.outputs.serviceAccounts.value).to.deep.equal(["apps/default", "jobs/default"]);
        // and the source is untouched, and the password is not in state in plain text
        expect((await pullSecrets(cluster, "default")).get("default-us-icr-io")!.uid).to.equal(
            created.data.metadata.uid,
        );
        expect(await serviceAccountPullSecrets(cluster, "default")).to.deep.equal([]);
        expect(stack.backendText()).not.to.contain(registryPassword);

        // WHEN previewed again THEN nothing changes; the source is read again, as on every run
        const sourceRead = "read from-default-source-default-us-icr-io";
        expect(resourceChanges(await stack.preview()).map((s) => `${s.op} ${s.name}`)).to.deep.equal([
            sourceRead,
        ]);

        // WHEN the source is rotated behind the stack's back, and the stack is deployed again
        const current = await cluster.api.get("/api/v1/namespaces/default/secrets/default-us-icr-io");
        const rotated = await cluster.api.put("/api/v1/namespaces/default/secrets/default-us-icr-io", {
            ...source("source-key-2"),
            metadata: current.data.metadata,
        });
        expect(rotated.status).to.equal(200);
        const second = await stack.up();
        expect(warnings(second)).to.deep.equal([]);

        // THEN exactly the two copies are updated, in place, to the new key
        expect(
            resourceChanges(second)
                .map((s) => `${s.op} ${s.name}`)
                .sort(),
        ).to.deep.equal([
            sourceRead,
            "update from-default-apps-default-us-icr-io",
            "update from-default-jobs-default-us-icr-io",
        ]);
        for (const ns of ["apps", "jobs"]) {
            const copy = (await pullSecrets(cluster, ns)).get(`${ns}-us-icr-io`)!;
            expect(copy.auths, ns).to.deep.equal({ "us.icr.io": iamEntry("source-key-2") });
            expect(copy.uid, `${ns}: updated in place`).to.equal(before[ns].get(`${ns}-us-icr-io`)!.uid);
        }

        // WHEN destroyed THEN our secrets and entries are gone, and the source and namespaces stay
        await stack.destroy();
        for (const ns of ["apps", "jobs"]) {
            expect([...(await pullSecrets(cluster, ns)).keys()], ns).to.deep.equal([]);
            expect(await serviceAccountPullSecrets(cluster, ns), ns).to.deep.equal([]);
        }
        const sourceAfter = (await pullSecrets(cluster, "default")).get("default-us-icr-io")!;
        expect(sourceAfter.auths).to.deep.equal({ "us.icr.io": iamEntry("source-key-2") });
        for (const ns of ["apps", "jobs"]) await cluster.api.delete(`/api/v1/namespaces/${ns}`);
        await cluster.api.delete("/api/v1/namespaces/default/secrets/default-us-icr-io");
    });
});

describe("examples/per-cluster (the template of a user's per-cluster stacks)", function () {
    const readYaml = (...parts: string[]) =>
        parseYaml(fs.readFileSync(path.join(repoRoot, ...parts), "utf8")) as Record<string, unknown>;

    it("is the program the repository root's Pulumi.yaml runs, with the same settings", function () {
        const template = readYaml(PER_CLUSTER_PROGRAM, "Pulumi.yaml");
        const root = readYaml("Pulumi.yaml");
        expect(template.main).to.equal("index.ts");
        expect(root.main).to.equal(PER_CLUSTER_PROGRAM);
        expect({ ...root, main: template.main }).to.deep.equal(template);
    });

    it("is a program of its own that loads the library by its package name, as a copy of it does", function () {
        const manifest = JSON.parse(
            fs.readFileSync(path.join(repoRoot, PER_CLUSTER_PROGRAM, "package.json"), "utf8"),
        ) as { main: string; dependencies: Record<string, string> };
        expect(manifest.main).to.equal("index.ts");
        expect(Object.keys(manifest.dependencies)).to.include("pulumi-icr-access");
        const program = fs.readFileSync(path.join(repoRoot, PER_CLUSTER_PROGRAM, "index.ts"), "utf8");
        expect(program).to.match(/from "pulumi-icr-access";/);
        expect(program).not.to.match(/from "\.\.?\//);
    });
});
