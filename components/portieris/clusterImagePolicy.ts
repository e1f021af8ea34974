// ClusterImagePolicy: a cluster-wide Portieris policy, consulted only in namespaces that have
// no ImagePolicy of their own. To declare it together with namespace policies, previewed as
// one set, use TrustedContent.
import * as pulumi from "@pulumi/pulumi";
import { joinProblems } from "../shared/k8sNames";
import { EnforcementReport } from "./enforcementReport";
import { enforcementGate, EnforcementOptions, stackOwner } from "./enforcementPreview";
import { checkDeclaration, existingKeySecrets, ImageRules } from "./policyRules";
import { declarePolicyResource, policyObjectOf } from "./policyResource";
import { CLUSTER_IMAGE_POLICY_KIND, ImagePolicySpec } from "./types";

/** Arguments of {@link ClusterImagePolicy}. */
export interface ClusterImagePolicyArgs extends ImageRules, EnforcementOptions {
    /**
     * Name of the ClusterImagePolicy object; never `default` or `ibm-signed-image-enforcement`,
     * which the IKS add-on owns.
     */
    readonly policyName: string;
}

/**
 * A Portieris `ClusterImagePolicy` (portieris.cloud.ibm.com/v1), checked and previewed against the cluster's workloads.
 * @see https://cloud.ibm.com/docs/Registry?topic=Registry-security_enforce_portieris
 */
export class ClusterImagePolicy extends pulumi.ComponentResource {
    /** The object's name. */
    public readonly policyName: string;
    /** The spec as written to the API server. */
    public readonly spec: pulumi.Output<ImagePolicySpec>;
    /** What the enforcement preview predicted for the running workloads. */
    public readonly enforcementReport: pulumi.Output<EnforcementReport>;

    constructor(name: string, args: ClusterImagePolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("icr:portieris:ClusterImagePolicy", name, {}, opts);
        const who = `ClusterImagePolicy ${name}`;
        this.policyName = args.policyName;
        const { problems, warnings } = checkDeclaration(
            { name: "policyName", rules: "" },
            CLUSTER_IMAGE_POLICY_KIND,
            args.policyName,
            undefined,
            args,
        );
        if (problems.length > 0)
            throw new pulumi.ResourceError(`${who}: ${joinProblems(problems)}`, this, true);
        for (const w of warnings) pulumi.log.warn(`${who}: ${w}`, this);
        const object = policyObjectOf(
            { kind: CLUSTER_IMAGE_POLICY_KIND, name: args.policyName, rules: args },
            stackOwner(),
        );
        const gate = enforcementGate(
            this,
            who,
            [object],
            existingKeySecrets(args, undefined, ""),
            args,
            "allowDenyingRunningWorkloads",
        );
        this.enforcementReport = gate.report;
        this.spec = declarePolicyResource(this, name, object, args, gate).spec;
        this.registerOutputs({ spec: this.spec, enforcementReport: this.enforcementReport });
    }
}
