// A namespace's image policy as part of its registry access (ClusterRegistryAccess's
// `imagePolicy`): by default it admits exactly the images the namespace can pull, i.e. its
// domains and, when the access is limited to one, its registry namespace, so that access and
// enforcement cannot drift apart. Patterns the user adds are compared with the access both
// ways, and a mismatch is a warning: pull access to images the policy denies, or a policy
// admitting images the namespace cannot pull.
import * as pulumi from "@pulumi/pulumi";
import { resolveRegistryDomains, RegistryEndpoints } from "../shared/registry/registryDomains";
import { globMatches, patternMatchesImage } from "./patternMatch";
import { checkImageRules, expandRules, ImageRules, RepositoryRule } from "./policyRules";
import { NamespaceImageRules, TrustedContent } from "./trustedContent";

/** The `imagePolicy` of one namespace of ClusterRegistryAccess. */
export interface NamespaceImagePolicy extends Omit<ImageRules, "repositories"> {
    /**
     * Patterns (or rules) besides the default ones.
     * @default []
     */
    readonly repositories?: (string | RepositoryRule)[];
    /**
     * Admit the images the namespace has pull access to: `<domain>/<registryNamespace>/*` for
     * each of its domains (`<domain>/*` when the access covers every registry namespace).
     * @default true
     */
    readonly admitPullableImages?: boolean;
    /**
     * Name of the ImagePolicy object.
     * @default "trusted-images"
     */
    readonly policyName?: string;
    /**
     * Apply it even though the enforcement preview predicts that it denies running workloads.
     * @default false
     */
    readonly allowDenyingRunningWorkloads?: boolean;
}

/** The registry scope a namespace pulls with, as ClusterRegistryAccess resolves it. */
export interface PullScope {
    readonly regions?: string[];
    readonly includeGlobal?: boolean;
    readonly registryNamespace?: string;
    readonly endpoints?: RegistryEndpoints;
}

/** The option as an object; `true` means the defaults. */
function optionOf(option: boolean | NamespaceImagePolicy | undefined): NamespaceImagePolicy | undefined {
    if (option === undefined || option === false) return undefined;
    return option === true ? {} : option;
}

function pullDomains(scope: PullScope): string[] {
    try {
        return resolveRegistryDomains({
            regions: scope.regions,
            includeGlobal: scope.includeGlobal,
            endpoints: scope.endpoints,
        }).map((d) => d.domain);
    } catch {
        // The access itself is invalid; its own checks report that.
        return [];
    }
}

/** The patterns that admit what `scope` can pull. */
export function pullablePatterns(scope: PullScope): string[] {
    const suffix = scope.registryNamespace !== undefined ? `${scope.registryNamespace}/*` : "*";
    return pullDomains(scope).map((d) => `${d}/${suffix}`);
}

/** The ImagePolicy rules of a namespace: the pullable patterns (unless turned off), then the user's. */
export function namespaceImageRules(scope: PullScope, option: NamespaceImagePolicy): NamespaceImageRules {
    const defaults = option.admitPullableImages === false ? [] : pullablePatterns(scope);
    const extra = option.repositories ?? [];
    const names = new Set(extra.map((r) => (typeof r === "string" ? r : r.name)));
    return {
        policyName: option.policyName,
        repositories: [...defaults.filter((d) => !names.has(d)), ...extra],
        signedBy: option.signedBy,
        mutateImage: option.mutateImage,
        vulnerabilityAdvisor: option.vulnerabilityAdvisor,
        otherRegistries: option.otherRegistries,
    };
}

/**
 * Where access and policy disagree: a pulled domain (and registry namespace) whose images no
 * pattern admits, and an icr.io pattern admitting images the namespace has no access to.
 */
export function accessPolicyMismatches(field: string, scope: PullScope, rules: ImageRules): string[] {
    const domains = pullDomains(scope);
    const patterns = expandRules(rules)
        .filter((r) => r.reject !== true)
        .map((r) => r.name);
    const out: string[] = [];
    const sample = scope.registryNamespace ?? "any-namespace";
    for (const d of domains) {
        const image = `${d}/${sample}/image:tag`;
        if (!patterns.some((p) => patternMatchesImage(p, image))) {
            out.push(
                `${field}: the namespace can pull from ${d}/${scope.registryNamespace !== undefined ? `${scope.registryNamespace}/` : ""}, ` +
                    `but its image policy admits none of those images; add "${d}/${scope.registryNamespace ?? ""}${scope.registryNamespace !== undefined ? "/" : ""}*" or narrow the access.`,
            );
        }
    }
    for (const p of patterns) {
        const slash = p.indexOf("/");
        if (slash < 0) continue;
        const host = p.slice(0, slash);
        const path = p.slice(slash + 1);
        if (!(host === "icr.io" || host.endsWith(".icr.io"))) continue;
        const pulled = domains.filter((d) => globMatches(host, d));
        const firstSegment = path.split("/")[0];
        if (pulled.length === 0) {
            out.push(
                `${field}: the pattern "${p}" admits images from ${host}, but the namespace has no pull access there ` +
                    `(its domains: ${domains.join(", ") || "none"}); such pods would be admitted and then fail to pull.`,
            );
        } else if (
            scope.registryNamespace !== undefined &&
            !firstSegment.includes("*") &&
            firstSegment !== scope.registryNamespace
        ) {
            out.push(
                `${field}: the pattern "${p}" admits registry namespace "${firstSegment}", but the namespace's access is ` +
                    `limited to "${scope.registryNamespace}"; such pods would be admitted and then fail to pull.`,
            );
        }
    }
    return out;
}

/** The problems of every namespace's `imagePolicy`, under `namespaces.<ns>.imagePolicy`. */
export function namespaceImagePolicyProblems(
    namespaces: Record<
        string,
        { imagePolicy?: boolean | NamespaceImagePolicy } & PullScope & { identity?: string }
    >,
    sharedIdentities: Record<string, PullScope> | undefined,
): string[] {
    const problems: string[] = [];
    for (const [namespace, access] of Object.entries(namespaces ?? {})) {
        const option = optionOf(access.imagePolicy);
        if (option === undefined) continue;
        const field = `namespaces.${namespace}.imagePolicy`;
        const scope = scopeOf(access, sharedIdentities);
        const rules = namespaceImageRules(scope, option);
        if (rules.repositories.length === 0) {
            problems.push(
                `${field}: admitPullableImages is false and no repositories are given, so every image would be denied; list the images that may run.`,
            );
            continue;
        }
        // Defaults come first in the list; user entries are reported at their own index.
        const shift = rules.repositories.length - (option.repositories?.length ?? 0);
        const found = checkImageRules(
            field,
            { ...rules, repositories: rules.repositories },
            { namespaced: true },
        );
        problems.push(
            ...found.problems.map((p) =>
                p.replace(/repositories\[(\d+)\]/g, (_, i: string) =>
                    Number(i) >= shift
                        ? `repositories[${Number(i) - shift}]`
                        : `repositories (default ${rules.repositories[Number(i)] as string})`,
                ),
            ),
        );
    }
    return problems;
}

function scopeOf(
    access: PullScope & { identity?: string },
    sharedIdentities: Record<string, PullScope> | undefined,
): PullScope {
    const shared = access.identity !== undefined ? sharedIdentities?.[access.identity] : undefined;
    const s = shared ?? access;
    return {
        regions: s.regions,
        includeGlobal: s.includeGlobal,
        registryNamespace: s.registryNamespace,
        endpoints: access.endpoints,
    };
}

/**
 * Declares one TrustedContent per namespace with an `imagePolicy` (a namespace's ImagePolicy
 * decides only that namespace, so each is previewed, and allowed, on its own).
 */
export function declareNamespaceImagePolicies(
    parent: pulumi.Resource,
    name: string,
    namespaces: Record<
        string,
        { imagePolicy?: boolean | NamespaceImagePolicy } & PullScope & { identity?: string }
    >,
    sharedIdentities: Record<string, PullScope> | undefined,
    cluster: { kubeconfig?: pulumi.Input<string>; context?: string },
    opts: pulumi.ComponentResourceOptions,
    dependsOn: (namespace: string) => pulumi.Resource[],
): Record<string, TrustedContent> {
    const out: Record<string, TrustedContent> = {};
    for (const [namespace, access] of Object.entries(namespaces)) {
        const option = optionOf(access.imagePolicy);
        if (option === undefined) continue;
        const field = `namespaces.${namespace}.imagePolicy`;
        const scope = scopeOf(access, sharedIdentities);
        const rules = namespaceImageRules(scope, option);
        for (const w of accessPolicyMismatches(field, scope, rules))
            pulumi.log.warn(`ClusterRegistryAccess ${name}: ${w}`, parent);
        out[namespace] = new TrustedContent(
            `${name}-${namespace}-images`,
            {
                namespaces: { [namespace]: rules },
                kubeconfig: cluster.kubeconfig,
                context: cluster.context,
                allowDenyingRunningWorkloads: option.allowDenyingRunningWorkloads,
            },
            { ...opts, dependsOn: dependsOn(namespace) },
        );
    }
    return out;
}
