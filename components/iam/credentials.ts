// Where the IAM provider code finds its IBM Cloud credentials, at run time only: in the
// dynamic-provider process, from (1) a resource's own `credentials` input, (2) Pulumi config
// (`ibmcloud:apiKey`, `ibmcloud:iamEndpoint`, `ibmcloud:accountId`, handed to the provider's
// `configure`), or (3) the environment (`IBMCLOUD_API_KEY`, `IBMCLOUD_IAM_ENDPOINT`,
// `IBMCLOUD_ACCOUNT_ID`). Nothing here is captured when a provider is serialized, so a rotated
// key is picked up by the next `up` or `destroy` (pulumi/pulumi#4981).
// Pure: no runtime Pulumi import (this module is serialized by value into providers).
import type * as pulumi from "@pulumi/pulumi";

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

/**
 * Picks the credentials for one operation. Per field, the first of: the resource's own
 * `credentials`, stack config, environment; the endpoint defaults to IBM's. The account id
 * follows the key: with a per-resource key only its own `accountId` counts (else the token's
 * claim decides), because the stack-wide account id belongs to the stack-wide key.
 * @throws an Error named MissingApiKeyError when no source has a key
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
    const iamEndpoint = (
        nonEmpty(perResource?.iamEndpoint) ??
        nonEmpty(config?.iamEndpoint) ??
        nonEmpty(env[IAM_ENV_VARS.iamEndpoint]) ??
        DEFAULT_IAM_ENDPOINT
    ).replace(/\/+$/, "");
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
 * @internal
 */
export function checkCredentialsInput(value: unknown): { property: string; reason: string }[] {
    if (value === undefined || value === null) return [];
    if (typeof value !== "object" || Array.isArray(value)) {
        return [
            { property: "credentials", reason: "must be an object { apiKey, iamEndpoint?, accountId? }" },
        ];
    }
    const c = value as Record<string, unknown>;
    const failures: { property: string; reason: string }[] = [];
    const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    if (c.apiKey !== UNKNOWN && (typeof c.apiKey !== "string" || c.apiKey.trim() === "")) {
        failures.push({
            property: "credentials.apiKey",
            reason: "must be a non-empty API key; omit `credentials` to use the stack-wide key",
        });
    }
    if (c.iamEndpoint !== undefined && c.iamEndpoint !== UNKNOWN) {
        const reason = checkEndpoint(c.iamEndpoint);
        if (reason) failures.push({ property: "credentials.iamEndpoint", reason });
    }
    for (const k of Object.keys(c)) {
        if (!["apiKey", "iamEndpoint", "accountId"].includes(k)) {
            failures.push({
                property: `credentials.${k}`,
                reason: "unknown field; use apiKey, iamEndpoint or accountId",
            });
        }
    }
    return failures;
}

/**
 * Why `value` is not a usable IAM endpoint URL, or undefined when it is.
 * @internal
 */
export function checkEndpoint(value: unknown): string | undefined {
    if (typeof value !== "string" || value.trim() === "")
        return "must be a URL such as https://iam.cloud.ibm.com";
    try {
        const u = new URL(value);
        if (u.protocol !== "https:" && u.protocol !== "http:") {
            return `"${value}" is not an http(s) URL; use e.g. https://iam.cloud.ibm.com`;
        }
        if (u.username || u.password) return "must not carry a user name or password";
        return undefined;
    } catch {
        return `"${value}" is not a URL; use e.g. https://iam.cloud.ibm.com`;
    }
}
