// Runs the enforcement preview at program time, in `pulumi preview` and `pulumi up` alike:
// reads the live cluster once the kubeconfig is known, predicts what the declared policy set
// would deny, shows the report, checks that the `signedBy` key secrets that must exist do, and
// refuses a set that denies running workloads unless the user allowed it explicitly. The
// policy objects wait for this check, so a refused set creates nothing.
import * as pulumi from "@pulumi/pulumi";
import { joinProblems } from "../shared/k8sNames";
import { connect, keySecretState, readClusterSnapshot } from "./clusterSnapshot";
import {
    buildEnforcementReport,
    denialDetails,
    denialRefusal,
    EnforcementReport,
    formatEnforcementReport,
} from "./enforcementReport";
import { PolicyObject, PORTIERIS_API_VERSION } from "./types";

/** Where the preview reads the cluster, and whether denials are accepted. */
export interface EnforcementOptions {
    /**
     * Kubeconfig of the cluster (YAML text). Read at program time for the enforcement preview;
     * while it is unknown (a cluster made by the same program), the preview runs at `up`.
     * @default - the stack's `kubernetes:kubeconfig`, else `KUBECONFIG`, else `~/.kube/config`
     */
    readonly kubeconfig?: pulumi.Input<string>;
    /**
     * Kubeconfig context.
     * @default - the stack's `kubernetes:context`, else the kubeconfig's current-context
     */
    readonly context?: string;
    /**
     * Apply the policies even though the preview predicts that they deny running workloads
     * (which then fail at their next rollout or restart).
     * @default false - such a set is refused, naming the workloads
     */
    readonly allowDenyingRunningWorkloads?: boolean;
}

/** A key secret a `signedBy` requirement names and expects to exist, and the field that names it. */
export interface ExpectedKeySecret {
    readonly field: string;
    readonly namespace: string;
    readonly name: string;
}

/** A label value naming this stack: `<project>.<stack>`, cut to what a label value may hold. */
export function ownerLabelValue(project: string, stack: string): string {
    return `${project}.${stack}`
        .replace(/[^A-Za-z0-9._-]+/g, "-")
        .slice(0, 63)
        .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/** This stack's owner label value. */
export function stackOwner(): string {
    return ownerLabelValue(pulumi.getProject(), pulumi.getStack());
}

/** What the preview decided: the report, and the error that refuses the set, if any. */
interface GateOutcome {
    readonly report?: EnforcementReport;
    readonly refusal?: string;
}

/** The gate of a policy set: what the objects wait for, and the report to show. */
export interface EnforcementGate {
    /**
     * Resolves to the report when the set may be applied; rejects with an error naming the
     * problem (and `allowField` for denied workloads) otherwise. The policy objects and key
     * secrets depend on it (`dependsOn`, not a property, so that the error reaches the user
     * once and as written), so a refused set writes nothing.
     */
    readonly admitted: pulumi.Output<EnforcementReport>;
    /**
     * The report, also for a refused set (empty when the cluster could not be read). It never
     * rejects: a stack output of a failed Output makes the engine wait about a minute before
     * it reports the failure.
     */
    readonly report: pulumi.Output<EnforcementReport>;
}

/**
 * Runs the preview for `declared` once the kubeconfig is known.
 * @param who `Type name`, the start of every message
 */
export function enforcementGate(
    component: pulumi.Resource,
    who: string,
    declared: readonly PolicyObject[],
    expectedKeys: readonly ExpectedKeySecret[],
    options: EnforcementOptions,
    allowField: string,
): EnforcementGate {
    const stackKubernetes = new pulumi.Config("kubernetes");
    const given = options.kubeconfig !== undefined;
    const kubeconfig: pulumi.Output<string | undefined> =
        options.kubeconfig !== undefined
            ? pulumi.output(options.kubeconfig)
            : (stackKubernetes.getSecret("kubeconfig") ?? pulumi.output(undefined));
    const stackContext = stackKubernetes.get("context");
    const owner = stackOwner();
    const outcome = kubeconfig.apply(async (text): Promise<GateOutcome> => {
        let snapshot;
        let client;
        try {
            client = await connect(
                given
                    ? { kubeconfig: text, context: options.context }
                    : { stackKubeconfig: text, context: options.context, stackContext },
            );
            snapshot = await readClusterSnapshot(client);
        } catch (err) {
            return {
                refusal:
                    `${who}: the enforcement preview could not read the cluster's workloads and policies: ` +
                    `${(err as Error).message}`,
            };
        }
        if (!snapshot.portierisServed) {
            return {
                refusal:
                    `${who}: the cluster does not serve ${PORTIERIS_API_VERSION} (ImagePolicy, ClusterImagePolicy), so Portieris ` +
                    `is not installed and the policies cannot be written. On IBM Cloud Kubernetes Service, enable Container ` +
                    `Image Security Enforcement first: ibmcloud ks cluster image-security enable --cluster <name>.`,
            };
        }
        const problems: string[] = [];
        for (const k of expectedKeys) {
            const state = await keySecretState(client, k.namespace, k.name);
            if (state === "missing") {
                problems.push(
                    `${k.field}: secret ${k.namespace}/${k.name} does not exist, so Portieris would deny every image ` +
                        `the pattern matches. Create it with the armoured public key under "key", or give "publicKey" to have it created.`,
                );
            } else if (state === "no-key") {
                problems.push(
                    `${k.field}: secret ${k.namespace}/${k.name} has no data key "key", where Portieris reads the public key.`,
                );
            }
        }
        const report = buildEnforcementReport(snapshot, declared, owner);
        if (problems.length > 0) return { report, refusal: `${who}: ${joinProblems(problems)}` };
        pulumi.log.info(formatEnforcementReport(report), component);
        const denial = denialRefusal(report, allowField);
        if (denial !== undefined) {
            if (options.allowDenyingRunningWorkloads !== true)
                return { report, refusal: `${who}: ${denial}` };
            pulumi.log.warn(
                `${who}: applied with ${allowField}: true although ${report.denied.length} running workload(s) would be ` +
                    `denied at their next rollout:\n - ${denialDetails(report).join("\n - ")}`,
                component,
            );
        }
        return { report };
    });
    // The report names workloads and images, nothing secret; the kubeconfig it came from is.
    const plain = pulumi.unsecret(outcome);
    return {
        admitted: plain.apply((o) => {
            if (o.refusal !== undefined) throw new pulumi.ResourceError(o.refusal, component, true);
            return o.report!;
        }),
        report: plain.apply((o) => o.report ?? { namespaces: [], denied: [] }),
    };
}
