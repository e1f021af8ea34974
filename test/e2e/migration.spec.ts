// The registry-token migration and the image report through the real engine, against a real
// kube-apiserver seeded the way a cluster made before 2019-02-25 looks: token secrets in
// default, kube-system and a team namespace (one in .dockercfg format), listed on the default
// service accounts next to other writers' entries, and workloads on the old domains.
import { expect } from "chai";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { LocalCluster } from "../bed/cluster";
import { loginAs } from "../bed/iamWorld";
import { pullSecrets, serviceAccountPullSecrets } from "../bed/kubeView";
import { ProgramStack, PulumiSandbox, resourceChanges, RunResult } from "../bed/pulumi";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";
import { sharedCluster } from "../bed/sharedCluster";

const ACCOUNT = "cccccccccccccccccccccccccccccccc";
const ADMIN = "admin-key-of-the-migration-account-4d2c";
const TOKEN = "registry-token-value-9f8e7d6c";

const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64");
const tokenEntry = { username: "token", password: TOKEN, email: "a@b.c", auth: b64(`token:${TOKEN}`) };

/** A token secret as IKS wrote it, in either format. */
function tokenSecret(name: string, hosts: string[], format: "json" | "cfg") {
    const auths = Object.fromEntries(hosts.map((h) => [h, tokenEntry]));
    return format === "json"
        ? {
              metadata: { name },
              type: "kubernetes.io/dockerconfigjson",
              data: { ".dockerconfigjson": b64({ auths }) },
          }
        : { metadata: { name }, type: "kubernetes.io/dockercfg", data: { ".dockercfg": b64(auths) } };
}

const podTemplate = (containers: Record<string, string>, init: Record<string, string> = {}) => ({
    metadata: { labels: { app: "x" } },
    spec: {
        initContainers: Object.entries(init).map(([name, image]) => ({ name, image })),
        containers: Object.entries(containers).map(([name, image]) => ({ name, image })),
    },
});

/** A Job's pod template: Jobs refuse the default restart policy. */
const onFailure = (t: ReturnType<typeof podTemplate>) => ({
    ...t,
    spec: { ...t.spec, restartPolicy: "OnFailure" },
});

describe("registry-token migration and the image report (the per-cluster stack)", function () {
    let cluster: LocalCluster;
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        cluster = await sharedCluster();
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN }] });
        sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath, IBMCLOUD_API_KEY: "" });
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    async function ok(res: Promise<{ status: number; data: unknown }>, what: string): Promise<void> {
        const r = await res;
        expect(r.status, `${what}: ${JSON.stringify(r.data).slice(0, 300)}`).to.be.oneOf([200, 201]);
    }

    async function defaultAccount(
        namespace: string,
    ): Promise<Record<string, unknown> & { metadata: Record<string, unknown> }> {
        const path = `/api/v1/namespaces/${namespace}/serviceaccounts/default`;
        const deadline = Date.now() + 60_000;
        let sa = await cluster.api.get(path);
        while (sa.status !== 200 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 200));
            sa = await cluster.api.get(path);
        }
        expect(sa.status, path).to.equal(200);
        return sa.data;
    }

    /** Token secrets in a namespace, listed on its default account after `before` and before `after`. */
    async function seedNamespace(
        namespace: string,
        secrets: ReturnType<typeof tokenSecret>[],
        listed: { before?: string[]; after?: string[] },
    ): Promise<void> {
        if ((await cluster.api.get(`/api/v1/namespaces/${namespace}`)).status === 404) {
            await ok(cluster.api.post("/api/v1/namespaces", { metadata: { name: namespace } }), namespace);
        }
        for (const s of secrets)
            await ok(cluster.api.post(`/api/v1/namespaces/${namespace}/secrets`, s), s.metadata.name);
        const sa = await defaultAccount(namespace);
        const names = [
            ...(listed.before ?? []),
            ...secrets.map((s) => s.metadata.name),
            ...(listed.after ?? []),
        ];
        await ok(
            cluster.api.put(`/api/v1/namespaces/${namespace}/serviceaccounts/default`, {
                ...sa,
                imagePullSecrets: names.map((name) => ({ name })),
            }),
            `${namespace}/default`,
        );
    }

    function stackFor(
        name: string,
        namespaces: Record<string, unknown>,
        migrate: unknown,
    ): Promise<ProgramStack> {
        return sandbox.stack(PER_CLUSTER_PROGRAM, name, {
            "icr-access:cluster": { value: name },
            "icr-access:namespaces": { value: JSON.stringify(namespaces) },
            "icr-access:migrateTokenSecrets": { value: JSON.stringify(migrate) },
            "icr-access:imageReport": { value: "true" },
            "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
            "ibmcloud:apiKey": { value: ADMIN, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
        });
    }

    /**
     * For each domain: whether the account lists a secret that exists, holds an `iamapikey`
     * credential for exactly that host, and whose key logs in to IAM in the registry's account;
     * else why not.
     */
    async function credentialsFor(
        namespace: string,
        account: string,
        domains: string[],
    ): Promise<Record<string, string>> {
        const listed = await serviceAccountPullSecrets(cluster, namespace, account);
        const out: Record<string, string> = {};
        for (const domain of domains) {
            out[domain] = `no listed, existing secret holds a credential for ${domain}`;
            for (const name of listed) {
                const s = await cluster.api.get(`/api/v1/namespaces/${namespace}/secrets/${name}`);
                if (s.status !== 200 || s.data.type !== "kubernetes.io/dockerconfigjson") continue;
                const auths = JSON.parse(
                    Buffer.from(s.data.data[".dockerconfigjson"], "base64").toString("utf8"),
                ).auths;
                const auth = auths?.[domain];
                if (auth === undefined) continue;
                const [user, key] = Buffer.from(auth.auth, "base64").toString("utf8").split(":");
                const login = user === "iamapikey" ? await loginAs(iam.url, key) : `user ${user}`;
                out[domain] = login.endsWith(` in ${ACCOUNT}`) ? "ok" : `${name}: ${login}`;
                if (out[domain] === "ok") break;
            }
        }
        return out;
    }

    /** The planned migration per namespace, from a preview's events: what each account loses, what it deletes. */
    function plannedMigrations(run: RunResult): Record<string, unknown> {
        const out: Record<string, unknown> = {};
        for (const e of run.events) {
            const m = e.resourcePreEvent?.metadata;
            if (m === undefined || !m.type.endsWith(":TokenSecretMigration")) continue;
            const inputs = (m.new?.inputs ?? {}) as Record<string, unknown>;
            out[inputs.namespace as string] = {
                op: m.op,
                serviceAccounts: inputs.serviceAccounts,
                deleteSecrets: inputs.deleteSecrets,
            };
        }
        return out;
    }

    /**
     * Whether a namespace's default account can pull from each domain: it lists a secret that
     * exists and holds credentials for the domain (the old token host or the new icr.io one).
     */
    async function pullsFrom(namespace: string, domains: string[]): Promise<Record<string, boolean>> {
        const listed = await serviceAccountPullSecrets(cluster, namespace);
        const hosts = new Set<string>();
        for (const name of listed) {
            const s = await cluster.api.get(`/api/v1/namespaces/${namespace}/secrets/${name}`);
            if (s.status !== 200) continue;
            const key = s.data.type === "kubernetes.io/dockercfg" ? ".dockercfg" : ".dockerconfigjson";
            const parsed = JSON.parse(Buffer.from(s.data.data[key], "base64").toString("utf8"));
            for (const h of Object.keys(key === ".dockercfg" ? parsed : parsed.auths)) hosts.add(h);
        }
        return Object.fromEntries(domains.map((d) => [d, hosts.has(d)]));
    }

    it("migrates an old cluster in one up, shown in preview, keeping other writers' entries; reports old images; deletes tokens only when asked", async function () {
        // GIVEN an old cluster: IKS's three token secrets in default and kube-system (the regional
        // one in .dockercfg format), a copy in shop, each listed on the default service account
        // next to another writer's entry
        const iks = (prefix: string) => [
            tokenSecret(`${prefix}`, ["registry.ng.bluemix.net"], "json"),
            tokenSecret(`${prefix}-regional`, ["registry.ng.bluemix.net"], "cfg"),
            tokenSecret(`${prefix}-international`, ["registry.bluemix.net"], "json"),
        ];
        await seedNamespace("default", iks("bluemix-default-secret"), { after: ["someone-else"] });
        // a second account in default that lists only the international token (icr.io)
        await ok(
            cluster.api.post("/api/v1/namespaces/default/serviceaccounts", {
                metadata: { name: "builder" },
                imagePullSecrets: [{ name: "bluemix-default-secret-international" }],
            }),
            "default/builder",
        );
        await seedNamespace("kube-system", iks("bluemix-default-secret"), {});
        await seedNamespace(
            "shop",
            [tokenSecret("bluemix-shop-secret-regional", ["registry.eu-gb.bluemix.net"], "json")],
            {
                before: ["team-pull"],
            },
        );
        // and workloads: on old domains (a container and an init container, a CronJob, a bare
        // Pod), on a covered icr.io domain, and on an icr.io domain shop has no secret for
        const skip = { "pulumi.com/skipAwait": "true" };
        await ok(
            cluster.api.post("/apis/apps/v1/namespaces/default/deployments", {
                metadata: { name: "legacy-web", annotations: skip },
                spec: {
                    selector: { matchLabels: { app: "x" } },
                    template: podTemplate(
                        { web: "registry.ng.bluemix.net/acme/web:1" },
                        { setup: "registry.bluemix.net/ibm/init:2" },
                    ),
                },
            }),
            "legacy-web",
        );
        await ok(
            cluster.api.post("/apis/apps/v1/namespaces/default/deployments", {
                metadata: { name: "current-web" },
                spec: {
                    selector: { matchLabels: { app: "x" } },
                    template: podTemplate({ web: "us.icr.io/acme/web:2" }),
                },
            }),
            "current-web",
        );
        await ok(
            cluster.api.post("/apis/batch/v1/namespaces/default/cronjobs", {
                metadata: { name: "legacy-report" },
                spec: {
                    schedule: "0 0 1 1 *",
                    jobTemplate: {
                        spec: {
                            template: onFailure(
                                podTemplate({ report: "registry.eu-gb.bluemix.net/acme/report:3" }),
                            ),
                        },
                    },
                },
            }),
            "legacy-report",
        );
        await ok(
            cluster.api.post("/api/v1/namespaces/shop/pods", {
                metadata: { name: "legacy-pod" },
                spec: { containers: [{ name: "shop", image: "registry.eu-gb.bluemix.net/acme/shop:1" }] },
            }),
            "legacy-pod",
        );
        await ok(
            cluster.api.post("/apis/apps/v1/namespaces/shop/statefulsets", {
                metadata: { name: "db" },
                spec: {
                    selector: { matchLabels: { app: "x" } },
                    serviceName: "db",
                    template: podTemplate({ db: "jp.icr.io/acme/db:1" }),
                },
            }),
            "db",
        );
        const stack = await stackFor(
            "old",
            { default: { regions: ["us-south"] }, shop: { regions: ["eu-de"] } },
            { kubeSystem: true },
        );

        // WHEN previewed
        const preview = await stack.preview();

        // THEN the preview shows, per namespace, exactly which token entries each account loses,
        // what replaces them, and that nothing is deleted
        const defaultTokens = [
            "bluemix-default-secret",
            "bluemix-default-secret-international",
            "bluemix-default-secret-regional",
        ];
        expect(plannedMigrations(preview)).to.deep.equal({
            default: {
                op: "create",
                serviceAccounts: [
                    {
                        name: "builder",
                        remove: ["bluemix-default-secret-international"],
                        replacements: ["default-icr-io", "default-us-icr-io"],
                    },
                    {
                        name: "default",
                        remove: defaultTokens,
                        replacements: ["default-icr-io", "default-us-icr-io"],
                    },
                ],
                deleteSecrets: [],
            },
            shop: {
                op: "create",
                // shop asked for eu-de; eu-gb is added, since its token served registry.eu-gb.bluemix.net
                serviceAccounts: [
                    {
                        name: "default",
                        remove: ["bluemix-shop-secret-regional"],
                        replacements: ["shop-icr-io", "shop-uk-icr-io", "shop-de-icr-io"],
                    },
                ],
                deleteSecrets: [],
            },
            "kube-system": {
                op: "create",
                serviceAccounts: [
                    {
                        name: "default",
                        remove: defaultTokens,
                        replacements: ["kube-system-icr-io", "kube-system-us-icr-io"],
                    },
                ],
                deleteSecrets: [],
            },
        });
        expect(preview.stdout).to.contain("bluemix-default-secret-regional");
        expect(preview.stdout).not.to.contain(TOKEN);
        // and changes nothing
        expect(await serviceAccountPullSecrets(cluster, "default")).to.deep.equal([
            ...iks("bluemix-default-secret").map((s) => s.metadata.name),
            "someone-else",
        ]);

        // WHEN deployed once
        const up = await stack.up();

        // THEN every account lists our API-key secrets instead of the tokens, other writers' entries kept
        expect(await serviceAccountPullSecrets(cluster, "default")).to.deep.equal([
            "someone-else",
            "default-icr-io",
            "default-us-icr-io",
        ]);
        expect(await serviceAccountPullSecrets(cluster, "kube-system")).to.deep.equal([
            "kube-system-icr-io",
            "kube-system-us-icr-io",
        ]);
        expect(await serviceAccountPullSecrets(cluster, "shop")).to.deep.equal([
            "team-pull",
            "shop-icr-io",
            "shop-uk-icr-io",
            "shop-de-icr-io",
        ]);
        // and the new secrets cover every domain the tokens served, with keys IAM accepts
        expect(await pullsFrom("default", ["us.icr.io", "icr.io"])).to.deep.equal({
            "us.icr.io": true,
            "icr.io": true,
        });
        expect(await pullsFrom("shop", ["uk.icr.io"])).to.deep.equal({ "uk.icr.io": true });
        const ks = await pullSecrets(cluster, "kube-system");
        const ksKey = ks.get("kube-system-us-icr-io")!.auths["us.icr.io"].password;
        expect(await loginAs(iam.url, ksKey)).to.match(new RegExp(` in ${ACCOUNT}$`));
        // and the token secrets themselves are still there (deleting was not asked for)
        for (const ns of ["default", "kube-system"]) {
            for (const name of defaultTokens) {
                expect(
                    (await cluster.api.get(`/api/v1/namespaces/${ns}/secrets/${name}`)).status,
                    `${ns}/${name}`,
                ).to.equal(200);
            }
        }
        // and the image report lists exactly the seeded workloads that need attention
        expect(up.outputs.imageReport.value).to.deep.equal([
            {
                namespace: "default",
                kind: "Deployment",
                workload: "legacy-web",
                container: "setup",
                init: true,
                image: "registry.bluemix.net/ibm/init:2",
                finding: "deprecatedDomain",
                replacement: "icr.io/ibm/init:2",
            },
            {
                namespace: "default",
                kind: "Deployment",
                workload: "legacy-web",
                container: "web",
                init: false,
                image: "registry.ng.bluemix.net/acme/web:1",
                finding: "deprecatedDomain",
                replacement: "us.icr.io/acme/web:1",
            },
            {
                namespace: "default",
                kind: "CronJob",
                workload: "legacy-report",
                container: "report",
                init: false,
                image: "registry.eu-gb.bluemix.net/acme/report:3",
                finding: "deprecatedDomain",
                replacement: "uk.icr.io/acme/report:3",
            },
            {
                namespace: "shop",
                kind: "StatefulSet",
                workload: "db",
                container: "db",
                init: false,
                image: "jp.icr.io/acme/db:1",
                finding: "noPullSecret",
            },
            {
                namespace: "shop",
                kind: "Pod",
                workload: "legacy-pod",
                container: "shop",
                init: false,
                image: "registry.eu-gb.bluemix.net/acme/shop:1",
                finding: "deprecatedDomain",
                replacement: "uk.icr.io/acme/shop:1",
            },
        ]);
        // and the report changed no workload
        const web = await cluster.api.get("/apis/apps/v1/namespaces/default/deployments/legacy-web");
        expect(web.data.spec.template.spec.containers[0].image).to.equal(
            "registry.ng.bluemix.net/acme/web:1",
        );
        expect(web.data.metadata.generation).to.equal(1);

        // WHEN previewed again THEN nothing changes
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN deleting the token secrets is asked for
        await stack.setConfig({
            "icr-access:migrateTokenSecrets": {
                value: JSON.stringify({ kubeSystem: true, deleteSecrets: true }),
            },
        });
        const review = await stack.preview();

        // THEN the preview names each secret to delete, and changes nothing else
        const planned = plannedMigrations(review) as Record<string, { op: string; deleteSecrets: string[] }>;
        expect(
            Object.fromEntries(Object.entries(planned).map(([ns, p]) => [ns, [p.op, p.deleteSecrets]])),
        ).to.deep.equal({
            default: ["update", defaultTokens],
            shop: ["update", ["bluemix-shop-secret-regional"]],
            "kube-system": ["update", defaultTokens],
        });
        expect(resourceChanges(review).map((s) => s.type.split(":").pop())).to.deep.equal([
            "TokenSecretMigration",
            "TokenSecretMigration",
            "TokenSecretMigration",
        ]);

        // WHEN deployed THEN the token secrets are gone, and the accounts unchanged
        await stack.up();
        for (const ns of ["default", "kube-system"]) {
            for (const name of defaultTokens) {
                expect(
                    (await cluster.api.get(`/api/v1/namespaces/${ns}/secrets/${name}`)).status,
                    `${ns}/${name}`,
                ).to.equal(404);
            }
        }
        expect(
            (await cluster.api.get(`/api/v1/namespaces/shop/secrets/bluemix-shop-secret-regional`)).status,
        ).to.equal(404);
        expect(await serviceAccountPullSecrets(cluster, "default")).to.deep.equal([
            "someone-else",
            "default-icr-io",
            "default-us-icr-io",
        ]);
        // and a later run plans the same migration: no change
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // Every account that listed a token, and each icr.io domain its tokens served.
        const tokenAccounts: [string, string, string[]][] = [
            ["default", "default", ["us.icr.io", "icr.io"]],
            ["default", "builder", ["icr.io"]],
            ["kube-system", "default", ["us.icr.io", "icr.io"]],
            ["shop", "default", ["uk.icr.io"]],
        ];
        const everyCredential = async () => {
            const out: Record<string, Record<string, string>> = {};
            for (const [ns, account, domains] of tokenAccounts)
                out[`${ns}/${account}`] = await credentialsFor(ns, account, domains);
            return out;
        };
        const allOk = Object.fromEntries(
            tokenAccounts.map(([ns, account, domains]) => [
                `${ns}/${account}`,
                Object.fromEntries(domains.map((d) => [d, "ok"])),
            ]),
        );
        expect(await everyCredential()).to.deep.equal(allOk);

        // WHEN the completed migration is switched off (the token secrets are gone already)
        await stack.setConfig({ "icr-access:migrateTokenSecrets": { value: "false" } });
        const off = await stack.preview();

        // THEN the preview changes no secret, account patch or identity: it only drops each
        // namespace's TokenSecretMigration, whose delete changes nothing on the cluster
        expect(
            resourceChanges(off)
                .map((c) => `${c.op} ${c.type.split(":").pop()} ${c.name}`)
                .sort(),
        ).to.deep.equal([
            "delete TokenSecretMigration old-default-token-migration",
            "delete TokenSecretMigration old-kube-system-token-migration",
            "delete TokenSecretMigration old-shop-token-migration",
        ]);
        // and says, per namespace, what it keeps and why
        const kept = off.events
            .map((e) => e.diagnosticEvent)
            .filter((d) => d?.severity === "info" && d.message.includes("keeps the API-key pull secrets"))
            .map((d) => d!.message.replace(/^.*?(migrateTokenSecrets|namespaces\.)/, "$1").trim())
            .sort();
        expect(kept).to.have.length(3);
        expect(kept.join("\n"))
            .to.contain("on kube-system/default")
            .and.contain("on default/builder, default/default");

        // WHEN deployed THEN every account that listed a token still pulls from each domain it served
        await stack.up();
        expect(await everyCredential()).to.deep.equal(allOk);
        expect(await serviceAccountPullSecrets(cluster, "default", "builder")).to.deep.equal([
            "default-icr-io",
            "default-us-icr-io",
        ]);
        // and the next run plans nothing
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN shop leaves the settings too
        await stack.setConfig({
            "icr-access:namespaces": { value: JSON.stringify({ default: { regions: ["us-south"] } }) },
        });
        const gone = await stack.preview();

        // THEN only what shop asked for itself goes (eu-de, icr.io); what replaced its token
        // (uk.icr.io: the secret, the key, the service ID, the eu-gb policy) stays
        const deleted = resourceChanges(gone)
            .filter((c) => c.op === "delete" || c.op === "replace")
            .map((c) => `${c.type.split(":").pop()} ${c.name}`)
            .sort();
        expect(deleted.filter((d) => /uk|key|ServiceId|eu-gb/.test(d))).to.deep.equal([]);
        await stack.up();
        expect(await everyCredential()).to.deep.equal(allOk);
        expect(await serviceAccountPullSecrets(cluster, "shop")).to.deep.equal([
            "team-pull",
            "shop-uk-icr-io",
        ]);

        // WHEN destroyed THEN our secrets and entries go, the other writers' stay, and no token comes back
        await stack.destroy();
        expect(await serviceAccountPullSecrets(cluster, "default")).to.deep.equal(["someone-else"]);
        expect(await serviceAccountPullSecrets(cluster, "shop")).to.deep.equal(["team-pull"]);
        expect(await serviceAccountPullSecrets(cluster, "kube-system")).to.deep.equal([]);
    });

    it("leaves every account able to pull when writing the replacement fails, and a rerun finishes the migration", async function () {
        // GIVEN a namespace whose account pulls with a token secret, and a ResourceQuota that
        // allows no further Secret in it, so that writing our replacement is refused
        const ns = "legacy";
        await seedNamespace(
            ns,
            [tokenSecret("bluemix-legacy-secret-regional", ["registry.ng.bluemix.net"], "cfg")],
            { after: ["someone-else"] },
        );
        const secretCount = (await cluster.api.get(`/api/v1/namespaces/${ns}/secrets`)).data.items.length;
        await ok(
            cluster.api.post(`/api/v1/namespaces/${ns}/resourcequotas`, {
                metadata: { name: "no-more-secrets" },
                spec: { hard: { secrets: String(secretCount) } },
            }),
            "quota",
        );
        // (the quota controller must have counted before admission enforces it)
        const deadline = Date.now() + 60_000;
        for (;;) {
            const q = await cluster.api.get(`/api/v1/namespaces/${ns}/resourcequotas/no-more-secrets`);
            if (q.data.status?.used?.secrets !== undefined) break;
            if (Date.now() > deadline) throw new Error("the quota controller never counted the secrets");
            await new Promise((r) => setTimeout(r, 250));
        }
        const stack = await stackFor("fault", { [ns]: { regions: ["us-south"] } }, true);

        // WHEN deployed
        let failure: Error | undefined;
        try {
            await stack.up();
        } catch (err) {
            failure = err as Error;
        }

        // THEN the up fails on the refused secret
        expect(failure, "up must fail").not.to.equal(undefined);
        expect(failure!.message, failure!.message.slice(-2000)).to.match(
            /exceeded quota|not removing "bluemix-legacy-secret-regional" yet/,
        );
        // and the account still lists the token secret and can pull from its domain
        expect(await serviceAccountPullSecrets(cluster, ns)).to.include("bluemix-legacy-secret-regional");
        expect(await pullsFrom(ns, ["registry.ng.bluemix.net"])).to.deep.equal({
            "registry.ng.bluemix.net": true,
        });
        expect((await defaultAccount(ns)).metadata.annotations ?? {}).not.to.have.property(
            "pulumi-icr-access/migrated-token-pull-secrets",
        );

        // WHEN the quota is lifted and the stack deployed again
        await ok(
            cluster.api.delete(`/api/v1/namespaces/${ns}/resourcequotas/no-more-secrets`),
            "delete quota",
        );
        await stack.up();

        // THEN the migration is finished: ours listed, the token entry gone, the other writer's kept
        expect(await serviceAccountPullSecrets(cluster, ns)).to.deep.equal([
            "someone-else",
            "legacy-icr-io",
            "legacy-us-icr-io",
        ]);
        expect(await pullsFrom(ns, ["us.icr.io"])).to.deep.equal({ "us.icr.io": true });
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);
        await stack.destroy();
    });
});
