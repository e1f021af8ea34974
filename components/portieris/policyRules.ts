// The arguments a user writes for one policy object ("these images may run, signed by these
// keys"), their checks, and the Portieris spec they become. Pure apart from the type of a
// public key, which may come from another resource.
import type * as pulumi from "@pulumi/pulumi";
import { checkNamespaceName, checkObjectName } from "../shared/k8sNames";
import { ALL_REGISTRY_DOMAINS } from "../shared/registry/registryDomains";
import { didYouMean } from "../shared/suggest";
import { checkOtherRegistries, checkPattern } from "./patternCheck";
import {
    IdentityRequirement,
    ImagePolicySpec,
    PolicyRepository,
    RepositoryPolicy,
    RESERVED_POLICY_NAMES,
    SIGNED_IDENTITY_TYPES,
    SimpleRequirement,
} from "./types";

/** A key that images must be signed with (Red Hat simple signing, `signedBy`). */
export interface SignedByKey {
    /** Secret that holds the armoured GPG public key under the data key `key`, where Portieris reads it. */
    readonly keySecret: string;
    /**
     * Namespace of the secret.
     * @default - the pod's namespace (for an ImagePolicy, the policy's namespace)
     */
    readonly keySecretNamespace?: string;
    /**
     * The armoured public key (`gpg --export --armour`). Given, the secret is created with it;
     * left out, the secret must already exist when the policy is previewed.
     * @default - the secret exists
     */
    readonly publicKey?: pulumi.Input<string>;
    /**
     * How the signature's identity must match the image.
     * @default - Portieris's default: the image's repository and tag, or its digest
     */
    readonly signedIdentity?: IdentityRequirement;
}

/** One pattern and what Portieris checks for the images it matches. */
export interface RepositoryRule {
    /**
     * The pattern, matched against the image exactly as a pod spec writes it; `*` matches any
     * characters, `/` included, and a pattern without a tag matches any tag. E.g.
     * `"de.icr.io/team-a/*"`.
     */
    readonly name: string;
    /** Keys that must all have signed the image (one `signedBy` requirement each). */
    readonly signedBy?: SignedByKey[];
    /**
     * Whether Portieris rewrites the pod's image to the verified digest. Required with
     * `signedBy` or `trust`, so that the choice is seen in review.
     */
    readonly mutateImage?: boolean;
    /**
     * Also require IBM Cloud Container Registry's Vulnerability Advisor to pass (`ICCRVA`);
     * an object names the account whose exemptions apply.
     * @default false
     */
    readonly vulnerabilityAdvisor?:
        | boolean
        | {
              /** The IBM Cloud account whose Vulnerability Advisor exemptions apply. */
              readonly account: string;
          };
    /** Deny these images outright (a `reject` requirement), e.g. to carve an exception out of a wider pattern. */
    readonly reject?: boolean;
    /**
     * Docker Content Trust (Notary). IBM's Notary for icr.io was discontinued in November 2021,
     * so it is refused for icr.io patterns; use `signedBy` there.
     */
    readonly trust?: {
        /** Whether images must carry Docker Content Trust signatures. */
        readonly enabled: boolean;
        /** URL of the Notary server to verify against. @default - Portieris's default */
        readonly trustServer?: string;
        /** Secrets holding the public keys of signers whose signatures the image must carry. */
        readonly signerSecrets?: string[];
    };
    /** A signature store other than the registry itself. */
    readonly signatureStore?: {
        /** Its URL (the `simple` policy's `storeURL`). */
        readonly url: string;
        /** Secret with basic-auth credentials for `url` (`storeSecret`). @default - none */
        readonly secret?: string;
    };
}

/** What one policy object admits. */
export interface ImageRules {
    /**
     * Patterns (each with the `signedBy`, `mutateImage` and `vulnerabilityAdvisor` below) or
     * rules of their own. An image no pattern matches is denied.
     */
    readonly repositories: (string | RepositoryRule)[];
    /** Keys that must have signed the images of every pattern given as a string. */
    readonly signedBy?: SignedByKey[];
    /** `mutateImage` of every pattern given as a string; required with `signedBy`. */
    readonly mutateImage?: boolean;
    /** `vulnerabilityAdvisor` of every pattern given as a string. */
    readonly vulnerabilityAdvisor?:
        | boolean
        | {
              /** The IBM Cloud account whose Vulnerability Advisor exemptions apply. */
              readonly account: string;
          };
    /**
     * Registry hosts outside IBM Cloud Container Registry that the patterns may name on
     * purpose: `"quay.io"`, `"docker.io"` (also for short names such as `"nginx"`), or `"*"`
     * for any host (and for the bare pattern `"*"`).
     * @default [] - only icr.io domains
     */
    readonly otherRegistries?: string[];
}

/** The rules with every string pattern expanded into a rule of its own. */
export function expandRules(rules: ImageRules): RepositoryRule[] {
    return (rules.repositories ?? []).map((r) =>
        typeof r === "string"
            ? {
                  name: r,
                  signedBy: rules.signedBy,
                  mutateImage: rules.mutateImage,
                  vulnerabilityAdvisor: rules.vulnerabilityAdvisor,
              }
            : r,
    );
}

/** The findings for one policy object's rules, each under `${field}`. */
export function checkImageRules(
    field: string,
    rules: ImageRules | undefined,
    scope: { readonly namespaced: boolean },
): { problems: string[]; warnings: string[] } {
    const problems: string[] = [];
    const warnings: string[] = [];
    const prefix = field === "" ? "" : `${field}.`;
    if (rules === undefined || !Array.isArray(rules.repositories)) {
        problems.push(`${prefix}repositories: list the images that may run, e.g. ["de.icr.io/team-a/*"].`);
        return { problems, warnings };
    }
    if (rules.repositories.length === 0) {
        problems.push(
            `${prefix}repositories: the list is empty, so every image would be denied; list at least one pattern, e.g. "de.icr.io/team-a/*".`,
        );
    }
    problems.push(...checkOtherRegistries(`${prefix}otherRegistries`, rules.otherRegistries));
    const other = Array.isArray(rules.otherRegistries) ? rules.otherRegistries : [];
    const seen = new Map<string, number>();
    expandRules(rules).forEach((rule, i) => {
        const given = rules.repositories[i];
        const at = `${prefix}repositories[${i}]`;
        const nameField = typeof given === "string" ? at : `${at}.name`;
        const found = checkPattern(nameField, rule.name, other);
        problems.push(...found.problems);
        warnings.push(...found.warnings);
        if (typeof rule.name === "string") {
            const earlier = seen.get(rule.name);
            if (earlier !== undefined) {
                problems.push(
                    `${nameField}: "${rule.name}" is already listed as ${prefix}repositories[${earlier}]; list each pattern once.`,
                );
            } else seen.set(rule.name, i);
        }
        // Shared settings are reported under the field the user wrote them in.
        const settings = typeof given === "string" ? prefix : `${at}.`;
        const signed = (rule.signedBy?.length ?? 0) > 0 || rule.trust?.enabled === true;
        if (signed && typeof rule.mutateImage !== "boolean") {
            problems.push(
                `${settings}mutateImage: say whether Portieris rewrites the pod's image to the verified digest ` +
                    `(true, its default, pins what was verified; false keeps the image as written).`,
            );
        }
        if (rule.mutateImage !== undefined && typeof rule.mutateImage !== "boolean") {
            problems.push(
                `${settings}mutateImage: must be true or false; got ${JSON.stringify(rule.mutateImage)}.`,
            );
        }
        (rule.signedBy ?? []).forEach((key, k) => {
            const kf = `${settings}signedBy[${k}]`;
            const p = checkObjectName(`${kf}.keySecret`, "Secret", key?.keySecret);
            if (p) problems.push(p);
            if (key?.keySecretNamespace !== undefined) {
                const n = checkNamespaceName(`${kf}.keySecretNamespace`, key.keySecretNamespace);
                if (n) problems.push(n);
            } else if (!scope.namespaced && key?.publicKey !== undefined) {
                problems.push(
                    `${kf}.keySecretNamespace: a ClusterImagePolicy's key secret is looked up in each pod's namespace ` +
                        `unless a namespace is named; name the namespace the created secret goes to.`,
                );
            }
            const t = key?.signedIdentity?.type;
            if (t !== undefined && !(SIGNED_IDENTITY_TYPES as readonly string[]).includes(t)) {
                problems.push(
                    `${kf}.signedIdentity.type: unknown type ${JSON.stringify(t)}.${typeof t === "string" ? didYouMean(t, SIGNED_IDENTITY_TYPES) : ""} ` +
                        `Valid types: ${SIGNED_IDENTITY_TYPES.join(", ")}.`,
                );
            }
        });
        if (rule.reject === true && signed) {
            problems.push(
                `${settings}reject: a rejected pattern denies every image it matches; remove signedBy or trust from it.`,
            );
        }
        const host = typeof rule.name === "string" ? rule.name.split("/")[0].toLowerCase() : "";
        if (
            rule.trust?.enabled === true &&
            (ALL_REGISTRY_DOMAINS.includes(host) || host.endsWith("icr.io"))
        ) {
            problems.push(
                `${settings}trust: IBM's Notary (Docker Content Trust) for icr.io was discontinued in November 2021, so ` +
                    `no signature could be found; use signedBy (Red Hat simple signing) instead.`,
            );
        }
    });
    // Settings shared by several string patterns are checked once per pattern: report them once.
    return { problems: [...new Set(problems)], warnings: [...new Set(warnings)] };
}

/** Checks an object name we would own: valid, and never one of the IKS add-on's. */
export function checkPolicyName(field: string, kind: string, name: unknown): string | undefined {
    const p = checkObjectName(field, kind, name);
    if (p !== undefined) return p;
    if (RESERVED_POLICY_NAMES.includes(name as string)) {
        return (
            `${field}: "${String(name)}" is the name of a policy the IKS add-on owns (${RESERVED_POLICY_NAMES.join(", ")}); ` +
            `this library never touches those. Choose another name, e.g. "trusted-images".`
        );
    }
    return undefined;
}

function requirementsOf(rule: RepositoryRule, namespace: string | undefined): SimpleRequirement[] {
    if (rule.reject === true) return [{ type: "reject" }];
    return (rule.signedBy ?? []).map((key) => ({
        type: "signedBy" as const,
        keySecret: key.keySecret,
        ...(key.keySecretNamespace !== undefined
            ? { keySecretNamespace: key.keySecretNamespace }
            : key.publicKey !== undefined && namespace !== undefined
              ? { keySecretNamespace: namespace }
              : {}),
        ...(key.signedIdentity !== undefined ? { signedIdentity: key.signedIdentity } : {}),
    }));
}

/** The Portieris spec of checked rules. `namespace` is the ImagePolicy's, undefined for a ClusterImagePolicy. */
export function specOf(rules: ImageRules, namespace: string | undefined): ImagePolicySpec {
    const repositories: PolicyRepository[] = expandRules(rules).map((rule) => {
        const policy: RepositoryPolicy = {};
        const requirements = requirementsOf(rule, namespace);
        if (requirements.length > 0 || rule.signatureStore !== undefined) {
            policy.simple = {
                requirements,
                ...(rule.signatureStore !== undefined ? { storeURL: rule.signatureStore.url } : {}),
                ...(rule.signatureStore?.secret !== undefined
                    ? { storeSecret: rule.signatureStore.secret }
                    : {}),
            };
        }
        if (rule.trust !== undefined) {
            policy.trust = {
                enabled: rule.trust.enabled,
                ...(rule.trust.trustServer !== undefined ? { trustServer: rule.trust.trustServer } : {}),
                ...(rule.trust.signerSecrets !== undefined
                    ? { signerSecrets: rule.trust.signerSecrets.map((name) => ({ name })) }
                    : {}),
            };
        }
        const va = rule.vulnerabilityAdvisor;
        if (va !== undefined && va !== false) {
            policy.vulnerability = {
                ICCRVA: { enabled: true, ...(typeof va === "object" ? { account: va.account } : {}) },
            };
        }
        if (rule.mutateImage !== undefined) policy.mutateImage = rule.mutateImage;
        return Object.keys(policy).length > 0 ? { name: rule.name, policy } : { name: rule.name };
    });
    return { repositories };
}

/** The key secrets the rules create (those given a `publicKey`), by `namespace/name`. */
export function createdKeySecrets(
    rules: ImageRules,
    namespace: string | undefined,
): Map<string, { namespace: string; name: string; publicKey: pulumi.Input<string> }> {
    const out = new Map<string, { namespace: string; name: string; publicKey: pulumi.Input<string> }>();
    for (const rule of expandRules(rules)) {
        for (const key of rule.signedBy ?? []) {
            if (key.publicKey === undefined) continue;
            const ns = key.keySecretNamespace ?? namespace;
            if (ns === undefined) continue;
            out.set(`${ns}/${key.keySecret}`, {
                namespace: ns,
                name: key.keySecret,
                publicKey: key.publicKey,
            });
        }
    }
    return out;
}

/** The key secrets the rules expect to exist already, by `namespace/name` (cluster policies without a namespace are left out). */
export function existingKeySecrets(
    rules: ImageRules,
    namespace: string | undefined,
    field: string,
): { field: string; namespace: string; name: string }[] {
    const out: { field: string; namespace: string; name: string }[] = [];
    const seen = new Set<string>();
    expandRules(rules).forEach((rule, i) => {
        (rule.signedBy ?? []).forEach((key, k) => {
            if (key.publicKey !== undefined) return;
            const ns = key.keySecretNamespace ?? namespace;
            if (ns === undefined || seen.has(`${ns}/${key.keySecret}`)) return;
            seen.add(`${ns}/${key.keySecret}`);
            const given = rules.repositories[i];
            const prefix = field === "" ? "" : `${field}.`;
            const at =
                typeof given === "string"
                    ? `${prefix}signedBy[${k}].keySecret`
                    : `${prefix}repositories[${i}].signedBy[${k}].keySecret`;
            out.push({ field: at, namespace: ns, name: key.keySecret });
        });
    });
    return out;
}

/** Where a checked declaration's messages point. */
export interface DeclarationFields {
    /** Path of the object's name, e.g. `policyName` or `clusterPolicies` (key). */
    readonly name: string;
    /** Path of the namespace, for an ImagePolicy. */
    readonly namespace?: string;
    /** Path the rules' fields hang off, e.g. `namespaces.team-a` or "" for the top level. */
    readonly rules: string;
}

/** Every problem and warning of one declared object: its name, namespace and rules. */
export function checkDeclaration(
    fields: DeclarationFields,
    kind: string,
    name: unknown,
    namespace: unknown,
    rules: ImageRules | undefined,
): { problems: string[]; warnings: string[] } {
    const problems: string[] = [];
    const n = checkPolicyName(fields.name, kind, name);
    if (n) problems.push(n);
    if (fields.namespace !== undefined) {
        const ns = checkNamespaceName(fields.namespace, namespace);
        if (ns) problems.push(ns);
    }
    const found = checkImageRules(fields.rules, rules, { namespaced: fields.namespace !== undefined });
    return { problems: [...problems, ...found.problems], warnings: found.warnings };
}
