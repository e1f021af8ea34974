// TrustedContent: a cluster's whole set of Portieris image policies, declared together, so that
// the enforcement preview judges the set as it will be after `up`: per namespace an
// ImagePolicy ("in this namespace only these images may run"), and cluster-wide
// ClusterImagePolicy objects for namespaces without one. The objects wait for the preview; a
// set that would deny running workloads is refused unless `allowDenyingRunningWorkloads`.
import * as pulumi from "@pulumi/pulumi";
import { joinProblems } from "../shared/k8sNames";
import { EnforcementReport } from "./enforcementReport";
import { enforcementGate, EnforcementOptions, ExpectedKeySecret, stackOwner } from "./enforcementPreview";
import { checkDeclaration, existingKeySecrets, ImageRules } from "./policyRules";
import { declarePolicyResource, PolicyDeclaration, policyObjectOf } from "./policyResource";
import { CLUSTER_IMAGE_POLICY_KIND, describePolicyObject, IMAGE_POLICY_KIND, ImagePolicySpec } from "./types";

/** The default name of a namespace's ImagePolicy. */
export const DEFAULT_IMAGE_POLICY_NAME = "trusted-images";

/** What one namespace may run. */
export interface NamespaceImageRules extends ImageRules {
    /**
     * Name of the ImagePolicy object.
     * @default "trusted-images"
     */
    readonly policyName?: string;
}

/** Arguments of {@link TrustedContent}. */
export interface TrustedContentArgs extends EnforcementOptions {
    /**
     * Per Kubernetes namespace, the images that may run there (one ImagePolicy each). While a
     * namespace has an ImagePolicy, Portieris consults no ClusterImagePolicy for it.
     * @default - none
     */
    readonly namespaces?: Record<string, NamespaceImageRules>;
    /**
     * Cluster-wide policies by object name (ClusterImagePolicy), for namespaces without an
     * ImagePolicy. Never `default` or `ibm-signed-image-enforcement`, which the IKS add-on owns.
     * @default - none
     */
    readonly clusterPolicies?: Record<string, ImageRules>;
}

/** The declarations of the args, each with the field its messages point to. */
export function trustedContentDeclarations(args: TrustedContentArgs): {
    declarations: (PolicyDeclaration & { field: string })[];
    problems: string[];
    warnings: string[];
} {
    const problems: string[] = [];
    const warnings: string[] = [];
    const declarations: (PolicyDeclaration & { field: string })[] = [];
    for (const [namespace, rules] of Object.entries(args.namespaces ?? {})) {
        const field = `namespaces.${namespace}`;
        const name = rules?.policyName ?? DEFAULT_IMAGE_POLICY_NAME;
        const found = checkDeclaration(
            { name: `${field}.policyName`, namespace: `namespaces (key "${namespace}")`, rules: field },
            IMAGE_POLICY_KIND,
            name,
            namespace,
            rules,
        );
        problems.push(...found.problems);
        warnings.push(...found.warnings);
        declarations.push({ kind: IMAGE_POLICY_KIND, name, namespace, rules, field });
    }
    for (const [name, rules] of Object.entries(args.clusterPolicies ?? {})) {
        const field = `clusterPolicies.${name}`;
        const found = checkDeclaration(
            { name: `clusterPolicies (key "${name}")`, rules: field },
            CLUSTER_IMAGE_POLICY_KIND,
            name,
            undefined,
            rules,
        );
        problems.push(...found.problems);
        warnings.push(...found.warnings);
        declarations.push({ kind: CLUSTER_IMAGE_POLICY_KIND, name, rules, field });
    }
    if (declarations.length === 0) {
        problems.push(
            `namespaces: declare at least one namespace's images (or a cluster policy under clusterPolicies).`,
        );
    }
    return { declarations, problems, warnings };
}

/**
 * Portieris image policies for a cluster, previewed together against its running workloads.
 *
 * ```ts
 * new TrustedContent("trusted", {
 *     namespaces: { "team-a": { repositories: ["de.icr.io/team-a/*"] } },
 * });
 * ```
 * @see https://cloud.ibm.com/docs/Registry?topic=Registry-security_enforce_portieris
 */
export class TrustedContent extends pulumi.ComponentResource {
    /** The spec of each object as written, by `ImagePolicy <namespace>/<name>` or `ClusterImagePolicy <name>`. */
    public readonly policies: pulumi.Output<Record<string, ImagePolicySpec>>;
    /** What the enforcement preview predicted for the running workloads. */
    public readonly enforcementReport: pulumi.Output<EnforcementReport>;

    constructor(name: string, args: TrustedContentArgs, opts?: pulumi.ComponentResourceOptions) {
        // {}: the kubeconfig must not reach component state.
        super("icr:portieris:TrustedContent", name, {}, opts);
        const who = `TrustedContent ${name}`;
        const { declarations, problems, warnings } = trustedContentDeclarations(args);
        if (problems.length > 0)
            throw new pulumi.ResourceError(`${who}: ${joinProblems(problems)}`, this, true);
        for (const w of warnings) pulumi.log.warn(`${who}: ${w}`, this);

        const owner = stackOwner();
        const objects = declarations.map((d) => policyObjectOf(d, owner));
        const expected: ExpectedKeySecret[] = declarations.flatMap((d) =>
            existingKeySecrets(d.rules, d.namespace, d.field),
        );
        const gate = enforcementGate(this, who, objects, expected, args, "allowDenyingRunningWorkloads");
        this.enforcementReport = gate.report;
        const specs = declarations.map((d, i) => {
            const logical =
                d.kind === IMAGE_POLICY_KIND
                    ? `${name}-${d.namespace}-${d.name}`
                    : `${name}-cluster-${d.name}`;
            const declared = declarePolicyResource(this, logical, objects[i], d.rules, gate);
            return declared.spec.apply((spec) => [describePolicyObject(objects[i]), spec] as const);
        });
        this.policies = pulumi.all(specs).apply((pairs) => Object.fromEntries(pairs));
        // Empty, and so at once: ClusterRegistryAccess makes one of these per namespace with
        // `imagePolicy`, and outputs that wait for the policy objects would cost a write of the
        // whole state each, late in the run (see ../k8s/namespacePullSecrets.ts). The values
        // stay on the class.
        this.registerOutputs({});
    }
}
