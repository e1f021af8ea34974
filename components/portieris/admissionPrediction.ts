// Which policy decides a container's image in a namespace, and what that decision would be,
// by Portieris's rules (v0.14.2: pkg/policy/policy.go GetPolicyToEnforce, the policy types'
// FindImagePolicy, pkg/controller/multi/controller.go getPatchesForContainers and
// pkg/controller/multi/enforcer.go DigestByPolicy):
//
// - the image is parsed first (./imageReference.ts): blank is skipped, unparsable is denied, and
//   a digest other than sha256 without a tag makes the whole request fail;
// - if any ImagePolicy exists in the pod's namespace, only those count; otherwise the
//   ClusterImagePolicy objects do;
// - no policy at all, or no pattern that admits the image, means deny;
// - the best-matching repository entry's policy then applies: a `reject` requirement denies;
//   signatures (`signedBy`, `trust`) and vulnerability checks need the registry, so they are
//   left to Portieris at admission and reported as such, never guessed.
//
// A prediction for review, not enforcement. Pure.
import { portierisImage } from "./imageReference";
import { bestRepositoryMatch, RepositoryMatch } from "./patternMatch";
import {
    CLUSTER_IMAGE_POLICY_KIND,
    describePolicyObject,
    IMAGE_POLICY_KIND,
    PolicyObject,
    RepositoryPolicy,
    SIGNED_IDENTITY_TYPES,
    SIMPLE_REQUIREMENT_TYPES,
} from "./types";

/** Words the report uses for checks this program cannot decide. */
export const DECIDED_AT_ADMISSION = "decided by Portieris at admission";

/** Why an image would be denied. */
export type DenialReason =
    /** Neither an ImagePolicy in the namespace nor any ClusterImagePolicy exists. */
    | "no-policy"
    /** The policies that count have no pattern that admits the image. */
    | "no-match"
    /** No ImagePolicy of the namespace admits it, though a ClusterImagePolicy would: the namespace's policies shadow it. */
    | "shadowed"
    /** The matching entry has a `reject` requirement. */
    | "rejected"
    /** Portieris cannot parse the image reference. */
    | "invalid-image"
    /**
     * Portieris fails on the image (a digest other than sha256 and no tag): the request gets no
     * answer, and the Helm chart's failurePolicy: Fail makes the API server deny it.
     */
    | "request-fails"
    /** The matching entry's simple policy is one Portieris cannot use (unknown type, no keySecret). */
    | "policy-error";

/** The predicted decision for one image in one namespace. */
export type ImageDecision =
    | {
          /** Portieris would deny the image, and so the pod. */
          readonly verdict: "denied";
          /** Why, as a code. */
          readonly reason: DenialReason;
          /** One sentence: why, naming the policies. */
          readonly detail: string;
      }
    | {
          /** A pattern admits the image, subject to the checks in `atAdmission`. */
          readonly verdict: "admitted";
          /** The policy that matches, e.g. `ImagePolicy team-a/trusted-images`. */
          readonly policy: string;
          /** Its `repositories[]` pattern that matches the image. */
          readonly pattern: string;
          /** Checks left to Portieris at admission (signatures, vulnerabilities), each described. */
          readonly atAdmission: readonly string[];
      }
    | {
          /** Portieris does not check the image (a blank image reference). */
          readonly verdict: "skipped";
          /** One sentence: why it is not checked. */
          readonly detail: string;
      };

/** The policies that count in `namespace`: its ImagePolicies if it has any, else the cluster's. */
export function policiesInForce(
    policies: readonly PolicyObject[],
    namespace: string,
): { readonly kind: PolicyObject["kind"] | undefined; readonly objects: readonly PolicyObject[] } {
    const own = byName(policies.filter((p) => p.kind === IMAGE_POLICY_KIND && p.namespace === namespace));
    if (own.length > 0) return { kind: IMAGE_POLICY_KIND, objects: own };
    const cluster = byName(policies.filter((p) => p.kind === CLUSTER_IMAGE_POLICY_KIND));
    return { kind: cluster.length > 0 ? CLUSTER_IMAGE_POLICY_KIND : undefined, objects: cluster };
}

/** The API server lists objects by name; Portieris takes the first of equally good matches. */
function byName(list: PolicyObject[]): PolicyObject[] {
    return [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const names = (objects: readonly PolicyObject[]) => objects.map(describePolicyObject).join(", ");

/** The predicted decision for `image` in `namespace` under the whole policy set `policies`. */
export function predictImage(
    policies: readonly PolicyObject[],
    namespace: string,
    image: string,
): ImageDecision {
    const parsed = portierisImage(image);
    if (parsed.kind === "blank")
        return { verdict: "skipped", detail: "blank image: Portieris lets it through" };
    if (parsed.kind === "invalid") {
        return {
            verdict: "denied",
            reason: "invalid-image",
            detail: `"${image}" is not an image reference Portieris can parse (${parsed.error})`,
        };
    }
    if (parsed.kind === "request-fails") {
        return { verdict: "denied", reason: "request-fails", detail: parsed.error };
    }
    const inForce = policiesInForce(policies, namespace);
    if (inForce.kind === undefined) {
        return {
            verdict: "denied",
            reason: "no-policy",
            detail: `no ImagePolicy in namespace ${namespace} and no ClusterImagePolicy exists`,
        };
    }
    const match = bestRepositoryMatch(inForce.objects, image);
    if (match === undefined) {
        if (inForce.kind === IMAGE_POLICY_KIND) {
            const cluster = policies.filter((p) => p.kind === CLUSTER_IMAGE_POLICY_KIND);
            const wouldAdmit = bestRepositoryMatch(byName(cluster), image);
            if (wouldAdmit !== undefined) {
                return {
                    verdict: "denied",
                    reason: "shadowed",
                    detail:
                        `shadowed by a namespace policy: ${names(inForce.objects)} exists in ${namespace}, so ` +
                        `${describePolicyObject(wouldAdmit.policy)} (pattern "${wouldAdmit.repository.name}"), ` +
                        `which would admit it, is not consulted there`,
                };
            }
        }
        return {
            verdict: "denied",
            reason: "no-match",
            detail: `no pattern of ${names(inForce.objects)} matches it`,
        };
    }
    return decisionOfMatch(match);
}

function decisionOfMatch(match: RepositoryMatch): ImageDecision {
    const policy: RepositoryPolicy = match.repository.policy ?? {};
    const where = describePolicyObject(match.policy);
    const requirements = policy.simple?.requirements ?? [];
    // pkg/verifier/simple/policy.go TransformPolicies: these fail before any registry access.
    const unusable = requirements.find(
        (r) =>
            !(SIMPLE_REQUIREMENT_TYPES as readonly string[]).includes(r.type) ||
            (r.type === "signedBy" &&
                ((r.keySecret ?? "") === "" ||
                    ![...SIGNED_IDENTITY_TYPES, ""].includes(r.signedIdentity?.type ?? ""))),
    );
    if (unusable !== undefined) {
        return {
            verdict: "denied",
            reason: "policy-error",
            detail:
                `${where} pattern "${match.repository.name}" has a simple requirement Portieris cannot use ` +
                `(type "${unusable.type}"${unusable.type === "signedBy" ? ` with keySecret "${unusable.keySecret ?? ""}" and signedIdentity type "${unusable.signedIdentity?.type ?? ""}"` : ""})`,
        };
    }
    if (requirements.some((r) => r.type === "reject")) {
        return {
            verdict: "denied",
            reason: "rejected",
            detail: `${where} pattern "${match.repository.name}" has a "reject" requirement`,
        };
    }
    const atAdmission: string[] = [];
    for (const r of requirements) {
        if (r.type !== "signedBy") continue;
        const key = `${r.keySecretNamespace !== undefined ? `${r.keySecretNamespace}/` : ""}${r.keySecret ?? "?"}`;
        atAdmission.push(`signature by the key in secret ${key}: ${DECIDED_AT_ADMISSION}`);
    }
    if (requirements.length > 0 && !requirements.some((r) => r.type === "signedBy")) {
        // enforcer.go DigestByPolicy: any simple requirement reads the image from the registry.
        atAdmission.push(
            `reading the image from the registry for the simple policy: ${DECIDED_AT_ADMISSION}`,
        );
    }
    if (policy.trust?.enabled === true) atAdmission.push(`Notary trust: ${DECIDED_AT_ADMISSION}`);
    if (policy.vulnerability?.ICCRVA?.enabled === true) {
        atAdmission.push(`Vulnerability Advisor: ${DECIDED_AT_ADMISSION}`);
    }
    return { verdict: "admitted", policy: where, pattern: match.repository.name, atAdmission };
}

/** One container as the workload's pod spec lists it. */
export interface ContainerImage {
    readonly name: string;
    readonly image: string;
    readonly init: boolean;
}

/** A container's prediction within its workload. */
export interface ContainerPrediction {
    readonly decision: ImageDecision;
    /** The key Portieris files the decision under (`<normalized name>:<tag or digest>`), if it parses. */
    readonly key?: string;
    /**
     * The later container of the same list (init containers, or containers) whose image has
     * the same key: Portieris keeps only the later container's result under that key, so this
     * container's own decision does not count.
     */
    readonly supersededBy?: string;
}

/** The prediction for a whole pod spec. */
export interface WorkloadPrediction {
    readonly containers: readonly ContainerPrediction[];
    /** True when Portieris would deny the pod spec (any denial that counts, or a failed request). */
    readonly denied: boolean;
}

/**
 * The prediction for the containers of one pod spec, in `containers` order (init containers
 * first). pkg/controller/multi/controller.go admitPod checks init containers, then containers,
 * each list with its own map of decisions keyed by the image's normalized name with its tag
 * (or sha256 digest), or "invalidimagename"; each container first resets the entry of its key,
 * so of two containers of one list whose images normalize alike (`nginx:1.25` and
 * `docker.io/library/nginx:1.25`) only the later one's result is kept. A request that fails
 * (see "request-fails") denies the pod whatever the other containers are.
 *
 * Not modelled, as it needs the registry: a container whose signature check passes is filed
 * under its verified digest instead, and then keeps its own result.
 */
export function predictWorkload(
    policies: readonly PolicyObject[],
    namespace: string,
    containers: readonly ContainerImage[],
): WorkloadPrediction {
    const keyed = containers.map((c) => {
        const parsed = portierisImage(c.image);
        const key =
            parsed.kind === "valid" ? parsed.key : parsed.kind === "invalid" ? "invalidimagename" : undefined;
        return { container: c, key, decision: predictImage(policies, namespace, c.image) };
    });
    const lastOfKey = new Map<string, number>();
    keyed.forEach((k, i) => {
        if (k.key !== undefined) lastOfKey.set(`${k.container.init ? "init" : "main"}\n${k.key}`, i);
    });
    const predictions: ContainerPrediction[] = keyed.map((k, i) => {
        const last =
            k.key === undefined ? i : lastOfKey.get(`${k.container.init ? "init" : "main"}\n${k.key}`)!;
        const key = k.key === "invalidimagename" ? undefined : k.key;
        return {
            decision: k.decision,
            ...(key !== undefined ? { key } : {}),
            ...(last !== i ? { supersededBy: keyed[last].container.name } : {}),
        };
    });
    const denied = predictions.some(
        (p) =>
            p.decision.verdict === "denied" &&
            (p.supersededBy === undefined || p.decision.reason === "request-fails"),
    );
    return { containers: predictions, denied };
}
