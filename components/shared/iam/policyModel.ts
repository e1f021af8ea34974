// Container Registry access in IAM Policy Management v1 terms: role names and their CRNs,
// the registry's IAM regions (read from the registry's region table), and the policy body that
// grants a subject those roles.
// Reference: IBM IAM Policy Management v1 and the Registry docs (policy shape, role CRNs, valid regions,
// `geography=global`).
import { didYouMean } from "../suggest";
import { REGISTRY_REGION_NAMES, RegistryRegionName } from "../registry/registryRegions";

/**
 * Container Registry service roles (IBM docs "Service access roles").
 * @see https://cloud.ibm.com/docs/Registry?topic=Registry-iam
 */
export const Role = {
    /** Pull images, list namespaces and images. */
    Reader: "Reader",
    /** Reader, plus push and delete images. */
    Writer: "Writer",
    /** Writer, plus manage namespaces, retention and quotas. */
    Manager: "Manager",
} as const;
/** A Container Registry service role name. */
export type Role = (typeof Role)[keyof typeof Role];

/** Every role name, in order of growing power. */
export const ROLES: readonly Role[] = [Role.Reader, Role.Writer, Role.Manager];

/** An IAM region with a local Container Registry: every region of the registry's table but `global`. */
export type Region = Exclude<RegistryRegionName, "global">;

/**
 * The IAM regions that have a local Container Registry (IBM Registry docs, valid `region` values),
 * in alphabetical order; read from the registry's region table (REGISTRY_REGIONS).
 * A policy can name at most one; `"global"` stands for the global registry `icr.io`.
 * @see https://cloud.ibm.com/docs/Registry?topic=Registry-registry_overview#registry_regions
 */
export const REGIONS: readonly Region[] = Object.freeze(
    REGISTRY_REGION_NAMES.filter((name): name is Region => name !== "global").sort(),
);

/**
 * The value that scopes a policy to the global registry (`icr.io`). IBM's Registry docs model
 * global as a geography, so it becomes the attribute `geography=global`, not `region=global`.
 */
export const GLOBAL = "global";

/** What one policy may be scoped to: one IAM region, or `"global"`. */
export type RegistryLocation = Region | typeof GLOBAL;

/** Every value a policy's `region` accepts. */
export const LOCATIONS: readonly string[] = [...REGIONS, GLOBAL];

/** IAM service name of IBM Cloud Container Registry. */
export const CONTAINER_REGISTRY = "container-registry";

const ROLE_CRN_PREFIX = "crn:v1:bluemix:public:iam::::serviceRole:";
// The Registry docs' form of the same roles; IAM may echo it, so it is read too.
const REGISTRY_ROLE_CRN_PREFIX = "crn:v1:bluemix:public:container-registry::::serviceRole:";

/** The role CRN IAM expects for a service role name. */
export function roleCrn(role: Role): string {
    return `${ROLE_CRN_PREFIX}${role}`;
}

/** The role name of a role CRN, either form, or undefined for any other role. */
export function roleFromCrn(crn: string): Role | undefined {
    for (const prefix of [ROLE_CRN_PREFIX, REGISTRY_ROLE_CRN_PREFIX]) {
        if (crn.startsWith(prefix)) {
            const name = crn.slice(prefix.length);
            return (ROLES as readonly string[]).includes(name) ? (name as Role) : undefined;
        }
    }
    return undefined;
}

/** What a Container Registry access policy says, in this library's terms. */
export interface RegistryGrant {
    /** Subject: the `iam_id` of a service ID (or another identity). */
    iamId: string;
    /** Role names, in {@link ROLES} order. */
    roles: Role[];
    /** The account that owns the registry. */
    accountId: string;
    /** One IAM region, `"global"`, or undefined for every region. */
    region?: string;
    /** One registry namespace, or undefined for every namespace. */
    registryNamespace?: string;
    /** Policy description. */
    description?: string;
}

/** An IAM attribute. */
export interface PolicyAttribute {
    name: string;
    value: string;
    operator?: string;
}

/** The body of `POST /v1/policies` and `PUT /v1/policies/{id}`. */
export interface PolicyBody {
    type: "access";
    description?: string;
    subjects: { attributes: PolicyAttribute[] }[];
    roles: { role_id: string }[];
    resources: { attributes: PolicyAttribute[] }[];
}

/** Roles in a canonical order without duplicates, so equal grants compare equal. */
export function canonicalRoles(roles: readonly string[]): Role[] {
    return ROLES.filter((r) => roles.includes(r));
}

/** The IAM policy body for a grant (IBM IAM docs, granting a service ID access). */
export function policyBody(grant: RegistryGrant): PolicyBody {
    const eq = (name: string, value: string): PolicyAttribute => ({ name, value, operator: "stringEquals" });
    const attributes: PolicyAttribute[] = [
        eq("accountId", grant.accountId),
        eq("serviceName", CONTAINER_REGISTRY),
    ];
    if (grant.region === GLOBAL) attributes.push(eq("geography", GLOBAL));
    else if (grant.region !== undefined) attributes.push(eq("region", grant.region));
    if (grant.registryNamespace !== undefined) {
        attributes.push(eq("resourceType", "namespace"), eq("resource", grant.registryNamespace));
    }
    return {
        type: "access",
        ...(grant.description !== undefined && grant.description !== ""
            ? { description: grant.description }
            : {}),
        subjects: [{ attributes: [{ name: "iam_id", value: grant.iamId }] }],
        roles: canonicalRoles(grant.roles).map((r) => ({ role_id: roleCrn(r) })),
        resources: [{ attributes }],
    };
}

/** A policy as IAM returns it (the fields this library reads). */
export interface IbmPolicy {
    id: string;
    type?: string;
    description?: string;
    subjects?: { attributes?: PolicyAttribute[] }[];
    roles?: { role_id: string; display_name?: string }[];
    resources?: { attributes?: PolicyAttribute[] }[];
    href?: string;
    created_at?: string;
    last_modified_at?: string;
    state?: string;
}

/** A policy read back into grant terms, with whatever does not fit the grant model. */
export interface ParsedPolicy extends Partial<RegistryGrant> {
    roles: Role[];
    /** Role CRNs that are not Container Registry service roles (e.g. platform roles). */
    otherRoles: string[];
    /** Resource attributes this library does not set, e.g. `resourceGroupId`. */
    otherAttributes: string[];
    /** The `serviceName` attribute. */
    serviceName?: string;
}

/** Reads an IAM policy back into grant terms (for `read` and adoption). */
export function parsePolicy(p: IbmPolicy): ParsedPolicy {
    const subject = (p.subjects ?? [])[0]?.attributes ?? [];
    const attrs = (p.resources ?? [])[0]?.attributes ?? [];
    const get = (name: string) => attrs.find((a) => a.name === name)?.value;
    const roles: Role[] = [];
    const otherRoles: string[] = [];
    for (const r of p.roles ?? []) {
        const name = roleFromCrn(r.role_id);
        if (name) roles.push(name);
        else otherRoles.push(r.role_id);
    }
    const known = ["accountId", "serviceName", "region", "geography", "resourceType", "resource"];
    const geography = get("geography");
    return {
        iamId: subject.find((a) => a.name === "iam_id")?.value,
        roles: canonicalRoles(roles),
        otherRoles,
        accountId: get("accountId"),
        serviceName: get("serviceName"),
        region: geography === GLOBAL ? GLOBAL : get("region"),
        registryNamespace: get("resourceType") === "namespace" ? get("resource") : undefined,
        description: p.description,
        otherAttributes: attrs.map((a) => a.name).filter((n) => !known.includes(n)),
    };
}

/** A `check` failure: the input path and the reason. */
export interface Failure {
    property: string;
    reason: string;
}

/** Problems with a `roles` input: a non-empty list of known role names. */
export function checkRoles(property: string, value: unknown, isUnknown: (v: unknown) => boolean): Failure[] {
    if (isUnknown(value)) return [];
    if (!Array.isArray(value) || value.length === 0) {
        return [{ property, reason: `give at least one role: ${ROLES.join(", ")}` }];
    }
    const failures: Failure[] = [];
    value.forEach((r, i) => {
        if (isUnknown(r)) return;
        if (typeof r !== "string" || !(ROLES as readonly string[]).includes(r)) {
            failures.push({
                property: `${property}[${i}]`,
                reason:
                    `unknown role ${JSON.stringify(r)}; Container Registry service roles are ${ROLES.join(", ")}.` +
                    (typeof r === "string" ? didYouMean(r, ROLES) : ""),
            });
        }
    });
    const dup = value.filter((r, i) => typeof r === "string" && value.indexOf(r) !== i);
    if (dup.length > 0) {
        failures.push({ property, reason: `role ${JSON.stringify(dup[0])} is given twice` });
    }
    return failures;
}

/** Problems with a `region` input: one IAM region, or `"global"`. */
export function checkRegion(property: string, value: unknown, isUnknown: (v: unknown) => boolean): Failure[] {
    if (value === undefined || isUnknown(value)) return [];
    if (typeof value === "string" && LOCATIONS.includes(value)) return [];
    const hint = typeof value === "string" ? didYouMean(value, LOCATIONS) : "";
    return [
        {
            property,
            reason:
                `unknown region ${JSON.stringify(value)}. Valid regions: ${REGIONS.join(", ")}, ` +
                `or "global" for icr.io. Omit it for every region.${hint}`,
        },
    ];
}

/** Registry namespace names: 4-30 of a-z, 0-9, `-`, `_`, starting and ending with a letter or digit. */
export const REGISTRY_NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9_-]{2,28}[a-z0-9]$/;

/** Problems with a `registryNamespace` input. */
export function checkRegistryNamespace(
    property: string,
    value: unknown,
    isUnknown: (v: unknown) => boolean,
): Failure[] {
    if (value === undefined || isUnknown(value)) return [];
    if (typeof value === "string" && REGISTRY_NAMESPACE_PATTERN.test(value)) return [];
    return [
        {
            property,
            reason:
                `${JSON.stringify(value)} is not a Container Registry namespace name (4-30 lower-case letters, ` +
                `digits, "-" and "_", starting and ending with a letter or digit). Omit it for every namespace.`,
        },
    ];
}
