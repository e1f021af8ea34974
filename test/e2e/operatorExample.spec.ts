// examples/operator, checked as far as it can be without the operator: the Stack's config keys
// are the ones the per-cluster program declares, and its RBAC, bound to a service account on
// the test bed's API server, is enough for a full up, a second preview and a destroy of the
// per-cluster stack run as that account; the API server's audit log shows every call granted
// and every grant used.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { LocalCluster, startLocalCluster } from "../bed/cluster";
import { serviceAccountPullSecrets } from "../bed/kubeView";
import { PulumiSandbox, resourceChanges } from "../bed/pulumi";
import { repoRoot } from "../bed/toolchain";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";

const ACCOUNT = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
const ADMIN = "admin-key-of-the-operator-account-2b9a";
const EXAMPLE = path.join(repoRoot, "examples", "operator");

interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
    [key: string]: unknown;
}

function manifests(file: string): K8sObject[] {
    return parseAllDocuments(fs.readFileSync(path.join(EXAMPLE, file), "utf8")).map(
        (d) => d.toJSON() as K8sObject,
    );
}

function stackManifest(): {
    config: Record<string, unknown>;
    secretsRef: Record<string, unknown>;
    serviceAccountName: string;
    namespace: string;
} {
    const stack = manifests("stack.yaml").find((o) => o.kind === "Stack")!;
    expect(stack.apiVersion).to.equal("pulumi.com/v1");
    const spec = stack.spec as Record<string, unknown>;
    return {
        config: spec.config as Record<string, unknown>,
        secretsRef: spec.secretsRef as Record<string, unknown>,
        serviceAccountName: spec.serviceAccountName as string,
        namespace: stack.metadata.namespace!,
    };
}

interface Rule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
}

describe("examples/operator", function () {
    it("sets exactly the config keys the per-cluster program declares, with its credentials from a Secret", function () {
        const project = parseYaml(
            fs.readFileSync(path.join(repoRoot, PER_CLUSTER_PROGRAM, "Pulumi.yaml"), "utf8"),
        ) as {
            config: Record<string, unknown>;
        };
        const { config, secretsRef, serviceAccountName, namespace } = stackManifest();
        const ours = (keys: string[]) => keys.filter((k) => k.startsWith("icr-access:")).sort();
        expect(ours([...Object.keys(config), ...Object.keys(secretsRef)])).to.deep.equal(
            ours(Object.keys(project.config)),
        );
        // The IAM key comes from the Secret, never inline; the other keys are the library's own.
        expect(Object.keys(secretsRef)).to.deep.equal(["ibmcloud:apiKey"]);
        expect(Object.keys(config).filter((k) => !k.startsWith("icr-access:"))).to.deep.equal([]);
        const secret = manifests("secrets.yaml").find((o) => o.kind === "Secret")!;
        const ref = secretsRef["ibmcloud:apiKey"] as { type: string; secret: { name: string; key: string } };
        expect(ref.type).to.equal("Secret");
        expect(ref.secret.name).to.equal(secret.metadata.name);
        expect(Object.keys(secret.stringData as object)).to.include(ref.secret.key);
        // and the service account it runs as is the one rbac.yaml binds
        const rbac = manifests("rbac.yaml");
        const sa = rbac.find((o) => o.kind === "ServiceAccount")!;
        expect([sa.metadata.namespace, sa.metadata.name]).to.deep.equal([namespace, serviceAccountName]);
    });

    describe("its RBAC, on the test bed's API server", function () {
        let cluster: LocalCluster;
        let iam: IamEmulator;
        let sandbox: PulumiSandbox;

        before(async function () {
            cluster = await startLocalCluster({
                apiServerArgs: (dir) => {
                    fs.writeFileSync(
                        path.join(dir, "audit-policy.yaml"),
                        "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n",
                    );
                    return [
                        `--audit-policy-file=${path.join(dir, "audit-policy.yaml")}`,
                        `--audit-log-path=${path.join(dir, "audit.log")}`,
                    ];
                },
            });
            iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN }] });
            sandbox = new PulumiSandbox({ IBMCLOUD_API_KEY: "" });
        });
        after(async function () {
            sandbox?.dispose();
            await iam?.close();
            await cluster?.stop();
        });

        const plural: Record<string, string> = {
            Namespace: "namespaces",
            ServiceAccount: "serviceaccounts",
            ClusterRole: "clusterroles",
            ClusterRoleBinding: "clusterrolebindings",
        };
        async function apply(o: K8sObject): Promise<void> {
            const base = o.apiVersion === "v1" ? "/api/v1" : `/apis/${o.apiVersion}`;
            const ns = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : "";
            const res = await cluster.api.post(`${base}${ns}/${plural[o.kind]}`, o);
            expect(
                res.status,
                `${o.kind} ${o.metadata.name}: ${JSON.stringify(res.data).slice(0, 200)}`,
            ).to.equal(201);
        }

        it("is enough for up, preview and destroy of the per-cluster stack run as its service account, and grants nothing unused", async function () {
            // GIVEN the example's RBAC applied, and a token for its service account from a TokenRequest
            const rbac = manifests("rbac.yaml");
            for (const o of rbac) await apply(o);
            const { config, serviceAccountName, namespace } = stackManifest();
            const tokenRes = await cluster.api.post(
                `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccountName}/token`,
                {
                    apiVersion: "authentication.k8s.io/v1",
                    kind: "TokenRequest",
                    spec: { expirationSeconds: 3600 },
                },
            );
            expect(tokenRes.status).to.equal(201);
            const kubeconfig = cluster.kubeconfig.replace(cluster.token, tokenRes.data.status.token);
            // and a cluster with what the config's options act on: a registry-token secret listed on
            // default's account, one in kube-system, a labelled namespace, and a workload on an old domain
            const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
            const token = (name: string) => ({
                metadata: { name },
                type: "kubernetes.io/dockerconfigjson",
                data: {
                    ".dockerconfigjson": b64({
                        auths: {
                            "registry.ng.bluemix.net": {
                                username: "token",
                                password: "t0ken",
                                auth: Buffer.from("token:t0ken").toString("base64"),
                            },
                        },
                    }),
                },
            });
            for (const ns of ["default", "kube-system"]) {
                expect(
                    (
                        await cluster.api.post(
                            `/api/v1/namespaces/${ns}/secrets`,
                            token("bluemix-default-secret"),
                        )
                    ).status,
                ).to.equal(201);
                let sa = await cluster.api.get(`/api/v1/namespaces/${ns}/serviceaccounts/default`);
                for (let i = 0; sa.status !== 200 && i < 300; i++) {
                    await new Promise((r) => setTimeout(r, 200));
                    sa = await cluster.api.get(`/api/v1/namespaces/${ns}/serviceaccounts/default`);
                }
                const put = await cluster.api.put(`/api/v1/namespaces/${ns}/serviceaccounts/default`, {
                    ...sa.data,
                    imagePullSecrets: [{ name: "bluemix-default-secret" }],
                });
                expect(put.status).to.equal(200);
            }
            expect(
                (
                    await cluster.api.post("/api/v1/namespaces", {
                        metadata: { name: "team-a", labels: { "icr-access": "enabled" } },
                    })
                ).status,
            ).to.equal(201);
            expect(
                (
                    await cluster.api.post("/apis/apps/v1/namespaces/default/deployments", {
                        metadata: { name: "legacy" },
                        spec: {
                            selector: { matchLabels: { app: "legacy" } },
                            template: {
                                metadata: { labels: { app: "legacy" } },
                                spec: { containers: [{ name: "c", image: "registry.ng.bluemix.net/a/b:1" }] },
                            },
                        },
                    })
                ).status,
            ).to.equal(201);

            // WHEN the per-cluster stack runs with the manifest's config as that service account
            const stackConfig: Record<string, { value: string; secret?: boolean }> = Object.fromEntries(
                Object.entries(config).map(([k, v]) => [
                    k,
                    { value: typeof v === "string" ? v : JSON.stringify(v) },
                ]),
            );
            const stack = await sandbox.stack(PER_CLUSTER_PROGRAM, "operator", {
                ...stackConfig,
                "icr-access:kubeconfig": { value: kubeconfig, secret: true },
                "ibmcloud:apiKey": { value: ADMIN, secret: true },
                "ibmcloud:iamEndpoint": { value: iam.url },
            });
            const up = await stack.up();

            // THEN it migrates, covers the selected namespace and reports the old image
            expect(await serviceAccountPullSecrets(cluster, "default")).to.deep.equal([
                "default-icr-io",
                "default-us-icr-io",
            ]);
            // (kube-system gets the one region its token served)
            expect(await serviceAccountPullSecrets(cluster, "kube-system")).to.deep.equal([
                "kube-system-us-icr-io",
            ]);
            expect(await serviceAccountPullSecrets(cluster, "team-a")).to.deep.equal([
                "team-a-icr-io",
                "team-a-us-icr-io",
                "team-a-de-icr-io",
            ]);
            expect(
                (up.outputs.imageReport.value as { workload: string }[]).map((r) => r.workload),
            ).to.deep.equal(["legacy"]);
            // and a second run changes nothing, and destroy completes
            expect(resourceChanges(await stack.preview())).to.deep.equal([]);
            await stack.destroy();
            expect(await serviceAccountPullSecrets(cluster, "team-a")).to.deep.equal([]);

            // THEN, by the audit log: every call the program made as the account was allowed, and
            // every verb the role grants was used
            const user = `system:serviceaccount:${namespace}:${serviceAccountName}`;
            const events = fs
                .readFileSync(path.join(cluster.dir, "audit.log"), "utf8")
                .split("\n")
                .filter((l) => l !== "")
                .map(
                    (l) =>
                        JSON.parse(l) as {
                            user: { username: string };
                            verb: string;
                            stage: string;
                            objectRef?: { apiGroup?: string; resource?: string; subresource?: string };
                            responseStatus?: { code?: number };
                        },
                )
                .filter(
                    (e) =>
                        e.user.username === user &&
                        e.stage === "ResponseComplete" &&
                        e.objectRef?.resource !== undefined,
                );
            const call = (group: string | undefined, resource: string, verb: string) =>
                `${group || "core"}/${resource} ${verb}`;
            // A server-side apply that creates is audited as patch (201) and authorized as create too.
            const used = [
                ...new Set(
                    events.flatMap((e) => {
                        const r = e.objectRef!;
                        const resource = r.resource! + (r.subresource ? `/${r.subresource}` : "");
                        const made = e.verb === "patch" && e.responseStatus?.code === 201;
                        return [
                            call(r.apiGroup, resource, e.verb),
                            ...(made ? [call(r.apiGroup, resource, "create")] : []),
                        ];
                    }),
                ),
            ].sort();
            const denied = events
                .filter((e) => e.responseStatus?.code === 403)
                .map((e) => call(e.objectRef!.apiGroup, e.objectRef!.resource!, e.verb));
            const role = rbac.find((o) => o.kind === "ClusterRole")!;
            const granted = (role.rules as Rule[])
                .flatMap((r) =>
                    r.apiGroups.flatMap((g) =>
                        r.resources.flatMap((res) => r.verbs.map((v) => call(g, res, v))),
                    ),
                )
                .sort();
            process.stdout.write(`      calls made as ${user}: ${used.join(", ")}\n`);
            expect(denied, "calls refused").to.deep.equal([]);
            expect(
                used.filter((c) => !granted.includes(c)),
                "calls made but not granted",
            ).to.deep.equal([]);
            expect(
                granted.filter((g) => !used.includes(g)),
                "grants never used",
            ).to.deep.equal([]);
        });
    });
});
