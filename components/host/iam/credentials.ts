// Where the IAM providers find their IBM Cloud credentials, at run time only, in the provider
// host: from (1) a resource's own `credentials` input, (2) Pulumi config (`ibmcloud:apiKey`,
// `ibmcloud:iamEndpoint`, `ibmcloud:accountId`, handed to the provider's `configure`), or (3)
// the environment (`IBMCLOUD_API_KEY`, `IBMCLOUD_IAM_ENDPOINT`, `IBMCLOUD_ACCOUNT_ID`). Nothing
// here is captured when a provider is serialized, so a rotated key is picked up by the next
// `up` or `destroy` (pulumi/pulumi#4981).
import {
    checkEndpoint,
    DEFAULT_IAM_ENDPOINT,
    IAM_CONFIG_KEYS,
    IAM_ENV_VARS,
    IamCredentialsInputs,
} from "../../shared/iam/credentialInputs";

/** The stack-wide values read in a provider's `configure`. @internal */
export interface IamProviderConfig {
    apiKey?: string;
    iamEndpoint?: string;
    accountId?: string;
}

/** Credentials ready for an IAM client. @internal */
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
 * The provider host passes the whole stack config keyed `<namespace>:<key>`, so the keys
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
