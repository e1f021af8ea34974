// The resolution of a user's choice of IBM Cloud Container Registry domains (regions,
// endpoints, or explicit domains) into the list of domains to write credentials for, from the
// region table in registryRegions.ts. Pure: no Pulumi import; the components turn the thrown
// errors into ResourceErrors.
import { closest, didYouMean } from "../suggest";
import { joinProblems } from "../k8sNames";
import { NamedError } from "../namedError";
import { REGISTRY_REGIONS, RegistryRegion } from "./registryRegions";

/** Which network endpoints to write credentials for. */
export const RegistryEndpoints = {
    /** The public domains (`us.icr.io`), as the runbook's per-region secrets do. */
    Public: "public",
    /** The private service-endpoint domains only (`private.us.icr.io`), for clusters without public egress. */
    Private: "private",
    /** Both, as IKS's `all-icr-io` does. */
    Both: "both",
} as const;
/** Which network endpoints to write credentials for. */
export type RegistryEndpoints = (typeof RegistryEndpoints)[keyof typeof RegistryEndpoints];

/** One registry domain chosen for a pull secret. */
export interface RegistryDomain {
    /** The host name, e.g. `private.us.icr.io`. */
    readonly domain: string;
    /** The host name with dots as dashes (`private-us-icr-io`): the natural key for names. */
    readonly key: string;
    /** IAM region (`us-south`), or `global`. */
    readonly iamRegion: string;
    /** True for a `private.` service-endpoint domain. */
    readonly private: boolean;
}

/** How a user chooses registry domains; see `NamespacePullSecretsArgs` for each field's meaning. */
export interface RegistryDomainSelection {
    readonly regions?: readonly string[];
    readonly includeGlobal?: boolean;
    readonly endpoints?: string;
    readonly domains?: readonly string[];
}

/** A registry selection that cannot be resolved; the message names the field and the fix. */
export class RegistryDomainError extends NamedError {
    constructor(message: string) {
        super("RegistryDomainError", message);
    }
}

const ENDPOINT_VALUES: readonly string[] = Object.values(RegistryEndpoints);

/** Every accepted public and private domain, in table order. */
export const ALL_REGISTRY_DOMAINS: readonly string[] = Object.freeze(
    REGISTRY_REGIONS.flatMap((r) => [r.domain, r.privateDomain]),
);

/** `us-south (us), eu-gb (uk), …`: the accepted region names, for error messages. */
export const VALID_REGIONS_TEXT = REGISTRY_REGIONS.map((r) =>
    r.prefix === "" ? r.iamRegion : `${r.iamRegion} (${r.prefix})`,
).join(", ");

const REGION_TOKENS: ReadonlyMap<string, RegistryRegion> = new Map(
    REGISTRY_REGIONS.flatMap((r) => [
        [r.iamRegion, r] as const,
        ...(r.prefix !== "" ? [[r.prefix, r] as const] : []),
        ...(r.formerName !== undefined ? [[r.formerName, r] as const] : []),
    ]),
);

const DEPRECATED: ReadonlyMap<string, RegistryRegion> = new Map(
    REGISTRY_REGIONS.filter((r) => r.deprecatedDomain !== undefined).map(
        (r) => [r.deprecatedDomain!, r] as const,
    ),
);

/** The region a region token names: IAM name (`us-south`), domain prefix (`us`), former name (`ap-south`) or `global`. */
export function findRegion(token: string): RegistryRegion | undefined {
    return REGION_TOKENS.get(token);
}

/**
 * The explanation for a deprecated `registry.*.bluemix.net` domain (any scheme or path),
 * naming its `icr.io` replacement; undefined for any other value.
 */
export function deprecatedDomainProblem(field: string, value: string): string | undefined {
    const host = value
        .toLowerCase()
        .replace(/^[a-z]+:\/\//, "")
        .replace(/\/.*$/, "");
    if (!/(^|\.)bluemix\.net$/.test(host)) return undefined;
    const r = DEPRECATED.get(host);
    const replacement =
        r === undefined
            ? `use the icr.io domain of the same region (${REGISTRY_REGIONS.map((x) => x.domain).join(", ")})`
            : `use "${r.domain}" (${r.iamRegion === "global" ? "global" : `IAM region ${r.iamRegion}`}) instead`;
    return (
        `${field}: "${value}" is a deprecated registry.*.bluemix.net domain. ` +
        `IBM Cloud Container Registry moved to icr.io in 2019, and the token-based pull secrets for ` +
        `bluemix.net are deprecated in favour of IAM API keys on icr.io; ${replacement}.`
    );
}

function regionProblem(field: string, value: string): string {
    const deprecated = deprecatedDomainProblem(field, value);
    if (deprecated !== undefined) return deprecated;
    if (value.includes(".")) {
        const d = closest(value, ALL_REGISTRY_DOMAINS);
        const asRegion =
            d === undefined
                ? undefined
                : REGISTRY_REGIONS.find((r) => r.domain === d || r.privateDomain === d);
        const hint =
            asRegion === undefined
                ? ""
                : ` Did you mean region "${asRegion.iamRegion}" (${asRegion.domain})?`;
        return (
            `${field}: "${value}" looks like a domain; "regions" takes region names.${hint} ` +
            `Valid regions: ${VALID_REGIONS_TEXT}. To list domains, use "domains" instead.`
        );
    }
    return (
        `${field}: unknown region "${value}".${didYouMean(value, [...REGION_TOKENS.keys()])} ` +
        `Valid regions: ${VALID_REGIONS_TEXT}. Omit "regions" for every region.`
    );
}

/**
 * Problems with a user's list of regions, each naming its entry (`${field}[i]`), all at once:
 * unknown names (with "did you mean"), deprecated `registry.*.bluemix.net` domains (with the
 * move to icr.io), domains given as regions, a region named twice in two spellings
 * (`["us-south", "us"]`), and an empty list.
 *
 * An empty list is refused unless `includeGlobal` is `true`: omitting `regions` means every
 * region, so `[]` reads like "none", yet it would silently mean "the global icr.io only".
 * With `includeGlobal: true` that is what the user said; with `false` nothing is left.
 * @param field the path the user wrote, e.g. `regions` or `namespaces.web.regions`
 * @internal
 */
export function checkRegionList(
    field: string,
    regions: readonly unknown[] | undefined,
    includeGlobal: boolean | undefined,
): string[] {
    if (regions === undefined) return [];
    if (!Array.isArray(regions)) {
        return [
            `${field}: expected a list of region names, e.g. ["us-south"]; got ${JSON.stringify(regions)}. ` +
                `Omit "regions" for every region.`,
        ];
    }
    if (regions.length === 0) {
        if (includeGlobal === true) return [];
        return [
            includeGlobal === false
                ? `${field}: the list is empty and includeGlobal is false, so no registry would be covered. ` +
                  `List at least one region (e.g. ["us-south"]), or omit "regions" for every region.`
                : `${field}: the list is empty, which would cover only the global icr.io, not "no region" and not ` +
                  `"every region". Omit "regions" for every region, list the regions (e.g. ["us-south"]), or set ` +
                  `includeGlobal: true to mean icr.io only.`,
        ];
    }
    const problems: string[] = [];
    const firstIndex = new Map<RegistryRegion, number>();
    regions.forEach((token, i) => {
        const at = `${field}[${i}]`;
        if (typeof token !== "string") {
            problems.push(`${at}: expected a region name such as "us-south"; got ${JSON.stringify(token)}.`);
            return;
        }
        const r = findRegion(token);
        if (r === undefined) {
            problems.push(regionProblem(at, token));
            return;
        }
        const earlier = firstIndex.get(r);
        if (earlier === undefined) {
            firstIndex.set(r, i);
            return;
        }
        const first = regions[earlier] as string;
        const region =
            r.prefix === "" ? `the global registry (${r.domain})` : `region ${r.iamRegion} (${r.domain})`;
        problems.push(
            first === token
                ? `${at}: "${token}" is already listed as ${field}[${earlier}]; list each region once.`
                : `${at}: "${token}" names ${region}, as ${field}[${earlier}] ("${first}") does; list each region once.`,
        );
    });
    return problems;
}

/**
 * The registries an identity's Container Registry policies grant for a selection, as IAM
 * locations: each region by its IAM name (any spelling {@link findRegion} reads), in the order
 * given, then `global` (the global `icr.io`) unless `includeGlobal` is false or it is listed
 * already; undefined when `regions` is omitted, which is every region and `icr.io`: one policy
 * without a region. NamespaceIdentity makes one policy per location, and
 * {@link resolveRegistryDomains} writes pull secrets for the domains of the same locations, so
 * an identity and its pull secrets follow one rule (ClusterRegistryAccess passes both the same
 * selection). Unknown regions are kept as written, for {@link checkRegionList} to report.
 */
export function policyLocations(selection: {
    readonly regions?: readonly string[];
    readonly includeGlobal?: boolean;
}): string[] | undefined {
    if (selection.regions === undefined) return undefined;
    const locations = selection.regions.map((r) => findRegion(r)?.iamRegion ?? r);
    if ((selection.includeGlobal ?? true) && !locations.includes(GLOBAL_REGION.iamRegion)) {
        locations.push(GLOBAL_REGION.iamRegion);
    }
    return locations;
}

const GLOBAL_REGION = REGISTRY_REGIONS[0];

function domainProblem(field: string, value: string): string {
    const deprecated = deprecatedDomainProblem(field, value);
    if (deprecated !== undefined) return deprecated;
    const cleaned = value
        .toLowerCase()
        .replace(/^https?:\/\//, "")
        .replace(/\/+$/, "");
    let hint =
        cleaned !== value && ALL_REGISTRY_DOMAINS.includes(cleaned) ? ` Did you mean "${cleaned}"?` : "";
    const icr = /^(private\.)?([^.]+)\.icr\.io$/.exec(cleaned);
    if (hint === "" && icr !== null) {
        // Only the region label is wrong: judge the typo on that label, so "fr2" suggests nothing.
        const prefix = closest(
            icr[2],
            REGISTRY_REGIONS.map((r) => r.prefix).filter((p) => p !== ""),
        );
        hint = prefix === undefined ? "" : ` Did you mean "${icr[1] ?? ""}${prefix}.icr.io"?`;
    } else if (hint === "") {
        hint = didYouMean(value, ALL_REGISTRY_DOMAINS);
    }
    return (
        `${field}: unknown IBM Cloud Container Registry domain "${value}".` +
        hint +
        ` Valid domains: ${REGISTRY_REGIONS.map((r) => r.domain).join(", ")}, each also with a "private." prefix. ` +
        `For a registry outside IBM Cloud, use RegistryCredentials.`
    );
}

function toDomain(r: RegistryRegion, isPrivate: boolean): RegistryDomain {
    const domain = isPrivate ? r.privateDomain : r.domain;
    return { domain, key: domain.replace(/\./g, "-"), iamRegion: r.iamRegion, private: isPrivate };
}

/**
 * Resolves a selection to registry domains in table order (public before private within a
 * region), without duplicates. Throws {@link RegistryDomainError} listing every problem.
 *
 * - `domains` lists domains exactly; it cannot be combined with the other fields.
 * - Otherwise `regions` (default: every region) plus `icr.io` unless `includeGlobal` is
 *   false, each as a public domain, a private one, or both (`endpoints`, default `public`).
 *   Each region is named once, and `regions: []` is refused unless `includeGlobal` is `true`
 *   ({@link checkRegionList}).
 */
export function resolveRegistryDomains(selection: RegistryDomainSelection = {}): RegistryDomain[] {
    const problems: string[] = [];
    const endpoints = selection.endpoints ?? RegistryEndpoints.Public;
    if (!ENDPOINT_VALUES.includes(endpoints)) {
        problems.push(
            `endpoints: unknown value "${endpoints}".${didYouMean(endpoints, ENDPOINT_VALUES)} ` +
                `Valid values: ${ENDPOINT_VALUES.join(", ")}.`,
        );
    }

    if (selection.domains !== undefined) {
        const others = (["regions", "includeGlobal", "endpoints"] as const).filter(
            (k) => selection[k] !== undefined,
        );
        if (others.length > 0) {
            problems.length = 0;
            problems.push(
                `domains: cannot be combined with ${others.map((k) => `"${k}"`).join(", ")}. ` +
                    `List every domain (public or private.) in "domains", or choose by region without "domains".`,
            );
            throw new RegistryDomainError(joinProblems(problems));
        }
        const wanted = new Set<string>();
        selection.domains.forEach((d, i) => {
            if (ALL_REGISTRY_DOMAINS.includes(d)) wanted.add(d);
            else problems.push(domainProblem(`domains[${i}]`, d));
        });
        if (problems.length === 0 && wanted.size === 0) {
            problems.push(
                `domains: the list is empty, so no pull secret would be written. Name at least one domain, or omit "domains" for every public domain.`,
            );
        }
        if (problems.length > 0) throw new RegistryDomainError(joinProblems(problems));
        return REGISTRY_REGIONS.flatMap((r) => [
            ...(wanted.has(r.domain) ? [toDomain(r, false)] : []),
            ...(wanted.has(r.privateDomain) ? [toDomain(r, true)] : []),
        ]);
    }

    // The regions an identity of the same selection is granted (policyLocations): every region
    // when `regions` is omitted, less `icr.io` when includeGlobal is false.
    const chosen = new Set<RegistryRegion>();
    const locations = policyLocations(selection);
    if (locations === undefined) {
        REGISTRY_REGIONS.forEach((r) => chosen.add(r));
        if (selection.includeGlobal === false) chosen.delete(GLOBAL_REGION);
    } else {
        problems.push(...checkRegionList("regions", selection.regions, selection.includeGlobal));
        for (const location of locations) {
            const r = typeof location === "string" ? findRegion(location) : undefined;
            if (r !== undefined) chosen.add(r);
        }
    }
    if (problems.length > 0) throw new RegistryDomainError(joinProblems(problems));

    const pub = endpoints !== RegistryEndpoints.Private;
    const priv = endpoints !== RegistryEndpoints.Public;
    return REGISTRY_REGIONS.filter((r) => chosen.has(r)).flatMap((r) => [
        ...(pub ? [toDomain(r, false)] : []),
        ...(priv ? [toDomain(r, true)] : []),
    ]);
}
