// Two more runs of the per-cluster stack at the largest size, for goals the three programs'
// figures do not answer:
//   - a `preview` of a fresh stack whose namespaces each get a pull secret per regional domain
//     (no `regions`, `layout: perDomain`): the largest plan a cluster's stack makes;
//   - an `up` with PULUMI_SKIP_CHECKPOINTS=true, which makes the engine write state once at the
//     end instead of after every step (Pulumi CLI environment variables,
//     https://www.pulumi.com/docs/iac/cli/environment-variables/): faster, but an `up` killed on
//     the way leaves state that records nothing it made, so the next run meets those objects as
//     strangers. Measured, never the default.
import { ConfigMap } from "@pulumi/pulumi/automation";
import { resolveRegistryDomains } from "../../components/shared/registry/registryDomains";
import { PulumiSandbox } from "../bed/pulumi";
import { runPulumi } from "./pulumiCli";

/** The figures of the two runs. Times in seconds. */
export interface LargestSizeFigures {
    readonly namespaces: number;
    /** Regional domains (icr.io included) each namespace gets a secret for in the preview. */
    readonly domains: number;
    readonly allDomainsPreview: number;
    /** Resources the all-domains preview would create. */
    readonly allDomainsResources: number;
    readonly skipCheckpointsUp: number;
}

/** Every namespace with its own identity and one secret per regional domain. */
function allDomainsConfig(config: ConfigMap, namespaces: readonly string[]): ConfigMap {
    return {
        ...config,
        "icr-access:namespaces": {
            value: JSON.stringify(Object.fromEntries(namespaces.map((ns) => [ns, { layout: "perDomain" }]))),
        },
    };
}

export async function largestSizeRuns(
    sandboxEnv: Record<string, string>,
    programDir: string,
    namespaces: readonly string[],
    config: ConfigMap,
): Promise<LargestSizeFigures> {
    const n = namespaces.length;
    const sandbox = new PulumiSandbox(sandboxEnv);
    const quick = new PulumiSandbox({ ...sandboxEnv, PULUMI_SKIP_CHECKPOINTS: "true" });
    try {
        const wide = await sandbox.stack(programDir, `wide${n}`, allDomainsConfig(config, namespaces));
        const preview = await runPulumi(wide, "preview");
        await wide.stack.workspace.removeStack(`wide${n}`);

        const skip = await quick.stack(programDir, `skip${n}`, config);
        const up = await runPulumi(skip, "up");
        await runPulumi(skip, "destroy");
        await skip.stack.workspace.removeStack(`skip${n}`);
        return {
            namespaces: n,
            domains: resolveRegistryDomains({}).length,
            allDomainsPreview: preview.seconds,
            allDomainsResources: preview.changes.create ?? 0,
            skipCheckpointsUp: up.seconds,
        };
    } finally {
        sandbox.dispose();
        quick.dispose();
    }
}
