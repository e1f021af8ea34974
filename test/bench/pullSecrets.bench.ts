// Benchmark of the per-cluster stack (examples/per-cluster) through the real Pulumi
// CLI and Node.js language host, against the local kube-apiserver and the IAM emulator, next
// to two programs run the same way at each size:
//   floor - the same resources, names, parents, dependencies and providers with none of our
//           code (programs/floor): what the engine costs for our shape;
//   bare  - one bare Secret per namespace (programs/bare-secrets): the simplest program.
// Per size and program: `up`, a second `up` that must change nothing, `preview`, state
// bytes; at the largest size, a preview with every regional domain and an `up` without
// checkpoints; then ratios, growth with the number of namespaces, and the goals as met / not met.
// Figures only; nothing here passes or fails on time.
//
//   npm run bench                           sizes 1, 10, 50, 200
//   npm run bench -- 1,10                   chosen sizes (or BENCH_NAMESPACES=1,10)
import { startIamEmulator } from "../../emulator";
import { startLocalCluster } from "../bed/cluster";
import { PulumiSandbox } from "../bed/pulumi";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";
import { callProbe } from "./callProbe";
import { growthAndGoals } from "./goals";
import { largestSizeRuns } from "./largestSizeRuns";
import { measureProgram } from "./measureProgram";
import { createNamespaces, namespaceNames } from "./namespaces";
import { runPulumi } from "./pulumiCli";
import { sizeDetails } from "./sizeDetails";
import { figuresOf, SizeResult } from "./sizeResult";
import { benchSizes } from "./sizes";
import { bareSecretsConfig, ClusterTarget, clusterStackConfig } from "./stackConfig";
import { shapeDifferences } from "./stateShape";
import { summaryTable } from "./summaryTable";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ADMIN_KEY = "bench-admin-key-0123456789abcdef";
const OURS = PER_CLUSTER_PROGRAM;
const FLOOR = "test/bench/programs/floor";
const BARE = "test/bench/programs/bare-secrets";

async function main(): Promise<void> {
    const sizes = benchSizes(process.argv.slice(2), process.env);
    console.log(`Namespace counts: ${sizes.join(", ")}`);
    const cluster = await startLocalCluster();
    const iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }] });
    const sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath });
    const target: ClusterTarget = {
        kubeconfig: cluster.kubeconfig,
        iamEndpoint: iam.url,
        adminKey: ADMIN_KEY,
    };
    const probe = callProbe(iam, cluster);
    const results: SizeResult[] = [];
    try {
        // One untimed up and destroy first, so that the first timed run does not alone pay for
        // loading the CLI, the plugins and the Node.js modules from disk.
        const warm = namespaceNames(1).map((ns) => `warmup-${ns}`);
        await createNamespaces(cluster, warm);
        const warmStack = await sandbox.stack(FLOOR, "warmup", clusterStackConfig(0, warm, target));
        await runPulumi(warmStack, "up");
        await runPulumi(warmStack, "destroy");
        await warmStack.stack.workspace.removeStack("warmup");

        for (const [i, n] of sizes.entries()) {
            const namespaces = namespaceNames(n);
            await createNamespaces(cluster, namespaces);
            // One stack name for the three: the file backend keeps stacks per project.
            const run = { sandbox, stackName: `n${n}`, namespaces, probe };
            const bare = await measureProgram({
                ...run,
                programDir: BARE,
                config: bareSecretsConfig(namespaces),
            });
            console.log(`  [${n}] bare done: up ${bare.up.seconds.toFixed(1)} s`);
            const clusterConfig = clusterStackConfig(n, namespaces, target);
            const floor = await measureProgram({ ...run, programDir: FLOOR, config: clusterConfig });
            console.log(`  [${n}] floor done: up ${floor.up.seconds.toFixed(1)} s`);
            const ours = await measureProgram({ ...run, programDir: OURS, config: clusterConfig });
            console.log(`  [${n}] ours done: up ${ours.up.seconds.toFixed(1)} s`);
            const measured = {
                namespaces: n,
                bare,
                floor,
                ours,
                shapeDifferences: shapeDifferences(ours.shape, floor.shape),
            };
            // Resource types once: they do not change with the number of namespaces.
            console.log(sizeDetails(measured, i === 0));
            results.push({
                namespaces: n,
                bare: figuresOf(bare),
                floor: figuresOf(floor),
                ours: figuresOf(ours),
            });
        }
        // At the largest size, with its namespaces still there: the widest preview, and up
        // without checkpoints (./largestSizeRuns.ts).
        const largestSize = sizes[sizes.length - 1];
        const largest = await largestSizeRuns(
            { KUBECONFIG: cluster.kubeconfigPath },
            OURS,
            namespaceNames(largestSize),
            clusterStackConfig(largestSize, namespaceNames(largestSize), target),
        );
        console.log(`\n${summaryTable(results)}\n\n${growthAndGoals(results, largest)}`);
    } finally {
        sandbox.dispose();
        await iam.close();
        await cluster.stop();
    }
}

main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
