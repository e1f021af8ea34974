// The rules for IAM credentials that both the program and the provider host apply: where they
// are read from (config keys, environment variables, IBM's endpoint), and the checks of a
// resource's `credentials` input, which the providers' `check` and the components' constructors
// both run. The object is a secret, so no check ever shows one of its values.
import { describeSecretValue } from "../secretShape";
import { isUnknown, UNKNOWN } from "../unknown";
import { ACCOUNT_ID_PATTERN, checkAccountId } from "./validation";

/** IBM's public IAM endpoint (IBM SDK `DEFAULT_SERVICE_URL`). */
export const DEFAULT_IAM_ENDPOINT = "https://iam.cloud.ibm.com";

/** Pulumi config keys the IAM resources read. */
export const IAM_CONFIG_KEYS = {
    /** The API key the IAM resources act with (set it with `--secret`). */
    apiKey: "ibmcloud:apiKey",
    /** IAM base URL; defaults to {@link DEFAULT_IAM_ENDPOINT}. */
    iamEndpoint: "ibmcloud:iamEndpoint",
    /** The account to act in; defaults to the API key's own account. */
    accountId: "ibmcloud:accountId",
} as const;

/** Environment variables the IAM resources read. */
export const IAM_ENV_VARS = {
    /** The API key, when `ibmcloud:apiKey` is not set. */
    apiKey: "IBMCLOUD_API_KEY",
    /** The IAM base URL, when `ibmcloud:iamEndpoint` is not set. */
    iamEndpoint: "IBMCLOUD_IAM_ENDPOINT",
    /** The account, when `ibmcloud:accountId` is not set. */
    accountId: "IBMCLOUD_ACCOUNT_ID",
} as const;

/** A resource's `credentials` input as the provider host sees it: resolved values. @internal */
export interface IamCredentialsInputs {
    apiKey: string;
    iamEndpoint?: string;
    accountId?: string;
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
