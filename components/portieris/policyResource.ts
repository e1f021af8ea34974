// One Portieris policy object as a Kubernetes custom resource, with the `signedBy` key secrets
// it creates, waiting for the enforcement preview's gate. The object carries our labels, so
// that the preview knows which objects this stack owns; destroy deletes exactly what was
// created here and nothing else.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnforcementGate } from "./enforcementPreview";
import { OWNER_LABEL } from "./enforcementReport";
import { createdKeySecrets, ImageRules, specOf } from "./policyRules";
import { ImagePolicySpec, PORTIERIS_API_VERSION, PolicyObject } from "./types";

/** The label that marks an object as made by this library. */
export const MANAGED_BY_LABELS: Readonly<Record<string, string>> = {
    "app.kubernetes.io/managed-by": "pulumi-icr-access",
};

/** One object to declare. */
export interface PolicyDeclaration {
    readonly kind: PolicyObject["kind"];
    readonly name: string;
    /** For an ImagePolicy; undefined for a ClusterImagePolicy. */
    readonly namespace?: string;
    readonly rules: ImageRules;
}

/** The object as the evaluator sees it, with our labels. */
export function policyObjectOf(d: PolicyDeclaration, owner: string): PolicyObject {
    return {
        kind: d.kind,
        name: d.name,
        namespace: d.namespace,
        spec: specOf(d.rules, d.namespace),
        labels: { ...MANAGED_BY_LABELS, [OWNER_LABEL]: owner },
    };
}

/** What {@link declarePolicyResource} made. */
export interface DeclaredPolicy {
    readonly resource: k8s.apiextensions.CustomResource;
    /** The spec as declared, once the preview has run (what is written, unless the set is refused). */
    readonly spec: pulumi.Output<ImagePolicySpec>;
}

/**
 * Declares the custom resource (and its key secrets) under `parent`. Their content is released
 * only once the gate admits the set, so that a refused preview writes nothing.
 */
export function declarePolicyResource(
    parent: pulumi.Resource,
    logicalName: string,
    object: PolicyObject,
    rules: ImageRules,
    gate: EnforcementGate,
): DeclaredPolicy {
    // The gate is a dependency, never a property: a refusal then fails each registration with the
    // gate's own error, which the engine reports once and as written. Had a property carried it,
    // every resource's serialization would have prefixed the same error object with
    // `error serializing property "spec"` (@pulumi/pulumi runtime/rpc.js
    // serializeFilteredProperties), once per resource.
    const gated = (resources: pulumi.Resource[]) => gate.admitted.apply(() => resources);
    const keys = [...createdKeySecrets(rules, object.namespace).values()].map(
        (key) =>
            new k8s.core.v1.Secret(
                `${logicalName}-key-${key.namespace}-${key.name}`,
                {
                    metadata: { name: key.name, namespace: key.namespace, labels: { ...MANAGED_BY_LABELS } },
                    type: "Opaque",
                    stringData: { key: key.publicKey },
                },
                // Gated too: a refused set writes no key either.
                { parent, dependsOn: gated([]) },
            ),
    );
    // The public output follows the report, which never fails: stack outputs of a failed
    // Output hold the engine up; the resource itself waits for the admitted gate (dependsOn).
    const spec = gate.report.apply(() => object.spec);
    const resource = new k8s.apiextensions.CustomResource(
        logicalName,
        {
            apiVersion: PORTIERIS_API_VERSION,
            kind: object.kind,
            metadata: {
                name: object.name,
                ...(object.namespace !== undefined ? { namespace: object.namespace } : {}),
                labels: { ...object.labels },
                // The object is ours by name: after a hand edit (which takes over the edited fields
                // under server-side apply) the next `up` takes them back instead of failing on the
                // field conflict, so that what was reviewed is what is enforced.
                annotations: { "pulumi.com/patchForce": "true" },
            },
            spec: object.spec,
        },
        { parent, dependsOn: gated(keys) },
    );
    return { resource, spec };
}
