// IBM Cloud Container Registry's regions as data: the one table of region facts (IAM name,
// domain prefix, former name, location, domains). The IAM policy model's REGIONS and the
// registry domain rules both read it. Pure: no imports.
// Source: IBM Cloud Container Registry docs, registry_overview.md (#registry_regions).

/** One IBM Cloud Container Registry region and the domains that serve it. */
export interface RegistryRegion {
    /** IAM region name, as used in access policies (`us-south`), or `global` for `icr.io`. */
    readonly iamRegion: string;
    /** The domain's first label (`us` in `us.icr.io`); empty for the global `icr.io`. */
    readonly prefix: string;
    /** The region's name before IBM switched to IAM region names (`ap-south`), if it had one. */
    readonly formerName?: string;
    /** Where the registry runs. */
    readonly location: string;
    /** Public domain, e.g. `us.icr.io`. */
    readonly domain: string;
    /** Private (service endpoint / VRF) domain, e.g. `private.us.icr.io`. */
    readonly privateDomain: string;
    /** The deprecated token-era domain, e.g. `registry.ng.bluemix.net`, if the region had one. */
    readonly deprecatedDomain?: string;
}

// Generic in the IAM name so that the table below keeps each name as a literal type, from
// which the policy model's `Region` type is derived.
const region = <Name extends string>(
    iamRegion: Name,
    prefix: string,
    location: string,
    extra: { formerName?: string; deprecatedDomain?: string } = {},
): RegistryRegion & { readonly iamRegion: Name } => {
    const domain = prefix === "" ? "icr.io" : `${prefix}.icr.io`;
    return { iamRegion, prefix, location, domain, privateDomain: `private.${domain}`, ...extra };
};

const TABLE = [
    region("global", "", "global", { deprecatedDomain: "registry.bluemix.net" }),
    region("us-south", "us", "Dallas", { deprecatedDomain: "registry.ng.bluemix.net" }),
    region("eu-gb", "uk", "London", {
        formerName: "uk-south",
        deprecatedDomain: "registry.eu-gb.bluemix.net",
    }),
    region("eu-de", "de", "Frankfurt", {
        formerName: "eu-central",
        deprecatedDomain: "registry.eu-de.bluemix.net",
    }),
    region("au-syd", "au", "Sydney", {
        formerName: "ap-south",
        deprecatedDomain: "registry.au-syd.bluemix.net",
    }),
    region("jp-tok", "jp", "Tokyo", { formerName: "ap-north" }),
    region("jp-osa", "jp2", "Osaka"),
    region("ca-tor", "ca", "Toronto"),
    region("ca-mon", "ca2", "Montreal"),
    region("br-sao", "br", "São Paulo"),
    region("eu-es", "es", "Madrid"),
    region("in-che", "in", "Chennai"),
    region("in-mum", "in2", "Mumbai"),
] as const;

/**
 * Every region IBM Cloud Container Registry serves, global first, then the five regions of
 * the original runbook (us, uk, de, au, jp), then the newer ones in the order they opened.
 * This order is the order of domains in secrets and of `secretNames`.
 * @see https://cloud.ibm.com/docs/Registry?topic=Registry-registry_overview#registry_regions
 */
export const REGISTRY_REGIONS: readonly RegistryRegion[] = Object.freeze(TABLE);

/** The IAM name of a row of {@link REGISTRY_REGIONS}, `global` included. */
export type RegistryRegionName = (typeof TABLE)[number]["iamRegion"];

/** The IAM names of {@link REGISTRY_REGIONS}, in table order, `global` first. */
export const REGISTRY_REGION_NAMES: readonly RegistryRegionName[] = Object.freeze(
    TABLE.map((r) => r.iamRegion),
);
