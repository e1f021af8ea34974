// Stacks written by earlier releases hold outputs on every NamespaceIdentity and
// NamespacePullSecrets component; this release registers them empty, so that the engine's
// whole-state write for each comes at construction (docs/performance.md, "Component outputs").
// Through the real engine: such a stack's first `up` shows no change, writes nothing to IAM or
// Kubernetes, and leaves the components' outputs empty.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { LocalCluster } from "../bed/cluster";
import { iamWorld } from "../bed/iamWorld";
import { PulumiSandbox, resourceChanges } from "../bed/pulumi";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";
import { sharedCluster } from "../bed/sharedCluster";

const ACCOUNT = "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0";
const ADMIN_KEY = "component-outputs-admin-key-9f8e7d";
const IDENTITY = "icr:iam:NamespaceIdentity";
const PULL_SECRETS = "icr:k8s:NamespacePullSecrets";
const NAMESPACES = ["co-shop", "co-web"];

/** A resource of `pulumi stack export`, as far as this test reads and edits it. */
interface ExportedResource {
    urn: string;
    type: string;
    id?: string;
    outputs?: Record<string, unknown>;
}

describe("state whose components stored their outputs", function () {
    let cluster: LocalCluster;
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        cluster = await sharedCluster();
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }] });
        sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath, IBMCLOUD_API_KEY: "" });
        for (const ns of NAMESPACES) await cluster.api.post("/api/v1/namespaces", { metadata: { name: ns } });
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    it("moves on the first up with no change shown and nothing written, and keeps no component outputs", async function () {
        const stack = await sandbox.stack(PER_CLUSTER_PROGRAM, "co", {
            "icr-access:cluster": { value: "co" },
            "icr-access:namespaces": {
                value: JSON.stringify(
                    Object.fromEntries(NAMESPACES.map((ns) => [ns, { regions: ["us-south"] }])),
                ),
            },
            "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
            "ibmcloud:apiKey": { value: ADMIN_KEY, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
        });
        await stack.up();

        // GIVEN the state an earlier release wrote: each component holds its outputs, the API
        // key among them as the same encrypted secret its ApiKey child holds.
        const exported = JSON.parse(await stack.exportText()) as {
            deployment: { resources: ExportedResource[] };
        };
        const resources = exported.deployment.resources;
        const child = (parent: string, type: string, suffix = "") =>
            resources.find((r) => r.type === type && r.urn.endsWith(`::${parent}${suffix}`));
        let edited = 0;
        for (const r of resources) {
            const name = r.urn.split("::").pop() as string;
            if (r.type === IDENTITY) {
                const serviceId = child(name, "pulumi-nodejs:dynamic/iam:ServiceId", "-id");
                const key = child(name, "pulumi-nodejs:dynamic/iam:ApiKey", "-key");
                expect(r.outputs ?? {}, `${name}: this release stores none`).to.deep.equal({});
                r.outputs = {
                    serviceIdId: serviceId?.id,
                    iamId: serviceId?.outputs?.iamId,
                    policyIds: resources
                        .filter(
                            (p) =>
                                p.type === "pulumi-nodejs:dynamic/iam:AccessPolicy" && p.urn.includes(name),
                        )
                        .map((p) => p.id),
                    apiKeyId: key?.id,
                    apiKey: key?.outputs?.apikey,
                };
                expect(r.outputs.apiKey, "the key's stored secret").to.have.property("ciphertext");
                edited++;
            } else if (r.type === PULL_SECRETS) {
                const namespace = name.slice("co-".length);
                expect(r.outputs ?? {}, `${name}: this release stores none`).to.deep.equal({});
                r.outputs = {
                    namespace,
                    domains: ["icr.io", "us.icr.io"],
                    secretNames: [`${namespace}-icr-io`, `${namespace}-us-icr-io`],
                    imagePullSecrets: [{ name: `${namespace}-icr-io` }, { name: `${namespace}-us-icr-io` }],
                    serviceAccounts: ["default"],
                };
                edited++;
            }
        }
        expect(edited, "two components per namespace").to.equal(2 * NAMESPACES.length);
        const file = path.join(sandbox.dir, "earlier-release.json");
        fs.writeFileSync(file, JSON.stringify(exported));
        await stack.cli(["stack", "import", "--file", file]);

        const before = await iamWorld(iam.url, ACCOUNT);
        const accountsBefore = await Promise.all(
            NAMESPACES.map((ns) => cluster.api.get(`/api/v1/namespaces/${ns}/serviceaccounts/default`)),
        );

        // WHEN this release previews and runs it
        expect(resourceChanges(await stack.preview()), "the preview shows no change").to.deep.equal([]);
        iam.resetLog();
        const up = await stack.up();

        // THEN nothing changed, nothing was written, and the stored outputs are gone
        expect(resourceChanges(up)).to.deep.equal([]);
        expect(iam.counters().writes, JSON.stringify(iam.requests())).to.equal(0);
        const after = await iamWorld(iam.url, ACCOUNT);
        expect(after.serviceIds.map((s) => s.id)).to.deep.equal(before.serviceIds.map((s) => s.id));
        expect(after.apiKeys.map((k) => k.id)).to.deep.equal(before.apiKeys.map((k) => k.id));
        for (const [i, ns] of NAMESPACES.entries()) {
            const sa = await cluster.api.get(`/api/v1/namespaces/${ns}/serviceaccounts/default`);
            expect(sa.data.metadata.resourceVersion, `${ns}/default was not written`).to.equal(
                accountsBefore[i].data.metadata.resourceVersion,
            );
        }
        const components = (await stack.resources()).filter(
            (r) => r.type === IDENTITY || r.type === PULL_SECRETS,
        );
        expect(components).to.have.length(2 * NAMESPACES.length);
        for (const c of components) expect(c.outputs ?? {}, c.urn).to.deep.equal({});
        expect(Object.keys(up.outputs.serviceIds.value as object).sort()).to.deep.equal(NAMESPACES);

        await stack.destroy();
        const gone = await iamWorld(iam.url, ACCOUNT);
        expect(gone.serviceIds).to.deep.equal([]);
        expect(gone.apiKeys).to.deep.equal([]);
    });
});
