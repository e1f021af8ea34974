// Which policy decides a container's image in a namespace, and what that decision would be,
// by Portieris's rules (v0.14.2, pkg/policy/policy.go and the policy types):
//
// - if any ImagePolicy exists in the pod's namespace, only those count; otherwise the
//   ClusterImagePolicy objects do;
// - no policy at all, or no pattern that admits the image, means deny;
// - the best-matching repository entry's policy then applies: a `reject` requirement denies;
//   signatures (`signedBy`, `trust`) and vulnerability checks need the registry, so they are
//   left to Portieris at admission and reported as such, never guessed.
//
// A prediction for review, not enforcement. Pure.
import { parseImage } from "./imageReference";
import { bestRepositoryMatch, RepositoryMatch } from "./patternMatch";
import {
    CLUSTER_IMAGE_POLICY_KIND,
    describePolicyObject,
    IMAGE_POLICY_KIND,
    PolicyObject,
    RepositoryPolicy,
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
    | "invalid-image";

/** The predicted decision for one image in one namespace. */
export type ImageDecision =
    | {
          readonly verdict: "denied";
          readonly reason: DenialReason;
          /** One sentence: why, naming the policies. */
          readonly detail: string;
      }
    | {
          readonly verdict: "admitted";
          /** The policy and pattern that match. */
          readonly policy: string;
          readonly pattern: string;
          /** Checks left to Portieris at admission (signatures, vulnerabilities), each described. */
          readonly atAdmission: readonly string[];
      }
    | { readonly verdict: "skipped"; readonly detail: string };

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
    const parsed = parseImage(image);
    if (parsed === "blank") return { verdict: "skipped", detail: "blank image: Portieris lets it through" };
    if (parsed === "invalid") {
        return {
            verdict: "denied",
            reason: "invalid-image",
            detail: `"${image}" is not an image reference Portieris can parse`,
        };
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
    if (policy.trust?.enabled === true) atAdmission.push(`Notary trust: ${DECIDED_AT_ADMISSION}`);
    if (policy.vulnerability?.ICCRVA?.enabled === true) {
        atAdmission.push(`Vulnerability Advisor: ${DECIDED_AT_ADMISSION}`);
    }
    return { verdict: "admitted", policy: where, pattern: match.repository.name, atAdmission };
}
