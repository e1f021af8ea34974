// ImagePolicy: one namespace's Portieris policy ("in this namespace only these images may run"),
// on its own. While any ImagePolicy exists in a namespace, Portieris consults no
// ClusterImagePolicy there, so the enforcement preview reports images a cluster policy would
// have admitted as shadowed. To declare several namespaces and cluster policies as one set,
// previewed together, use TrustedContent.
import * as pulumi from "@pulumi/pulumi";
import { joinProblems } from "../shared/k8sNames";
import { EnforcementReport } from "./enforcementReport";
import { enforcementGate, EnforcementOptions, stackOwner } from "./enforcementPreview";
import { checkDeclaration, existingKeySecrets, ImageRules } from "./policyRules";
import { declarePolicyResource, policyObjectOf } from "./policyResource";
import { DEFAULT_IMAGE_POLICY_NAME } from "./trustedContent";
import { IMAGE_POLICY_KIND, ImagePolicySpec } from "./types";

/** Arguments of {@link ImagePolicy}. */
export interface ImagePolicyArgs extends ImageRules, EnforcementOptions {
    /** The Kubernetes namespace the policy governs (it must exist). */
    readonly namespace: string;
    /**
     * Name of the ImagePolicy object.
     * @default "trusted-images"
     */
    readonly policyName?: string;
}

/**
 * A Portieris `ImagePolicy` (portieris.cloud.ibm.com/v1), checked and previewed against the namespace's workloads.
 * @see https://cloud.ibm.com/docs/Registry?topic=Registry-security_enforce_portieris
 */
export class ImagePolicy extends pulumi.ComponentResource {
    /** The object's name. */
    public readonly policyName: string;
    /** The spec as written to the API server. */
    public readonly spec: pulumi.Output<ImagePolicySpec>;
    /** What the enforcement preview predicted for the running workloads. */
    public readonly enforcementReport: pulumi.Output<EnforcementReport>;

    constructor(name: string, args: ImagePolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("icr:portieris:ImagePolicy", name, {}, opts);
        const who = `ImagePolicy ${name}`;
        this.policyName = args.policyName ?? DEFAULT_IMAGE_POLICY_NAME;
        const { problems, warnings } = checkDeclaration(
            { name: "policyName", namespace: "namespace", rules: "" },
            IMAGE_POLICY_KIND,
            this.policyName,
            args.namespace,
            args,
        );
        if (problems.length > 0)
            throw new pulumi.ResourceError(`${who}: ${joinProblems(problems)}`, this, true);
        for (const w of warnings) pulumi.log.warn(`${who}: ${w}`, this);
        const object = policyObjectOf(
            { kind: IMAGE_POLICY_KIND, name: this.policyName, namespace: args.namespace, rules: args },
            stackOwner(),
        );
        const gate = enforcementGate(
            this,
            who,
            [object],
            existingKeySecrets(args, args.namespace, ""),
            args,
            "allowDenyingRunningWorkloads",
        );
        this.enforcementReport = gate.report;
        this.spec = declarePolicyResource(this, name, object, args, gate).spec;
        // Empty, and so at once: a program may declare one per namespace, and outputs that wait
        // for the object would cost a write of the whole state each, late in the run (see
        // ../k8s/namespacePullSecrets.ts). The values stay on the class.
        this.registerOutputs({});
    }
}
