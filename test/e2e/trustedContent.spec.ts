// Trusted content through the real engine against a real API server that has the test bed's
// Portieris CRDs (Portieris itself, the admission webhook, is not run): the objects accepted
// exactly as declared, the enforcement preview naming exactly the seeded workloads the set
// would deny (one shadowed by a namespace policy, one by an init container), bad patterns and
// unknown domains refused at preview naming the field, a hand edit found by refresh and undone
// by up, and destroy leaving the cluster's other policies in place.
import { expect } from "chai";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { LocalCluster } from "../bed/cluster";
import { installPortierisCrds } from "../bed/portierisCrds";
import { ProgramStack, PulumiSandbox, resourceChanges, RunResult } from "../bed/pulumi";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";
import { sharedCluster } from "../bed/sharedCluster";

const PROGRAM = "test/e2e/programs/trusted-content";
const ACCOUNT = "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0";
const ADMIN_KEY = "trusted-content-admin-key-7f6e5d";
const API = "/apis/portieris.cloud.ibm.com/v1";
const PUBLIC_KEY =
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBGVzdGtleQ==\n-----END PGP PUBLIC KEY BLOCK-----\n";

/** The set under test: team-a admits its own registry namespace only; other namespaces get a shared cluster policy. */
const SET = {
    namespaces: {
        "team-a": {
            repositories: [
                "de.icr.io/team-a/*",
                {
                    name: "de.icr.io/team-a/signed/*",
                    signedBy: [{ keySecret: "team-a-signing", publicKey: PUBLIC_KEY }],
                    mutateImage: false,
                },
            ],
        },
    },
    clusterPolicies: { "shared-images": { repositories: ["us.icr.io/shared/*"] } },
};

/** What the API server must hold for SET, field for field. */
const TEAM_A_SPEC = {
    repositories: [
        { name: "de.icr.io/team-a/*" },
        {
            name: "de.icr.io/team-a/signed/*",
            policy: {
                simple: {
                    requirements: [
                        { type: "signedBy", keySecret: "team-a-signing", keySecretNamespace: "team-a" },
                    ],
                },
                mutateImage: false,
            },
        },
    ],
};
const SHARED_SPEC = { repositories: [{ name: "us.icr.io/shared/*" }] };

/** The seeded workloads SET would deny, and no others. */
const EXPECTED_DENIED = [
    "Deployment team-a/tool",
    "Deployment team-a/web",
    "Job team-b/batch",
    "Pod team-b/debug",
    "ReplicationController team-b/legacy",
    "StatefulSet team-a/db",
];

type Container = { name: string; image: string };

/** The engine's info, warning and error diagnostics of a run: where the enforcement preview reports. */
const diagnostics = (r: RunResult | undefined): string =>
    (r?.events ?? [])
        .map((e) => e.diagnosticEvent)
        .filter((d) => d !== undefined && (d.severity as string) !== "debug")
        .map((d) => d!.message)
        .join("\n");
const podSpec = (containers: Container[], initContainers: Container[] = []) => ({
    containers,
    ...(initContainers.length > 0 ? { initContainers } : {}),
    restartPolicy: "Never",
});
const template = (app: string, containers: Container[], initContainers: Container[] = []) => ({
    metadata: { labels: { app } },
    spec: { ...podSpec(containers, initContainers), restartPolicy: "Always" },
});

describe("trusted content (Portieris policies and the enforcement preview)", function () {
    let cluster: LocalCluster;
    let sandbox: PulumiSandbox;
    let ibmPolicyVersion: string;
    let kubeSystemPolicyVersion: string;

    async function create(
        path: string,
        body: unknown,
    ): Promise<{ metadata: { resourceVersion: string; uid?: string } }> {
        const res = await cluster.api.post(path, body);
        expect(res.status, `POST ${path}: ${JSON.stringify(res.data)}`).to.equal(201);
        return res.data;
    }

    async function namespace(name: string): Promise<void> {
        await create("/api/v1/namespaces", { metadata: { name } });
        const deadline = Date.now() + 60_000;
        while ((await cluster.api.get(`/api/v1/namespaces/${name}/serviceaccounts/default`)).status !== 200) {
            if (Date.now() > deadline) throw new Error(`no default service account in ${name}`);
            await new Promise((r) => setTimeout(r, 200));
        }
    }

    before(async function () {
        cluster = await sharedCluster();
        await installPortierisCrds(cluster);
        sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath });

        // The IKS add-on's own policies, as a cluster with Container Image Security Enforcement has them.
        ibmPolicyVersion = (
            await create(`${API}/clusterimagepolicies`, {
                apiVersion: "portieris.cloud.ibm.com/v1",
                kind: "ClusterImagePolicy",
                metadata: { name: "ibm-signed-image-enforcement" },
                spec: { repositories: [{ name: "icr.io/ibm/*" }, { name: "icr.io/obs/*" }] },
            })
        ).metadata.resourceVersion;
        kubeSystemPolicyVersion = (
            await create(`${API}/namespaces/kube-system/imagepolicies`, {
                apiVersion: "portieris.cloud.ibm.com/v1",
                kind: "ImagePolicy",
                metadata: { name: "default", namespace: "kube-system" },
                spec: { repositories: [{ name: "*" }] },
            })
        ).metadata.resourceVersion;

        // Running workloads, written directly: no kubelet runs them, which the API server does not mind.
        await namespace("team-a");
        await namespace("team-b");
        const deployment = (ns: string, name: string, containers: Container[]) =>
            create(`/apis/apps/v1/namespaces/${ns}/deployments`, {
                metadata: { name },
                spec: { selector: { matchLabels: { app: name } }, template: template(name, containers) },
            });
        await deployment("team-a", "api", [{ name: "api", image: "de.icr.io/team-a/api:1.0" }]);
        await deployment("team-a", "signed-app", [{ name: "app", image: "de.icr.io/team-a/signed/app:2.1" }]);
        await deployment("team-a", "web", [{ name: "web", image: "us.icr.io/other/web:1.0" }]);
        await deployment("team-a", "tool", [{ name: "tool", image: "us.icr.io/shared/tool:1.0" }]);
        await create(`/apis/apps/v1/namespaces/team-a/statefulsets`, {
            metadata: { name: "db" },
            spec: {
                serviceName: "db",
                selector: { matchLabels: { app: "db" } },
                template: template(
                    "db",
                    [{ name: "db", image: "de.icr.io/team-a/db:15" }],
                    [{ name: "wait", image: "docker.io/library/busybox:1.36" }],
                ),
            },
        });
        await create(`/apis/batch/v1/namespaces/team-a/cronjobs`, {
            metadata: { name: "report" },
            spec: {
                schedule: "0 0 1 1 *",
                suspend: true,
                jobTemplate: {
                    spec: {
                        template: { spec: podSpec([{ name: "r", image: "de.icr.io/team-a/report:3" }]) },
                    },
                },
            },
        });
        await create(`/apis/apps/v1/namespaces/team-b/daemonsets`, {
            metadata: { name: "agent" },
            spec: {
                selector: { matchLabels: { app: "agent" } },
                template: template("agent", [{ name: "agent", image: "us.icr.io/shared/agent:1" }]),
            },
        });
        await create(`/apis/batch/v1/namespaces/team-b/jobs`, {
            metadata: { name: "batch" },
            spec: { template: { spec: podSpec([{ name: "batch", image: "quay.io/example/batch:1" }]) } },
        });
        await create(`/api/v1/namespaces/team-b/pods`, {
            metadata: { name: "debug" },
            spec: podSpec([{ name: "debug", image: "nginx:1.27" }]),
        });
        // A bare ReplicationController is judged (Portieris v0.14.2 pkg/kubernetes/podspec.go:72-79);
        // a Pod with any owner of a kind Portieris handles, controller or not, is not (podspec.go:221-225).
        const rc = await create(`/api/v1/namespaces/team-b/replicationcontrollers`, {
            metadata: { name: "legacy" },
            spec: {
                replicas: 0,
                selector: { app: "legacy" },
                template: template("legacy", [{ name: "legacy", image: "quay.io/example/legacy:1" }]),
            },
        });
        await create(`/api/v1/namespaces/team-b/pods`, {
            metadata: {
                name: "legacy-x",
                ownerReferences: [
                    {
                        apiVersion: "v1",
                        kind: "ReplicationController",
                        name: "legacy",
                        uid: (rc.metadata as { uid?: string }).uid,
                    },
                ],
            },
            spec: podSpec([{ name: "legacy", image: "quay.io/example/legacy:1" }]),
        });
        // Decided by the add-on's kube-system policy, which the set does not change: never reported.
        await create(`/api/v1/namespaces/kube-system/pods`, {
            metadata: { name: "coredns" },
            spec: podSpec([{ name: "coredns", image: "quay.io/coredns/coredns:1.11" }]),
        });
    });
    after(async function () {
        sandbox?.dispose();
        await cluster?.stop();
    });

    const stackWith = (name: string, args: unknown): Promise<ProgramStack> =>
        sandbox.stack(PROGRAM, name, { trustedContent: { value: JSON.stringify(args) } });

    /** The refusal's workloads, from its lines ` - Kind namespace/name: …`, and how often it was reported. */
    function refusedWorkloads(text: string): { count: number; named: string[]; reported: number } {
        const block =
            /would deny (\d+) running workload\(s\) at their next rollout:((?:\n[ \t]*- [^\n]*)+)/.exec(text);
        expect(block, text).not.to.equal(null);
        const named = block![2]
            .split("\n")
            .filter((l) => l.trim() !== "")
            .map((l) => /^[ \t]*- ([^:]+):/.exec(l)![1]);
        return {
            count: Number(block![1]),
            named,
            reported: text.split("these policies would deny").length - 1,
        };
    }

    async function failedPreview(stack: ProgramStack): Promise<string> {
        let failure: (Error & { result?: RunResult }) | undefined;
        try {
            await stack.preview();
        } catch (err) {
            failure = err as Error & { result?: RunResult };
        }
        expect(failure, "preview must fail").not.to.equal(undefined);
        return `${failure!.message}\n${failure!.result?.stdout ?? ""}\n${diagnostics(failure!.result)}`;
    }

    async function ourPolicies(): Promise<string[]> {
        const ns = (await cluster.api.get(`${API}/imagepolicies`)).data.items;
        const cl = (await cluster.api.get(`${API}/clusterimagepolicies`)).data.items;
        return [
            ...ns.map(
                (p: { metadata: { namespace: string; name: string } }) =>
                    `ImagePolicy ${p.metadata.namespace}/${p.metadata.name}`,
            ),
            ...cl.map((p: { metadata: { name: string } }) => `ClusterImagePolicy ${p.metadata.name}`),
        ].sort();
    }
    const THEIRS = ["ClusterImagePolicy ibm-signed-image-enforcement", "ImagePolicy kube-system/default"];

    describe("refuses at preview, naming the field, and creates nothing", function () {
        it("an unknown registry domain and a glob Portieris does not have", async function () {
            const text = await failedPreview(
                await stackWith("bad-patterns", {
                    namespaces: {
                        "team-a": {
                            repositories: ["fr.icr.io/team-a/*", "de.icr.io/team-a/app?", "quay.io/x/*"],
                        },
                    },
                }),
            );
            expect(text).to.match(
                /namespaces\.team-a\.repositories\[0\]: "fr\.icr\.io" is not an IBM Cloud Container Registry domain/,
            );
            expect(text).to.match(
                /namespaces\.team-a\.repositories\[1\]: .*Portieris's only wildcard is "\*"/,
            );
            expect(text).to.match(
                /namespaces\.team-a\.repositories\[2\]: "quay\.io" is not an IBM Cloud Container Registry domain.*add "quay\.io" to otherRegistries/,
            );
            expect(await ourPolicies()).to.deep.equal(THEIRS);
        });

        it("a signedBy key secret that does not exist", async function () {
            const text = await failedPreview(
                await stackWith("missing-key", {
                    namespaces: {
                        "team-a": {
                            repositories: ["de.icr.io/team-a/*"],
                            signedBy: [{ keySecret: "absent-key" }],
                            mutateImage: true,
                        },
                    },
                    allowDenyingRunningWorkloads: true,
                }),
            );
            expect(text).to.match(
                /namespaces\.team-a\.signedBy\[0\]\.keySecret: secret team-a\/absent-key does not exist/,
            );
            expect(await ourPolicies()).to.deep.equal(THEIRS);
        });

        it("a set that would deny running workloads, naming exactly those and the argument, and up writes nothing", async function () {
            const stack = await stackWith("refused", SET);
            let failure: (Error & { result?: RunResult }) | undefined;
            await stack.preview().catch((err: Error & { result?: RunResult }) => (failure = err));
            expect(failure, "preview must fail").not.to.equal(undefined);
            const text = `${failure!.message}\n${failure!.result?.stdout ?? ""}\n${diagnostics(failure!.result)}`;
            // One line per denied workload, as written: no serialization wrappers, and one error
            // diagnostic, not one per resource.
            const refused = refusedWorkloads(diagnostics(failure!.result));
            expect(refused.count).to.equal(EXPECTED_DENIED.length);
            expect(refused.named).to.deep.equal(EXPECTED_DENIED);
            expect(refused.reported, diagnostics(failure!.result)).to.equal(1);
            expect(text).not.to.contain("error serializing");
            expect(text).to.contain("set allowDenyingRunningWorkloads: true");
            expect(await ourPolicies()).to.deep.equal(THEIRS);

            // up is refused the same way, before any object or key secret is written.
            const up = await stack.up().then(
                () => "succeeded",
                (err: Error) => err.message,
            );
            expect(up).to.contain("would deny 6 running workload(s)");
            expect(up).not.to.contain("error serializing");
            expect(await ourPolicies()).to.deep.equal(THEIRS);
            expect(
                (await cluster.api.get("/api/v1/namespaces/team-a/secrets/team-a-signing")).status,
            ).to.equal(404);
        });
    });

    describe("applied", function () {
        it("previews the exact objects and the prediction, applies them as declared, finds a hand edit, and destroys only its own", async function () {
            const stack = await stackWith("applied", { ...SET, allowDenyingRunningWorkloads: true });

            // Preview: the report, with the reasons, and the objects exactly as they will be written.
            const preview = await stack.preview();
            const report = diagnostics(preview);
            expect(report).to.contain("a prediction from Portieris's pattern rules");
            expect(report).to.match(
                /would be denied: Deployment team-a\/tool container tool \(us\.icr\.io\/shared\/tool:1\.0\): shadowed by a namespace policy: ImagePolicy team-a\/trusted-images exists in team-a, so ClusterImagePolicy shared-images \(pattern "us\.icr\.io\/shared\/\*"\)/,
            );
            expect(report).to.contain(
                "would be denied: StatefulSet team-a/db init container wait (docker.io/library/busybox:1.36): no pattern of ImagePolicy team-a/trusted-images matches it",
            );
            expect(report).to.contain(
                'admitted by pattern: Deployment team-a/signed-app container app (de.icr.io/team-a/signed/app:2.1): ImagePolicy team-a/trusted-images pattern "de.icr.io/team-a/signed/*"; signature by the key in secret team-a/team-a-signing: decided by Portieris at admission',
            );
            expect(report).not.to.contain("kube-system/coredns");
            const planned = preview.events
                .map((e) => e.resourcePreEvent?.metadata)
                .filter(
                    (m) =>
                        m?.type === "kubernetes:portieris.cloud.ibm.com/v1:ImagePolicy" ||
                        m?.type === "kubernetes:portieris.cloud.ibm.com/v1:ClusterImagePolicy",
                );
            expect(planned.map((m) => m!.op)).to.deep.equal(["create", "create"]);
            const plannedSpecs = Object.fromEntries(
                planned.map((m) => [m!.type.split(":").pop(), m!.new?.inputs?.spec]),
            );
            expect(plannedSpecs).to.deep.equal({ ImagePolicy: TEAM_A_SPEC, ClusterImagePolicy: SHARED_SPEC });

            // Up: the API server accepts and stores exactly what was declared.
            const up = await stack.up();
            expect(up.outputs.denied.value).to.deep.equal(EXPECTED_DENIED);
            expect(up.outputs.policies.value).to.deep.equal({
                "ImagePolicy team-a/trusted-images": TEAM_A_SPEC,
                "ClusterImagePolicy shared-images": SHARED_SPEC,
            });
            const teamA = (await cluster.api.get(`${API}/namespaces/team-a/imagepolicies/trusted-images`))
                .data;
            expect(teamA.spec).to.deep.equal(TEAM_A_SPEC);
            expect(teamA.metadata.labels).to.include({
                "app.kubernetes.io/managed-by": "pulumi-icr-access",
                "icr-access.pulumi.com/owner": "bed-trusted-content.applied",
            });
            expect(
                (await cluster.api.get(`${API}/clusterimagepolicies/shared-images`)).data.spec,
            ).to.deep.equal(SHARED_SPEC);
            const key = (await cluster.api.get("/api/v1/namespaces/team-a/secrets/team-a-signing")).data;
            expect(Buffer.from(key.data.key, "base64").toString("utf8")).to.equal(PUBLIC_KEY);
            expect(await ourPolicies()).to.deep.equal(
                [...THEIRS, "ClusterImagePolicy shared-images", "ImagePolicy team-a/trusted-images"].sort(),
            );
            expect(resourceChanges(await stack.preview())).to.deep.equal([]);

            // Someone widens team-a's policy by hand: refresh takes it into state, and the next preview shows the way back.
            const patched = await cluster.api.patch(
                `${API}/namespaces/team-a/imagepolicies/trusted-images`,
                { spec: { repositories: [{ name: "*" }] } },
                { headers: { "Content-Type": "application/merge-patch+json" } },
            );
            expect(patched.status).to.equal(200);
            await stack.refresh();
            const inState = (await stack.resources()).find(
                (r) => r.type === "kubernetes:portieris.cloud.ibm.com/v1:ImagePolicy",
            );
            expect((inState!.outputs as { spec: unknown }).spec).to.deep.equal({
                repositories: [{ name: "*" }],
            });
            const back = resourceChanges(await stack.preview());
            expect(back.map((s) => [s.op, s.type])).to.deep.equal([
                ["update", "kubernetes:portieris.cloud.ibm.com/v1:ImagePolicy"],
            ]);
            await stack.up();
            expect(
                (await cluster.api.get(`${API}/namespaces/team-a/imagepolicies/trusted-images`)).data.spec,
            ).to.deep.equal(TEAM_A_SPEC);

            // Destroy: ours are gone; the add-on's are untouched.
            await stack.destroy();
            expect(await ourPolicies()).to.deep.equal(THEIRS);
            expect(
                (await cluster.api.get("/api/v1/namespaces/team-a/secrets/team-a-signing")).status,
            ).to.equal(404);
            expect(
                (await cluster.api.get(`${API}/clusterimagepolicies/ibm-signed-image-enforcement`)).data
                    .metadata.resourceVersion,
            ).to.equal(ibmPolicyVersion);
            expect(
                (await cluster.api.get(`${API}/namespaces/kube-system/imagepolicies/default`)).data.metadata
                    .resourceVersion,
            ).to.equal(kubeSystemPolicyVersion);
        });
    });

    describe("the example", function () {
        it("examples/trusted-content: its preview names the Deployment of another registry namespace as would be denied", async function () {
            await namespace("shop");
            const deployment = (name: string, image: string) =>
                create(`/apis/apps/v1/namespaces/shop/deployments`, {
                    metadata: { name },
                    spec: {
                        selector: { matchLabels: { app: name } },
                        template: template(name, [{ name: "app", image }]),
                    },
                });
            await deployment("storefront", "de.icr.io/shop/storefront:1.4");
            await deployment("legacy", "de.icr.io/other-team/legacy:0.9");
            const stack = await sandbox.stack("examples/trusted-content", "bed", {});

            const text = await failedPreview(stack);
            expect(text).to.contain(
                "would be denied: Deployment shop/legacy container app (de.icr.io/other-team/legacy:0.9): no pattern of ImagePolicy shop/trusted-images matches it",
            );
            expect(refusedWorkloads(text).named).to.deep.equal(["Deployment shop/legacy"]);
            expect(text).to.contain(
                "admitted by pattern: Deployment shop/storefront container app (de.icr.io/shop/storefront:1.4)",
            );

            await stack.setConfig({ allowDenyingRunningWorkloads: { value: "true" } });
            const up = await stack.up();
            expect(up.outputs.wouldBeDenied.value).to.deep.equal(["Deployment shop/legacy"]);
            expect(
                (await cluster.api.get(`${API}/namespaces/shop/imagepolicies/trusted-images`)).data.spec,
            ).to.deep.equal({
                repositories: [{ name: "de.icr.io/shop/*" }],
            });
            expect(resourceChanges(await stack.preview())).to.deep.equal([]);
            await stack.destroy();
            expect(await ourPolicies()).to.deep.equal(THEIRS);
        });
    });

    describe("ClusterRegistryAccess", function () {
        it("namespaces.<ns>.imagePolicy: the namespace's ImagePolicy admits exactly what it can pull, and goes with it", async function () {
            const iam: IamEmulator = await startIamEmulator({
                port: 0,
                accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }],
            });
            try {
                // team-c pulls only team-c's images from Frankfurt, and already runs one of them.
                await namespace("team-c");
                await create(`/apis/apps/v1/namespaces/team-c/deployments`, {
                    metadata: { name: "web" },
                    spec: {
                        selector: { matchLabels: { app: "web" } },
                        template: template("web", [{ name: "web", image: "de.icr.io/team-c/web:1" }]),
                    },
                });
                const namespaces = (imagePolicy: unknown) => ({
                    "icr-access:namespaces": {
                        value: JSON.stringify({
                            "team-c": {
                                regions: ["eu-de"],
                                includeGlobal: false,
                                registryNamespace: "team-c",
                                imagePolicy,
                            },
                        }),
                    },
                });
                const stack = await sandbox.stack(PER_CLUSTER_PROGRAM, "cra", {
                    "icr-access:cluster": { value: "cra" },
                    "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
                    "ibmcloud:apiKey": { value: ADMIN_KEY, secret: true },
                    "ibmcloud:iamEndpoint": { value: iam.url },
                    ...namespaces({ repositories: ["us.icr.io/team-c/*"] }),
                });

                // A pattern beyond the namespace's access is a warning, at preview.
                const preview = await stack.preview();
                expect(diagnostics(preview)).to.contain(
                    'namespaces.team-c.imagePolicy: the pattern "us.icr.io/team-c/*" admits images from us.icr.io, but the namespace has no pull access there',
                );

                await stack.setConfig(namespaces(true));
                const up = await stack.up();
                expect(diagnostics(up)).to.contain(
                    'admitted by pattern: Deployment team-c/web container web (de.icr.io/team-c/web:1): ImagePolicy team-c/trusted-images pattern "de.icr.io/team-c/*"',
                );
                const policy = (
                    await cluster.api.get(`${API}/namespaces/team-c/imagepolicies/trusted-images`)
                ).data;
                expect(policy.spec).to.deep.equal({ repositories: [{ name: "de.icr.io/team-c/*" }] });
                expect(resourceChanges(await stack.preview())).to.deep.equal([]);

                await stack.destroy();
                expect(
                    (await cluster.api.get(`${API}/namespaces/team-c/imagepolicies/trusted-images`)).status,
                ).to.equal(404);
                expect(await ourPolicies()).to.deep.equal(THEIRS);
            } finally {
                await iam.close();
            }
        });
    });
});
