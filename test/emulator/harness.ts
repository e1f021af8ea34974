// Shared set-up for the emulator specs: accounts, an HTTP client that never throws on status,
// and helpers that speak IBM's wire format (form-encoded token requests, bearer headers).
import axios, { AxiosInstance, AxiosRequestConfig, AxiosResponse } from "axios";
import { IamEmulator, IamEmulatorOptions, startIamEmulator } from "../../emulator";

/** Two IBM-style account ids (32 hex) and their admin keys. */
export const ACCOUNT_A = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
export const ACCOUNT_B = "f9e8d7c6b5a4938271605f4e3d2c1b0a";
export const ADMIN_KEY_A = "admin-key-for-account-a-7d3f0c2b9e1a4d6f";
export const ADMIN_KEY_B = "admin-key-for-account-b-1c9e2f4a6b8d0e3f";

export const APIKEY_GRANT = "urn:ibm:params:oauth:grant-type:apikey";
export const READER = "crn:v1:bluemix:public:iam::::serviceRole:Reader";
export const WRITER = "crn:v1:bluemix:public:iam::::serviceRole:Writer";

/** A running emulator with a client bound to it. */
export interface Harness {
    readonly iam: IamEmulator;
    readonly http: AxiosInstance;
}

/** Starts an emulator serving accounts A and B on a free loopback port. */
export async function startHarness(extra: Partial<IamEmulatorOptions> = {}): Promise<Harness> {
    const iam = await startIamEmulator({
        port: 0,
        accounts: [
            { accountId: ACCOUNT_A, apiKey: ADMIN_KEY_A },
            { accountId: ACCOUNT_B, apiKey: ADMIN_KEY_B },
        ],
        ...extra,
    });
    return { iam, http: client(iam.url) };
}

/** An axios instance that returns every response instead of throwing. */
export function client(baseURL: string): AxiosInstance {
    return axios.create({ baseURL, validateStatus: () => true });
}

/** POSTs a token request with the given form fields, as IBM's SDKs do. */
export function tokenRequest(http: AxiosInstance, fields: Record<string, string>): Promise<AxiosResponse> {
    return http.post("/identity/token", new URLSearchParams(fields).toString(), {
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    });
}

/** Exchanges `apikey` for an access token; fails the test on anything but 200. */
export async function tokenFor(http: AxiosInstance, apikey: string): Promise<string> {
    const res = await tokenRequest(http, { grant_type: APIKEY_GRANT, apikey, response_type: "cloud_iam" });
    if (res.status !== 200) throw new Error(`token exchange failed with ${res.status}`);
    return res.data.access_token as string;
}

/** Request options with `Authorization: Bearer <token>` (and extra headers). */
export function bearer(token: string, headers: Record<string, string> = {}): AxiosRequestConfig {
    return { headers: { Authorization: `Bearer ${token}`, ...headers } };
}

/** Decodes a JWT's header and payload without verifying it. */
export function decodeJwt(token: string): {
    header: Record<string, unknown>;
    claims: Record<string, unknown>;
} {
    const [h, p] = token.split(".");
    return {
        header: JSON.parse(Buffer.from(h, "base64url").toString("utf8")),
        claims: JSON.parse(Buffer.from(p, "base64url").toString("utf8")),
    };
}

/** Creates a service ID and returns its body; fails on anything but 201. */
export async function createServiceId(
    http: AxiosInstance,
    token: string,
    accountId: string,
    name: string,
    extra: Record<string, unknown> = {},
): Promise<Record<string, string>> {
    const res = await http.post("/v1/serviceids/", { account_id: accountId, name, ...extra }, bearer(token));
    if (res.status !== 201)
        throw new Error(`createServiceId failed with ${res.status}: ${JSON.stringify(res.data)}`);
    return res.data;
}

/** Creates an API key for `iamId`; returns the create response body (with the value). */
export async function createApiKey(
    http: AxiosInstance,
    token: string,
    iamId: string,
    extra: Record<string, unknown> = {},
): Promise<Record<string, string>> {
    const res = await http.post("/v1/apikeys", { name: "key", iam_id: iamId, ...extra }, bearer(token));
    if (res.status !== 201)
        throw new Error(`createApiKey failed with ${res.status}: ${JSON.stringify(res.data)}`);
    return res.data;
}

/** The v1 policy body granting `iamId` a role on Container Registry, as the reference's example. */
export function registryPolicy(
    accountId: string,
    iamId: string,
    options: { role?: string; region?: string; geography?: string; namespace?: string } = {},
): Record<string, unknown> {
    const attributes: Record<string, string>[] = [
        { name: "accountId", value: accountId, operator: "stringEquals" },
        { name: "serviceName", value: "container-registry", operator: "stringEquals" },
    ];
    if (options.region) attributes.push({ name: "region", value: options.region, operator: "stringEquals" });
    if (options.geography)
        attributes.push({ name: "geography", value: options.geography, operator: "stringEquals" });
    if (options.namespace) {
        attributes.push({ name: "resourceType", value: "namespace", operator: "stringEquals" });
        attributes.push({ name: "resource", value: options.namespace, operator: "stringEquals" });
    }
    return {
        type: "access",
        description: "pull access",
        subjects: [{ attributes: [{ name: "iam_id", value: iamId }] }],
        roles: [{ role_id: options.role ?? READER }],
        resources: [{ attributes }],
    };
}

/** IBM's Identity error body keys. */
export const IDENTITY_ERROR_KEYS = ["context", "errors", "status_code", "trace"];
/** IBM's Identity error context keys (snake_case). */
export const IDENTITY_CONTEXT_KEYS = [
    "cluster_name",
    "elapsed_time",
    "end_time",
    "host",
    "instance_id",
    "operation",
    "start_time",
    "thread_id",
    "transaction_id",
    "url",
    "user_agent",
];
/** IBM's token-endpoint error context keys (camelCase). */
export const TOKEN_CONTEXT_KEYS = [
    "clusterName",
    "elapsedTime",
    "endTime",
    "host",
    "instanceId",
    "locale",
    "requestId",
    "requestType",
    "startTime",
    "threadId",
    "url",
    "userAgent",
];

/** Waits until `predicate` holds, polling every 10 ms, for at most `limitMs`. */
export async function waitFor(predicate: () => boolean, limitMs: number): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
    }
}
