// Registry-token pull secrets, recognised by what they hold rather than by name: clusters made
// before 2019-02-25 pull with `token` credentials for the `registry.*.bluemix.net` domains,
// in `bluemix-default-secret(-regional|-international)` and copies named after each namespace,
// as `kubernetes.io/dockercfg` or `kubernetes.io/dockerconfigjson`. IBM rejects registry tokens
// since 2021-08-19; the bluemix.net domains still serve the same content as icr.io.
// Pure: no Pulumi import (the dynamic provider's host process runs it too), and nothing here ever returns a password.
import { DOCKER_CONFIG_JSON_KEY, DOCKER_CONFIG_JSON_TYPE } from "../k8s/dockerConfig";
import { REGISTRY_REGIONS } from "../registry/registryRegions";

/** The username of registry-token credentials. */
export const TOKEN_USERNAME = "token";

/** Secret type of the legacy `.dockercfg` format. */
export const DOCKER_CFG_TYPE = "kubernetes.io/dockercfg";

/** Data key of a `kubernetes.io/dockercfg` secret. */
export const DOCKER_CFG_KEY = ".dockercfg";

/** A Secret as the API server returns it (only the fields read here). */
export interface SecretObject {
    readonly metadata: { readonly name?: string; readonly uid?: string; readonly [key: string]: unknown };
    readonly type?: string;
    readonly data?: Readonly<Record<string, string>>;
}

/** A registry-token pull secret and what replaces it. */
export interface TokenSecret {
    /** The secret's name. */
    readonly name: string;
    /** `kubernetes.io/dockercfg` or `kubernetes.io/dockerconfigjson`. */
    readonly type: string;
    /** The deprecated hosts it holds tokens for, sorted (`registry.ng.bluemix.net`). */
    readonly oldDomains: string[];
    /** Their icr.io replacements, in the registry table's order (`us.icr.io`). */
    readonly newDomains: string[];
    /** IAM regions of the replacements (`us-south`, or `global` for `icr.io`), in table order. */
    readonly regions: string[];
}

/** Why a secret that holds registry tokens cannot be migrated, or undefined. */
export interface UnmappedTokenSecret {
    readonly name: string;
    /** The token hosts with no icr.io counterpart (no such bluemix.net region existed). */
    readonly unknownDomains: string[];
}

const OLD_TO_REGION = new Map(
    REGISTRY_REGIONS.filter((r) => r.deprecatedDomain !== undefined).map((r) => [r.deprecatedDomain!, r]),
);

/** `registry.bluemix.net` and `registry.<region>.bluemix.net`. */
const OLD_DOMAIN = /^registry(\.[a-z0-9-]+)?\.bluemix\.net$/;

/** The host of a registry server as docker config keys write it: any scheme and path dropped, lower case. */
export function registryHost(server: string): string {
    return server
        .trim()
        .toLowerCase()
        .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
        .replace(/\/.*$/, "");
}

/** True for a deprecated `registry.*.bluemix.net` host (with or without scheme and path). */
export function isOldRegistryDomain(server: string): boolean {
    return OLD_DOMAIN.test(registryHost(server));
}

/**
 * The icr.io domain that serves what a `registry.*.bluemix.net` host served, or undefined for
 * any other host (including bluemix hosts of regions that never had one).
 */
export function newDomainOf(oldServer: string): string | undefined {
    return OLD_TO_REGION.get(registryHost(oldServer))?.domain;
}

interface TokenEntry {
    readonly host: string;
    readonly username: string | undefined;
}

/** The `auths` entries (dockerconfigjson) or top-level entries (dockercfg), usernames only. */
function entriesOf(secret: SecretObject): TokenEntry[] | undefined {
    const key =
        secret.type === DOCKER_CONFIG_JSON_TYPE
            ? DOCKER_CONFIG_JSON_KEY
            : secret.type === DOCKER_CFG_TYPE
              ? DOCKER_CFG_KEY
              : undefined;
    const raw = key === undefined ? undefined : secret.data?.[key];
    if (raw === undefined) return undefined;
    let parsed: unknown;
    try {
        parsed = JSON.parse(Buffer.from(raw, "base64").toString("utf8"));
    } catch {
        return undefined;
    }
    const record = (v: unknown): Record<string, unknown> | undefined =>
        typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    const top = record(parsed);
    const auths = secret.type === DOCKER_CONFIG_JSON_TYPE ? record(top?.auths) : top;
    if (auths === undefined) return undefined;
    return Object.entries(auths).map(([server, value]) => {
        const e = record(value) ?? {};
        let username = typeof e.username === "string" ? e.username : undefined;
        if (username === undefined && typeof e.auth === "string") {
            const decoded = Buffer.from(e.auth, "base64").toString("utf8");
            const colon = decoded.indexOf(":");
            if (colon >= 0) username = decoded.slice(0, colon);
        }
        return { host: registryHost(server), username };
    });
}

/**
 * Classifies a secret by content. It is a registry-token secret when it is a pull-secret type
 * and every entry it holds has username `token` on a `registry.*.bluemix.net` host. A secret
 * that mixes token entries with anything else is not one: removing it would take away access
 * it also gives.
 * @returns `token` with the replacement domains; `unmapped` when a token host has no icr.io
 * counterpart; undefined for every other secret
 */
export function classifyTokenSecret(
    secret: SecretObject,
): { token: TokenSecret } | { unmapped: UnmappedTokenSecret } | undefined {
    const name = secret.metadata.name;
    if (name === undefined) return undefined;
    const entries = entriesOf(secret);
    if (entries === undefined || entries.length === 0) return undefined;
    if (!entries.every((e) => e.username === TOKEN_USERNAME && OLD_DOMAIN.test(e.host))) return undefined;
    const oldDomains = [...new Set(entries.map((e) => e.host))].sort();
    const unknownDomains = oldDomains.filter((d) => newDomainOf(d) === undefined);
    if (unknownDomains.length > 0) return { unmapped: { name, unknownDomains } };
    const regions = REGISTRY_REGIONS.filter(
        (r) => r.deprecatedDomain !== undefined && oldDomains.includes(r.deprecatedDomain),
    );
    return {
        token: {
            name,
            type: secret.type!,
            oldDomains,
            newDomains: regions.map((r) => r.domain),
            regions: regions.map((r) => r.iamRegion),
        },
    };
}

/** The registry-token secret among these, in name order; secrets of other kinds are left out. */
export function findTokenSecrets(secrets: readonly SecretObject[]): {
    tokens: TokenSecret[];
    unmapped: UnmappedTokenSecret[];
} {
    const tokens: TokenSecret[] = [];
    const unmapped: UnmappedTokenSecret[] = [];
    for (const s of secrets) {
        const c = classifyTokenSecret(s);
        if (c === undefined) continue;
        if ("token" in c) tokens.push(c.token);
        else unmapped.push(c.unmapped);
    }
    tokens.sort((a, b) => a.name.localeCompare(b.name));
    unmapped.sort((a, b) => a.name.localeCompare(b.name));
    return { tokens, unmapped };
}

/**
 * An image reference on a `registry.*.bluemix.net` host rewritten to its icr.io domain
 * (`registry.ng.bluemix.net/team/app:1` → `us.icr.io/team/app:1`); undefined when the image
 * names another registry or a bluemix host with no counterpart.
 */
export function icrImageReference(image: string): string | undefined {
    const slash = image.indexOf("/");
    if (slash < 0) return undefined;
    const domain = newDomainOf(image.slice(0, slash));
    return domain === undefined ? undefined : `${domain}${image.slice(slash)}`;
}
