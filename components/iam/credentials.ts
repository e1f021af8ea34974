// Where the IAM provider code finds its IBM Cloud credentials, at run time only: in the
// dynamic-provider process, from (1) a resource's own `credentials` input, (2) Pulumi config
// (`ibmcloud:apiKey`, `ibmcloud:iamEndpoint`, `ibmcloud:accountId`, handed to the provider's
// `configure`), or (3) the environment (`IBMCLOUD_API_KEY`, `IBMCLOUD_IAM_ENDPOINT`,
// `IBMCLOUD_ACCOUNT_ID`). Nothing here is captured when a provider is serialized, so a rotated
// key is picked up by the next `up` or `destroy` (pulumi/pulumi#4981).
// Pure: no runtime Pulumi import (providers load it in the engine's dynamic-provider host).
import type * as pulumi from "@pulumi/pulumi";
import { describeSecretValue } from "../internal/secretShape";
import { isUnknown, UNKNOWN } from "../internal/unknown";
import { ACCOUNT_ID_PATTERN, checkAccountId } from "./validation";

/** IBM's public IAM endpoint (IBM SDK `DEFAULT_SERVICE_URL`). */
export const DEFAULT_IAM_ENDPOINT = "https://iam.cloud.ibm.com";

/** Pulumi config keys the IAM resources read. */
export const IAM_CONFIG_KEYS = {
    apiKey: "ibmcloud:apiKey",
    iamEndpoint: "ibmcloud:iamEndpoint",
    accountId: "ibmcloud:accountId",
} as const;

/** Environment variables the IAM resources read. */
export const IAM_ENV_VARS = {
    apiKey: "IBMCLOUD_API_KEY",
    iamEndpoint: "IBMCLOUD_IAM_ENDPOINT",
    accountId: "IBMCLOUD_ACCOUNT_ID",
} as const;

/**
 * Credentials for one IAM resource, overriding the stack-wide ones, e.g. to manage IAM objects
 * in another IBM Cloud account. The whole object is stored as a secret.
 */
export interface IamCredentialsArgs {
    /** An IBM Cloud API key allowed to manage IAM in the target account. */
    readonly apiKey: pulumi.Input<string>;
    /**
     * IAM base URL.
     * @default - `ibmcloud:iamEndpoint` config, then `IBMCLOUD_IAM_ENDPOINT`, then https://iam.cloud.ibm.com
     */
    readonly iamEndpoint?: pulumi.Input<string>;
    /**
     * The account the key belongs to.
     * @default - the `account.bss` claim of the key's access token (never the stack-wide account id,
     * which belongs to another key)
     */
    readonly accountId?: pulumi.Input<string>;
}

/** {@link IamCredentialsArgs} as provider code sees it: resolved values. @internal */
export interface IamCredentialsInputs {
    apiKey: string;
    iamEndpoint?: string;
    accountId?: string;
}

/** The stack-wide values read in a provider's `configure`. @internal */
export interface IamProviderConfig {
    apiKey?: string;
    iamEndpoint?: string;
    accountId?: string;
}

/** Credentials ready for an {@link IamClient}. @internal */
export interface ResolvedIamCredentials {
    apiKey: string;
    iamEndpoint: string;
    /** Undefined when the account must come from the token's `account.bss` claim. */
    accountId?: string;
    /** Where the API key came from, for error messages (never the key itself). */
    source: string;
}

/** The part of `pulumi.dynamic.Config` that `configure` uses. @internal */
export interface ConfigReader {
    get(key: string): string | undefined;
}

/**
 * Reads the stack-wide IAM settings from the config a dynamic provider's `configure` receives.
 * The dynamic-provider host passes the whole stack config keyed `<namespace>:<key>`, so the keys
 * are asked for with their `ibmcloud:` namespace.
 * @internal
 */
export function iamProviderConfigFrom(config: ConfigReader | undefined): IamProviderConfig {
    if (!config) return {};
    const read = (key: string): string | undefined => {
        const v = config.get(key);
        return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
    };
    return {
        apiKey: read(IAM_CONFIG_KEYS.apiKey),
        iamEndpoint: read(IAM_CONFIG_KEYS.iamEndpoint),
        accountId: read(IAM_CONFIG_KEYS.accountId),
    };
}

/** The message of a missing API key: the three ways to give one. @internal */
export function missingApiKeyMessage(resource?: string): string {
    return (
        `No IBM Cloud API key for IAM${resource ? ` (${resource})` : ""}. Give one in any of three ways: ` +
        `the resource's \`credentials.apiKey\` input (per resource, e.g. for another account); ` +
        `Pulumi config \`pulumi config set --secret ${IAM_CONFIG_KEYS.apiKey} <key>\`; ` +
        `or the ${IAM_ENV_VARS.apiKey} environment variable of the \`pulumi\` process.`
    );
}

/**
 * The error thrown when no API key is found anywhere: a plain Error named "MissingApiKeyError"
 * (not a subclass: subclasses of Error lose their message once serialized into a provider).
 * @internal
 */
export function missingApiKeyError(resource?: string): Error {
    const err = new Error(missingApiKeyMessage(resource));
    err.name = "MissingApiKeyError";
    return err;
}

function nonEmpty(v: string | undefined): string | undefined {
    return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

/** Where each IAM setting can come from, as error messages name it. @internal */
export const IAM_ENDPOINT_SOURCES = {
    resource: "the resource's `credentials.iamEndpoint` input",
    config: `Pulumi config \`${IAM_CONFIG_KEYS.iamEndpoint}\``,
    env: `the ${IAM_ENV_VARS.iamEndpoint} environment variable`,
} as const;

/**
 * The error thrown when the chosen IAM endpoint is unusable, e.g. plain http to a remote host:
 * a plain Error named "InvalidIamEndpointError" (see {@link missingApiKeyError} on why not a
 * subclass). The message names where the endpoint came from and the fix, never the endpoint.
 * @internal
 */
export function invalidEndpointError(source: string, reason: string): Error {
    const err = new Error(`The IAM endpoint from ${source} ${reason}`);
    err.name = "InvalidIamEndpointError";
    return err;
}

/**
 * Picks the credentials for one operation. Per field, the first of: the resource's own
 * `credentials`, stack config, environment; the endpoint defaults to IBM's. The account id
 * follows the key: with a per-resource key only its own `accountId` counts (else the token's
 * claim decides), because the stack-wide account id belongs to the stack-wide key.
 * The endpoint is checked wherever it came from ({@link checkEndpoint}): the token request
 * carries the API key, so it must not travel over plain http beyond loopback.
 * @throws an Error named MissingApiKeyError when no source has a key, or one named
 * InvalidIamEndpointError when the chosen endpoint is unusable
 * @internal
 */
export function resolveIamCredentials(
    perResource: IamCredentialsInputs | undefined,
    config: IamProviderConfig | undefined,
    env: Record<string, string | undefined>,
    resource?: string,
): ResolvedIamCredentials {
    const own = nonEmpty(perResource?.apiKey);
    const fromConfig = nonEmpty(config?.apiKey);
    const fromEnv = nonEmpty(env[IAM_ENV_VARS.apiKey]);
    const endpoints: [string | undefined, string][] = [
        [nonEmpty(perResource?.iamEndpoint), IAM_ENDPOINT_SOURCES.resource],
        [nonEmpty(config?.iamEndpoint), IAM_ENDPOINT_SOURCES.config],
        [nonEmpty(env[IAM_ENV_VARS.iamEndpoint]), IAM_ENDPOINT_SOURCES.env],
    ];
    const [given, endpointSource] = endpoints.find(([value]) => value !== undefined) ?? [undefined, ""];
    if (given !== undefined) {
        const reason = checkEndpoint(given);
        if (reason !== undefined) throw invalidEndpointError(endpointSource, reason);
    }
    const iamEndpoint = (given ?? DEFAULT_IAM_ENDPOINT).replace(/\/+$/, "");
    if (own !== undefined) {
        return {
            apiKey: own,
            iamEndpoint,
            accountId: nonEmpty(perResource?.accountId),
            source: "the resource's `credentials.apiKey` input",
        };
    }
    const accountId = nonEmpty(config?.accountId) ?? nonEmpty(env[IAM_ENV_VARS.accountId]);
    if (fromConfig !== undefined) {
        return {
            apiKey: fromConfig,
            iamEndpoint,
            accountId,
            source: `Pulumi config \`${IAM_CONFIG_KEYS.apiKey}\``,
        };
    }
    if (fromEnv !== undefined) {
        return {
            apiKey: fromEnv,
            iamEndpoint,
            accountId,
            source: `the ${IAM_ENV_VARS.apiKey} environment variable`,
        };
    }
    throw missingApiKeyError(resource);
}

/**
 * Problems with a resource's `credentials` input, for `check`. Unknown values (preview) pass.
 * The whole object is a secret, so no reason shows any of its values: they are described by
 * type, length and kinds of character ({@link describeSecretValue}), and a key and an account
 * id given the wrong way round are named as such.
 * @param field the input's name as the user wrote it (`registryCredentials` on ClusterRegistryAccess)
 * @internal
 */
export function checkCredentialsInput(
    value: unknown,
    field = "credentials",
): { property: string; reason: string }[] {
    if (value === undefined || value === null || value === UNKNOWN) return [];
    if (typeof value !== "object" || Array.isArray(value)) {
        return [
            {
                property: field,
                reason:
                    `must be an object { apiKey, iamEndpoint?, accountId? }; got ${describeSecretValue(value)}. ` +
                    `To give only a key, write { apiKey: <key> }.`,
            },
        ];
    }
    const c = value as Record<string, unknown>;
    const failures: { property: string; reason: string }[] = [];
    const swapped =
        typeof c.apiKey === "string" &&
        ACCOUNT_ID_PATTERN.test(c.apiKey.trim()) &&
        typeof c.accountId === "string" &&
        !ACCOUNT_ID_PATTERN.test(c.accountId.trim()) &&
        !isUnknown(c.accountId);
    if (swapped) {
        failures.push({
            property: `${field}.apiKey`,
            reason:
                `holds an IBM Cloud account id (32 hexadecimal characters), and \`accountId\` holds ` +
                `${describeSecretValue(c.accountId)}: the two look swapped. Put the API key in \`apiKey\` ` +
                `and the account id in \`accountId\` (or omit \`accountId\` to use the key's account).`,
        });
    } else {
        if (!isUnknown(c.apiKey) && (typeof c.apiKey !== "string" || c.apiKey.trim() === "")) {
            failures.push({
                property: `${field}.apiKey`,
                reason:
                    `must be a non-empty API key; got ${describeSecretValue(c.apiKey)}. ` +
                    `Omit \`${field}\` to use the stack-wide key.`,
            });
        }
        failures.push(...checkAccountId(`${field}.accountId`, c.accountId, { secret: true }));
    }
    if (c.iamEndpoint !== undefined && !isUnknown(c.iamEndpoint)) {
        const reason = checkEndpoint(c.iamEndpoint);
        if (reason) failures.push({ property: `${field}.iamEndpoint`, reason });
    }
    for (const k of Object.keys(c)) {
        if (!["apiKey", "iamEndpoint", "accountId"].includes(k)) {
            failures.push({
                property: `${field}.${k}`,
                reason: "unknown field; use apiKey, iamEndpoint or accountId",
            });
        }
    }
    return failures;
}

/**
 * Whether a URL host is this machine: `localhost`, 127.0.0.0/8 or ::1. WHATWG URL parsing has
 * already normalised the spellings (`127.1`, `0x7f.0.0.1`, `[0:0::1]`).
 */
function isLoopbackHost(hostname: string): boolean {
    return (
        hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
    );
}

/**
 * Why `value` is not a usable IAM endpoint URL, or undefined when it is. The reason continues
 * a sentence about the endpoint ("must be …", "uses …") and never shows the value: it may sit
 * in a secret `credentials` object, and a swapped field would put the API key here.
 *
 * Plain `http:` is refused except on loopback: the token request's form body is the API key,
 * and IAM's answers are bearer tokens, so they must not cross a network unencrypted; the IAM
 * emulator of the test bed listens on http://127.0.0.1.
 * @internal
 */
export function checkEndpoint(value: unknown): string | undefined {
    const example = "use https://iam.cloud.ibm.com (IBM's IAM), or another https:// URL";
    if (typeof value !== "string" || value.trim() === "") {
        return `must be a URL; got ${describeSecretValue(value)}. ${capitalised(example)}.`;
    }
    let u: URL;
    try {
        u = new URL(value.trim());
    } catch {
        return `is not a URL (got ${describeSecretValue(value)}); ${example}.`;
    }
    if (u.username || u.password) {
        return `must not carry a user name or password; give the key in \`apiKey\` and ${example}.`;
    }
    if (u.protocol === "https:") return undefined;
    if (u.protocol === "http:") {
        if (isLoopbackHost(u.hostname)) return undefined;
        return (
            `uses plain http: to a host that is not loopback, so the API key and the tokens IAM returns would ` +
            `cross the network unencrypted; ${example}. (Plain http: is accepted only for localhost, ` +
            `127.0.0.0/8 and ::1, e.g. a local IAM emulator.)`
        );
    }
    const scheme = /^[a-z][a-z0-9+.-]{0,9}:$/.test(u.protocol) ? ` "${u.protocol}"` : " another";
    return `uses the${scheme} scheme, not https:; ${example}.`;
}

function capitalised(text: string): string {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
