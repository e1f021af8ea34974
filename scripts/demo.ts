// Deploys the per-cluster stack (the template in examples/per-cluster, stack `local`,
// config in its Pulumi.local.yaml) against the embedded defaults: a real kube-apiserver
// on loopback and the IAM emulator. Shows what was created, then runs a second
// `pulumi preview`, which must report no changes.
//
//   npm run demo             deploy, show, preview, then stop everything
//   npm run demo -- --keep   leave the cluster and the emulator running until Ctrl-C
import { randomBytes } from "crypto";
import { formatImageReport, ImageReportRow } from "../components/coverage/imageReport";
import { startIamEmulator } from "../emulator";
import { startLocalCluster } from "../test/bed/cluster";
import { iamWorld } from "../test/bed/iamWorld";
import { PulumiSandbox } from "../test/bed/pulumi";
import { PER_CLUSTER_PROGRAM } from "../test/bed/perClusterProgram";

const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";

async function main(): Promise<void> {
    const keep = process.argv.includes("--keep");
    const adminKey = randomBytes(24).toString("base64url");

    console.log(
        "Starting a local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager)...",
    );
    const cluster = await startLocalCluster();
    console.log(`  API server: ${cluster.server}`);
    const iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT_ID, apiKey: adminKey }] });
    console.log(`  IAM emulator: ${iam.url} (account ${ACCOUNT_ID})`);
    const sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath });
    const stop = async (): Promise<void> => {
        sandbox.dispose();
        await iam.close();
        await cluster.stop();
    };
    try {
        const stack = await sandbox.stack(PER_CLUSTER_PROGRAM, "local", {
            "ibmcloud:apiKey": { value: adminKey, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
            "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
            "icr-access:imageReport": { value: "true" },
        });

        // A workload as an old cluster runs it: an image on a deprecated registry.*.bluemix.net
        // domain, and an init container on an icr.io domain the namespace gets no secret for.
        await cluster.api.post("/apis/apps/v1/namespaces/default/deployments", {
            metadata: { name: "legacy-web" },
            spec: {
                selector: { matchLabels: { app: "legacy-web" } },
                template: {
                    metadata: { labels: { app: "legacy-web" } },
                    spec: {
                        initContainers: [{ name: "migrate", image: "jp.icr.io/acme/migrate:1" }],
                        containers: [{ name: "web", image: "registry.ng.bluemix.net/acme/web:1.4" }],
                    },
                },
            },
        });

        console.log("\n$ pulumi up (stack local)\n");
        const up = await stack.up({ print: true });
        console.log("\nWhat is on the cluster now:");
        const namespaces = Object.keys((up.outputs.namespaces?.value ?? {}) as Record<string, unknown>);
        for (const ns of namespaces) {
            const secrets = await cluster.api.get(`/api/v1/namespaces/${ns}/secrets`);
            const pull = (secrets.data.items as { metadata: { name: string }; type: string }[])
                .filter((s) => s.type === "kubernetes.io/dockerconfigjson")
                .map((s) => s.metadata.name);
            const sa = await cluster.api.get(`/api/v1/namespaces/${ns}/serviceaccounts/default`);
            const listed = ((sa.data.imagePullSecrets ?? []) as { name: string }[]).map((e) => e.name);
            console.log(`  namespace ${ns}`);
            console.log(`    pull secrets:                      ${pull.join(", ")}`);
            console.log(`    serviceaccount/default pulls with: ${listed.join(", ")}`);
        }
        const account = await iamWorld(iam.url, ACCOUNT_ID);
        console.log("\nWhat is in IAM (the emulator) now:");
        console.log(`  service IDs: ${account.serviceIds.map((s) => s.name).join(", ")}`);
        console.log(`  API keys:    ${account.apiKeys.map((k) => k.name).join(", ")}`);
        console.log(`  policies:    ${account.policies.length}`);
        // The keyExpiries output: when each identity's key stops working (icr-access:keyLifetime).
        const expiries = Object.entries((up.outputs.keyExpiries?.value ?? {}) as Record<string, string>);
        console.log(`  key expiries: ${expiries.map(([id, at]) => `${id} ${at}`).join(", ") || "none"}`);

        console.log("\nImages to move (the imageReport output; nothing was changed):\n");
        const report = (up.outputs.imageReport?.value ?? []) as ImageReportRow[];
        console.log(formatImageReport(report).replace(/^/gm, "  "));

        console.log("\n$ pulumi preview (again)\n");
        const preview = await stack.preview({ print: true });
        const changed = preview.steps.filter((s) => !s.type.startsWith("pulumi:providers:"));
        if (changed.length > 0) {
            throw new Error(
                `the second preview reports changes: ${changed.map((s) => `${s.op} ${s.urn}`).join(", ")}`,
            );
        }
        console.log("The second preview reports no changes.");
        if (keep) {
            console.log(
                `\nKUBECONFIG=${cluster.kubeconfigPath}; IAM emulator at ${iam.url}. Ctrl-C stops everything.`,
            );
            await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
        }
    } finally {
        await stop();
    }
}

main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
