// The objects of IBM's admission controller for container images, Portieris (IBM Cloud's
// "Container Image Security Enforcement"), as its API server types declare them: group
// portieris.cloud.ibm.com, version v1, kinds ImagePolicy (namespaced) and ClusterImagePolicy
// (cluster-scoped), both with the same spec. Field names and optionality follow Portieris
// v0.14.2 (pkg/apis/portieris.cloud.ibm.com/v1/types.go); the JSON is what the API server
// stores. Pure: no Pulumi import.

/** API group of Portieris's policy objects. */
export const PORTIERIS_GROUP = "portieris.cloud.ibm.com";
/** API version of Portieris's policy objects (the old `securityenforcement.admission.cloud.ibm.com/v1beta1` is no longer enforced). */
export const PORTIERIS_API_VERSION = `${PORTIERIS_GROUP}/v1`;
/** Kind of a namespaced policy: when one exists in a namespace, only those count there. */
export const IMAGE_POLICY_KIND = "ImagePolicy";
/** Kind of a cluster-wide policy, consulted in namespaces without any ImagePolicy. */
export const CLUSTER_IMAGE_POLICY_KIND = "ClusterImagePolicy";
/** REST resource names, for list paths. */
export const IMAGE_POLICY_PLURAL = "imagepolicies";
export const CLUSTER_IMAGE_POLICY_PLURAL = "clusterimagepolicies";

/**
 * Names of the policies the IKS add-on installs and keeps: never created, changed or deleted
 * by this library (a `ClusterImagePolicy` `ibm-signed-image-enforcement`, and `default`
 * objects of both kinds).
 */
export const RESERVED_POLICY_NAMES: readonly string[] = ["ibm-signed-image-enforcement", "default"];

/** One `simple.requirements[]` type (containers/image policy requirement). */
export type SimpleRequirementType = "insecureAcceptAnything" | "reject" | "signedBy";
export const SIMPLE_REQUIREMENT_TYPES: readonly SimpleRequirementType[] = [
    "insecureAcceptAnything",
    "reject",
    "signedBy",
];

/** How a signature's identity must relate to the image (containers/image `signedIdentity`). */
export type SignedIdentityType =
    "matchExact" | "matchRepository" | "matchExactRepository" | "matchExactReference" | "remapIdentity";
export const SIGNED_IDENTITY_TYPES: readonly SignedIdentityType[] = [
    "matchExact",
    "matchRepository",
    "matchExactRepository",
    "matchExactReference",
    "remapIdentity",
];

/** `signedIdentity` of a `signedBy` requirement. */
export interface IdentityRequirement {
    /** How the identity must match; empty means Portieris's default (`matchRepoDigestOrExact`). */
    type: SignedIdentityType | "";
    /** For `matchExactReference`: the reference the signature must name. */
    dockerReference?: string;
    /** For `matchExactRepository`: the repository the signature must name. */
    dockerRepository?: string;
    /** For `remapIdentity`: the prefix of the image's reference that `signedPrefix` replaces before matching. */
    prefix?: string;
    /** For `remapIdentity`: the prefix put in place of `prefix`. */
    signedPrefix?: string;
}

/** One requirement of a `simple` (Red Hat simple signing) policy. */
export interface SimpleRequirement {
    /** Admit anything, reject everything, or require a signature by `keySecret`'s key. */
    type: SimpleRequirementType;
    /** Secret holding the armoured public key under the data key `key`. */
    keySecret?: string;
    /** Namespace of `keySecret`; Portieris defaults to the pod's namespace. */
    keySecretNamespace?: string;
    /** For `signedBy`: how the signature's identity must match the image. */
    signedIdentity?: IdentityRequirement;
}

/** Red Hat simple signing. */
export interface SimplePolicy {
    /** Requirements that must all be met. */
    requirements?: SimpleRequirement[];
    /** Where signatures are stored, when not in the registry itself. */
    storeURL?: string;
    /** Secret with basic-auth credentials for `storeURL`. */
    storeSecret?: string;
}

/** Docker Content Trust (Notary). IBM's Notary for icr.io was discontinued in November 2021. */
export interface TrustPolicy {
    /** Whether images must carry Docker Content Trust signatures. */
    enabled?: boolean;
    /** URL of the Notary server to verify against; absent, Portieris's default. */
    trustServer?: string;
    /** Secrets holding the public keys of signers whose signatures the image must carry. */
    signerSecrets?: {
        /** The secret's name. */
        name: string;
    }[];
}

/** Vulnerability Advisor check of IBM Cloud Container Registry. */
export interface VulnerabilityPolicy {
    /** Vulnerability Advisor's verdict on the image must pass. */
    ICCRVA?: {
        /** Whether the check applies. */
        enabled?: boolean;
        /** The IBM Cloud account whose exemptions apply. */
        account?: string;
    };
}

/** What Portieris checks for an image that a repository pattern matches. */
export interface RepositoryPolicy {
    /** Docker Content Trust (Notary) signatures. */
    trust?: TrustPolicy;
    /** Red Hat simple signing signatures. */
    simple?: SimplePolicy;
    /** Vulnerability checks. */
    vulnerability?: VulnerabilityPolicy;
    /** Rewrite the pod's image to the verified digest. Portieris's default (absent) is true. */
    mutateImage?: boolean;
}

/** One `repositories[]` entry: a pattern (`*` matches any characters) and its policy. */
export interface PolicyRepository {
    /** The pattern, matched against the image as the pod spec writes it. */
    name: string;
    /** What is checked for a matching image; absent, a match is admitted unchecked. */
    policy?: RepositoryPolicy;
}

/** The spec shared by both kinds. */
export interface ImagePolicySpec {
    /** The patterns that admit images; an image none matches is denied. */
    repositories: PolicyRepository[];
}

/** A policy object as the evaluator sees it: which kind, where, and its spec. */
export interface PolicyObject {
    readonly kind: typeof IMAGE_POLICY_KIND | typeof CLUSTER_IMAGE_POLICY_KIND;
    readonly name: string;
    /** The namespace of an ImagePolicy; undefined for a ClusterImagePolicy. */
    readonly namespace?: string;
    readonly spec: ImagePolicySpec;
    readonly labels?: Readonly<Record<string, string>>;
}

/** `ImagePolicy default/x` or `ClusterImagePolicy x`, for messages. */
export function describePolicyObject(p: Pick<PolicyObject, "kind" | "name" | "namespace">): string {
    return p.namespace === undefined ? `${p.kind} ${p.name}` : `${p.kind} ${p.namespace}/${p.name}`;
}
