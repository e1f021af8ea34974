// IBM Cloud IAM over axios: the token exchange, IAM Identity (service IDs, API keys) and IAM
// Policy Management v1, with the behaviour a client of IBM IAM needs to survive:
//  - tokens cached per endpoint + key and refreshed at 80 % of their lifetime, as IBM's SDK
//    does (node-sdk-core `jwt-token-manager.ts`), with one exchange in flight at a time;
//  - retries with exponential backoff and jitter on 429 (honouring `Retry-After`), 5xx except
//    501, connection resets and timeouts, bounded in attempts and total time;
//  - a bounded wait when an object created moments ago still answers 404 (IAM is eventually
//    consistent: terraform-provider-ibm #3573, #4413);
//  - creates that are idempotent in effect: a create whose answer was lost (timeout, reset, 5xx)
//    may have been done, so before it is sent again the client looks for what it made and
//    adopts it, and afterwards removes any twin a lost attempt left (see each create);
//  - errors as `IamError`, built from the response the way node-sdk-core's `formatError` does,
//    never the AxiosError (its `config` holds the API key and the bearer token).
// This module runs inside dynamic providers, loaded by the `__provider` shims; state written
// before the shims holds by-value copies of it, so it must not import @pulumi/pulumi at run
// time, and state shared by every copy in one process (the token cache) lives on
// `globalThis` under a `Symbol.for` key.
// Method names follow IBM's SDK (`platform-services-node-sdk` iam-identity/v1.ts,
// iam-policy-management/v1.ts).
import axios from "axios";
import { createHash, randomBytes } from "crypto";
import type { IbmPolicy, PolicyBody } from "./policyModel";

// ---------------------------------------------------------------------------------------------
// Options

/** Timeouts and retry bounds of an {@link IamClient}. */
export interface IamClientTuning {
    /** Timeout of one HTTP request. @default 30000 */
    timeoutMs: number;
    /** Attempts per operation, the first included. @default 6 */
    maxAttempts: number;
    /** Give up retrying when the next wait would pass this much time since the first attempt. @default 120000 */
    maxElapsedMs: number;
    /** First backoff step; it doubles per attempt (with jitter). @default 500 */
    baseDelayMs: number;
    /** Longest backoff step. @default 20000 */
    maxDelayMs: number;
    /** Longest `Retry-After` honoured; longer hints are cut to this. @default 60000 */
    maxRetryAfterMs: number;
    /** How long after its creation an object's 404 is taken for replication lag and retried. @default 120000 */
    notFoundGraceMs: number;
    /** Pause between reads while waiting out that lag. @default 1000 */
    notFoundPollMs: number;
}

/** The defaults of {@link IamClientTuning}. */
export const DEFAULT_TUNING: IamClientTuning = {
    timeoutMs: 30_000,
    maxAttempts: 6,
    maxElapsedMs: 120_000,
    baseDelayMs: 500,
    maxDelayMs: 20_000,
    maxRetryAfterMs: 60_000,
    notFoundGraceMs: 120_000,
    notFoundPollMs: 1_000,
};

/** Environment variables that override {@link DEFAULT_TUNING} in the provider process. */
export const TUNING_ENV_VARS: Record<keyof IamClientTuning, string> = {
    timeoutMs: "ICR_ACCESS_IAM_TIMEOUT_MS",
    maxAttempts: "ICR_ACCESS_IAM_MAX_ATTEMPTS",
    maxElapsedMs: "ICR_ACCESS_IAM_MAX_ELAPSED_MS",
    baseDelayMs: "ICR_ACCESS_IAM_BASE_DELAY_MS",
    maxDelayMs: "ICR_ACCESS_IAM_MAX_DELAY_MS",
    maxRetryAfterMs: "ICR_ACCESS_IAM_MAX_RETRY_AFTER_MS",
    notFoundGraceMs: "ICR_ACCESS_IAM_NOT_FOUND_GRACE_MS",
    notFoundPollMs: "ICR_ACCESS_IAM_NOT_FOUND_POLL_MS",
};

/** Tuning from `ICR_ACCESS_IAM_*` variables; malformed values are ignored. */
export function iamTuningFromEnv(env: Record<string, string | undefined>): Partial<IamClientTuning> {
    const out: Partial<IamClientTuning> = {};
    for (const [field, name] of Object.entries(TUNING_ENV_VARS) as [keyof IamClientTuning, string][]) {
        const raw = env[name];
        if (raw === undefined || !/^\d+$/.test(raw.trim())) continue;
        const n = Number(raw.trim());
        if (field === "maxAttempts" && n < 1) continue;
        out[field] = n;
    }
    return out;
}

/** What an {@link IamClient} authenticates with. */
export interface IamClientCredentials {
    /** IBM Cloud API key, exchanged at `<iamEndpoint>/identity/token`. */
    apiKey: string;
    /** @default "https://iam.cloud.ibm.com" */
    iamEndpoint?: string;
    /** @default - the `account.bss` claim of the access token */
    accountId?: string;
    /** Where the key came from, named in authentication errors (never the key). */
    source?: string;
}

// ---------------------------------------------------------------------------------------------
// IBM objects (the fields this library reads)

/** A service ID as IAM Identity returns it. */
export interface ServiceIdResource {
    id: string;
    iam_id: string;
    entity_tag: string;
    crn: string;
    locked: boolean;
    created_at?: string;
    modified_at?: string;
    account_id: string;
    name: string;
    description?: string;
}

/** An API key as IAM Identity returns it. `apikey` is present only on create (or when stored). */
export interface ApiKeyResource {
    id: string;
    entity_tag: string;
    crn: string;
    locked: boolean;
    disabled?: boolean;
    created_at?: string;
    created_by?: string;
    modified_at?: string;
    name: string;
    description?: string;
    iam_id: string;
    account_id: string;
    apikey?: string;
    /** When IAM stops exchanging the key for tokens, `yyyy-MM-ddTHH:mm+0000`; absent: never. */
    expires_at?: string;
    /** `none`, `disable` or `delete` (IAM's default `disable`). */
    action_when_leaked?: string;
}

/** An API key read together with IAM's time of the answer. */
export interface ApiKeyAt {
    /** The key; undefined when IAM no longer has it (deleted, or purged after expiry). */
    key?: ApiKeyResource;
    /** IAM's time of the answer (ms since the epoch): its `Date` header, or ours without one. */
    iamNow: number;
}

/** A policy with its revision (`ETag` header). */
export interface PolicyWithEtag {
    policy: IbmPolicy;
    /** The `ETag` header as IAM sent it; undefined when IAM sent none. */
    etag?: string;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** Details of a 409 `policy_conflict_error`: the policy that already grants the same thing. */
export interface PolicyConflict {
    policyId: string;
    etag?: string;
}

/** What an {@link IamError} is built from. */
export interface IamErrorInit {
    method: string;
    path: string;
    status?: number;
    code?: string;
    messageCode?: string;
    message: string;
    transactionId?: string;
    attempts?: number;
    hint?: string;
    conflict?: PolicyConflict;
}

/**
 * A failed IAM call: method, path, HTTP status, IBM's error code and message, and the
 * transaction id IBM support asks for. It never holds the API key, a token, request headers
 * or a request body.
 */
export class IamError extends Error {
    readonly method: string;
    readonly path: string;
    /** HTTP status; undefined when no response came (timeout, reset). */
    readonly status?: number;
    /** IBM's `code` (Identity, Policy), `errorCode` (token), or the network error code. */
    readonly code?: string;
    /** Identity's `message_code`, e.g. "BXNIM0415E". */
    readonly messageCode?: string;
    /** IBM's message, as sent (secrets redacted). */
    readonly ibmMessage: string;
    /** `Transaction-Id` header or the body's `trace`. */
    readonly transactionId?: string;
    /** Attempts made before giving up. */
    readonly attempts: number;
    /** For a 409 `policy_conflict_error`, the policy that already exists. */
    readonly conflict?: PolicyConflict;

    constructor(init: IamErrorInit) {
        const what = [
            init.status ?? "no response",
            init.code,
            init.messageCode && init.messageCode !== init.code ? init.messageCode : undefined,
        ]
            .filter((x) => x !== undefined && x !== "")
            .join(" ");
        const tail = [
            init.transactionId ? `transaction-id ${init.transactionId}` : undefined,
            (init.attempts ?? 1) > 1 ? `after ${init.attempts} attempts` : undefined,
        ].filter((x) => x !== undefined);
        const message =
            `IAM ${init.method} ${init.path} failed: ${what}: ${init.message}` +
            (init.hint ? ` ${init.hint}` : "") +
            (tail.length > 0 ? ` (${tail.join(", ")})` : "");
        super(message);
        // Set by hand as well: serialized into a dynamic provider, this class becomes a function
        // calling `Error.call(this, message)`, which sets nothing on `this` and leaves the
        // prototype chain without Error.prototype. So provider code never uses `instanceof`.
        this.message = message;
        this.name = "IamError";
        if (typeof this.stack !== "string")
            this.stack = `IamError: ${message}\n${new Error().stack?.split("\n").slice(1).join("\n") ?? ""}`;
        this.method = init.method;
        this.path = init.path;
        this.status = init.status;
        this.code = init.code;
        this.messageCode = init.messageCode;
        this.ibmMessage = init.message;
        this.transactionId = init.transactionId;
        this.attempts = init.attempts ?? 1;
        this.conflict = init.conflict;
    }

    /** `IamError: <message>` (defined here too, for the serialized copy that lacks Error.prototype). */
    toString(): string {
        return `${this.name}: ${this.message}`;
    }
}

/**
 * Replaces every occurrence of the given secrets (and anything shaped like an API key form
 * field or a bearer token) with `[redacted]`.
 * @internal
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
    let out = text;
    for (const s of secrets) {
        if (s && s.length >= 4) out = out.split(s).join("[redacted]");
    }
    return out
        .replace(/(apikey=)[^&\s"']+/gi, "$1[redacted]")
        .replace(/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1[redacted]");
}

function str(v: unknown): string | undefined {
    return typeof v === "string" && v !== "" ? v : undefined;
}

/** What an {@link iamErrorFromResponse} needs from a response. @internal */
export interface ErrorResponse {
    method: string;
    path: string;
    status: number;
    headers: Record<string, string>;
    data: unknown;
    attempts?: number;
    secrets?: readonly (string | undefined)[];
    hint?: string;
}

/**
 * Builds an {@link IamError} from an IAM error response in any of IBM's three body shapes:
 * token `{errorCode, errorMessage, context.requestId}`, Identity
 * `{errors[{code, message_code, message}], trace}` and Policy `{errors[{code, message, details}], trace}`.
 * @internal
 */
export function iamErrorFromResponse(r: ErrorResponse): IamError {
    const d = (r.data !== null && typeof r.data === "object" ? r.data : {}) as Record<string, unknown>;
    const errors = Array.isArray(d.errors) ? (d.errors as Record<string, unknown>[]) : [];
    const first = (errors[0] ?? {}) as Record<string, unknown>;
    const context = (d.context !== null && typeof d.context === "object" ? d.context : {}) as Record<
        string,
        unknown
    >;
    const secrets = r.secrets ?? [];
    let code: string | undefined;
    let messageCode: string | undefined;
    let message: string | undefined;
    if (errors.length > 0) {
        code = str(first.code);
        messageCode = str(first.message_code);
        message = str(first.message);
    } else if (str(d.errorCode) || str(d.errorMessage)) {
        code = str(d.errorCode);
        message = str(d.errorMessage);
        const details = str(d.errorDetails);
        if (details && message) message = `${message} ${details}`;
    } else {
        message =
            str(d.message) ?? str(d.error) ?? (typeof r.data === "string" ? r.data.slice(0, 300) : undefined);
    }
    let conflict: PolicyConflict | undefined;
    if (code === "policy_conflict_error") {
        const cw = ((first.details ?? {}) as Record<string, unknown>).conflicts_with as
            Record<string, unknown> | undefined;
        const policy = (cw?.policy ?? {}) as Record<string, unknown>;
        const policyId = str(policy.id) ?? message?.match(/existing policy \(([^)\s]+)\)/)?.[1];
        if (policyId) conflict = { policyId, etag: str(cw?.etag) };
    }
    return new IamError({
        method: r.method,
        path: r.path,
        status: r.status,
        code,
        messageCode,
        message: redact(message ?? `HTTP ${r.status}`, secrets),
        transactionId:
            str(r.headers["transaction-id"]) ??
            str(d.trace) ??
            str(context.requestId) ??
            str(context.transaction_id) ??
            str(r.headers["x-correlation-id"]),
        attempts: r.attempts,
        hint: r.hint ? redact(r.hint, secrets) : undefined,
        conflict,
    });
}

// ---------------------------------------------------------------------------------------------
// Retry arithmetic (pure)

/**
 * Milliseconds a `Retry-After` header asks for: delta-seconds or an HTTP-date. Undefined when
 * absent or unreadable.
 * @internal
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
    if (value === undefined) return undefined;
    const v = value.trim();
    if (/^\d+$/.test(v)) return Number(v) * 1000;
    const at = Date.parse(v);
    return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The wait before retry number `attempt` (1 = the first retry): exponential from
 * `baseDelayMs`, capped at `maxDelayMs`, with "equal jitter" (half fixed, half random).
 * @internal
 */
export function backoffDelay(attempt: number, tuning: IamClientTuning, random: () => number): number {
    const cap = Math.min(tuning.maxDelayMs, tuning.baseDelayMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(cap / 2 + (random() * cap) / 2);
}

/** HTTP statuses worth another attempt: 429 and 5xx except 501 Not Implemented. @internal */
export function isRetryableStatus(status: number): boolean {
    return status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

const RETRYABLE_NETWORK_CODES = [
    "ECONNRESET",
    "ETIMEDOUT",
    "ECONNABORTED",
    "EPIPE",
    "EAI_AGAIN",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "ERR_SOCKET_CONNECTION_TIMEOUT",
];

/** Whether a network error code (no response) is worth another attempt. @internal */
export function isRetryableNetworkCode(code: string | undefined): boolean {
    return code !== undefined && RETRYABLE_NETWORK_CODES.includes(code);
}

/**
 * Milliseconds since the epoch of an IAM timestamp: Identity's minute-precision
 * "2020-10-16T10:36+0000" or Policy's "2024-10-17T16:36:56.501Z". Undefined when unreadable.
 * @internal
 */
export function parseIbmTime(value: string | undefined): number | undefined {
    if (!value) return undefined;
    const normalised = value.replace(/([+-]\d\d)(\d\d)$/, "$1:$2");
    const t = Date.parse(normalised);
    return Number.isNaN(t) ? undefined : t;
}

/** The claims of a JWT, without verifying it (IAM's own TLS response is the trust anchor). @internal */
export function decodeJwtClaims(token: string): Record<string, unknown> {
    const part = token.split(".")[1];
    if (!part) return {};
    try {
        const json = Buffer.from(part.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
        const claims = JSON.parse(json);
        return claims !== null && typeof claims === "object" ? claims : {};
    } catch {
        return {};
    }
}

// ---------------------------------------------------------------------------------------------
// Process-wide state, shared by every by-value copy of this module

interface CachedToken {
    accessToken: string;
    accountId?: string;
    refreshAt: number;
    expiresAt: number;
}

interface TokenSlot {
    token?: CachedToken;
    inflight?: Promise<CachedToken>;
}

interface SharedState {
    tokens: Map<string, TokenSlot>;
    /** Object path ("/v1/serviceids/<id>") → when this process created it. */
    created: Map<string, number>;
}

function shared(): SharedState {
    // Symbol.for is looked up at run time: a symbol captured at serialization time would not
    // be the process-wide registered one.
    const key = Symbol.for("pulumi-icr-access/iam-client/shared-state/v1");
    const g = globalThis as unknown as Record<symbol, SharedState | undefined>;
    let state = g[key];
    if (!state) {
        state = { tokens: new Map(), created: new Map() };
        g[key] = state;
    }
    return state;
}

/**
 * How long a create that gives up waits for what a lost attempt may have made to become
 * readable (IAM's replication lag is seconds), so a failing create is not held up for long.
 */
const FINAL_LOOK_MS = 30_000;

/**
 * Forgets cached tokens and recently created objects of this process (tests).
 * @internal
 */
export function resetIamClientState(): void {
    const s = shared();
    s.tokens.clear();
    s.created.clear();
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

// ---------------------------------------------------------------------------------------------
// The client

type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

interface IamResponse {
    status: number;
    data: unknown;
    headers: Record<string, string>;
}

interface Call {
    method: HttpMethod;
    path: string;
    query?: Record<string, string | number | boolean | undefined>;
    body?: unknown;
    headers?: Record<string, string>;
    /** Statuses returned to the caller instead of thrown. */
    ok: number[];
    /** The token exchange itself: no bearer token. */
    tokenRequest?: boolean;
    /** The object this call addresses: a 404 is waited out while it is newly created. */
    objectPath?: string;
    /** Wait out 404s until this time (ms), e.g. an object created by an earlier process. */
    notFoundUntil?: number;
    /** A create whose subject may still be replicating: retry its 404 until this time (ms). */
    subjectNotFoundUntil?: number;
    /**
     * Before retrying a create whose earlier attempt may have gone through (timeout, reset,
     * 5xx), look for what it made; a response returned here ends the call. Called with `final`
     * once more when the call gives up, so that what a lost attempt made is still returned
     * rather than left behind; a final look may wait out replication lag.
     */
    reconcile?: (final: boolean) => Promise<IamResponse | undefined>;
    /**
     * After such an attempt, a refusal (4xx) may be caused by what the lost attempt made, e.g. a
     * conflict with it; a response returned here ends the call instead of the error.
     */
    resolveRefusal?: (res: IamResponse) => Promise<IamResponse | undefined>;
    /** Set by `send`: whether an attempt of this call may have been done without us seeing the answer. */
    outcome?: { ambiguous: boolean };
    /** More secrets to keep out of errors (e.g. a key value we chose). */
    secrets?: string[];
}

/** Options of the read methods. */
export interface ReadOptions {
    /**
     * When the object was created (ms since the epoch), if known: a 404 until
     * `createdAt + notFoundGraceMs` is taken for replication lag and retried.
     */
    createdAt?: number;
}

/** Options of the create methods that reference another IAM object. */
export interface CreateOptions {
    /** When the referenced subject (service ID) was created, if known: its 404 is retried while it replicates. */
    subjectCreatedAt?: number;
}

/**
 * A client of IBM Cloud IAM (token, Identity, Policy Management v1) for one API key.
 * Cheap to construct: the token cache is per process, keyed by endpoint and key.
 */
export class IamClient {
    readonly endpoint: string;
    // Not enumerable: a logged or JSON-serialized client must not show the key.
    declare private readonly apiKey: string;
    private readonly givenAccountId?: string;
    private readonly source: string;
    private readonly tuning: IamClientTuning;
    private readonly random: () => number;

    constructor(
        credentials: IamClientCredentials,
        tuning: Partial<IamClientTuning> = {},
        random: () => number = Math.random,
    ) {
        this.endpoint = (credentials.iamEndpoint ?? "https://iam.cloud.ibm.com").replace(/\/+$/, "");
        Object.defineProperty(this, "apiKey", { value: credentials.apiKey, enumerable: false });
        this.givenAccountId = credentials.accountId;
        this.source = credentials.source ?? "the API key";
        this.tuning = { ...DEFAULT_TUNING, ...tuning };
        this.random = random;
    }

    // ----- token ---------------------------------------------------------------------------

    private cacheKey(): string {
        return `${this.endpoint}\n${createHash("sha256").update(this.apiKey).digest("hex")}`;
    }

    private async token(): Promise<CachedToken> {
        const tokens = shared().tokens;
        const key = this.cacheKey();
        let slot = tokens.get(key);
        if (!slot) {
            slot = {};
            tokens.set(key, slot);
        }
        const cached = slot.token;
        if (cached && Date.now() < cached.refreshAt) return cached;
        if (slot.inflight) return slot.inflight;
        const s = slot;
        const p = this.exchange()
            .then(
                (t) => {
                    s.token = t;
                    return t;
                },
                (err) => {
                    // Refresh failed but the old token is still good: use it; the next call retries.
                    if (cached && Date.now() < cached.expiresAt) return cached;
                    throw err;
                },
            )
            .finally(() => {
                if (s.inflight === p) s.inflight = undefined;
            });
        s.inflight = p;
        return p;
    }

    /** Drops a token IAM refused (401), unless a newer one already replaced it. */
    private invalidate(accessToken: string): void {
        const slot = shared().tokens.get(this.cacheKey());
        if (slot?.token?.accessToken === accessToken) slot.token = undefined;
    }

    private async exchange(): Promise<CachedToken> {
        const form = new URLSearchParams({
            grant_type: "urn:ibm:params:oauth:grant-type:apikey",
            apikey: this.apiKey,
            response_type: "cloud_iam",
        }).toString();
        const res = await this.send({
            method: "POST",
            path: "/identity/token",
            body: form,
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            ok: [200],
            tokenRequest: true,
        });
        const data = (res.data ?? {}) as Record<string, unknown>;
        const accessToken = str(data.access_token);
        if (!accessToken) {
            throw new IamError({
                method: "POST",
                path: "/identity/token",
                status: res.status,
                message: "the response has no access_token",
            });
        }
        const claims = decodeJwtClaims(accessToken);
        const exp = typeof claims.exp === "number" ? claims.exp : undefined;
        const iat = typeof claims.iat === "number" ? claims.iat : undefined;
        const ttlSeconds =
            exp !== undefined && iat !== undefined && exp > iat
                ? exp - iat
                : typeof data.expires_in === "number" && data.expires_in > 0
                  ? data.expires_in
                  : 3600;
        // Anchored on our clock (TTL from the claims), so a skewed client clock does not matter.
        const received = Date.now();
        const ttlMs = ttlSeconds * 1000;
        const account = (claims.account ?? {}) as Record<string, unknown>;
        return {
            accessToken,
            accountId: str(account.bss),
            refreshAt: received + 0.8 * ttlMs,
            expiresAt: received + ttlMs - Math.min(10_000, 0.1 * ttlMs),
        };
    }

    /** An access token for this key (cached). */
    async getAccessToken(): Promise<string> {
        return (await this.token()).accessToken;
    }

    /** The account to act in: the one given, else the token's `account.bss` claim. */
    async accountId(): Promise<string> {
        if (this.givenAccountId) return this.givenAccountId;
        const t = await this.token();
        if (t.accountId) return t.accountId;
        throw new IamError({
            method: "POST",
            path: "/identity/token",
            status: 200,
            message: "the access token names no account (claim account.bss)",
            hint: "Set the account id: `accountId`, `credentials.accountId`, config ibmcloud:accountId or IBMCLOUD_ACCOUNT_ID.",
        });
    }

    // ----- transport -------------------------------------------------------------------------

    private async send(call: Call): Promise<IamResponse> {
        const http = axios.create({
            baseURL: this.endpoint,
            timeout: this.tuning.timeoutMs,
            validateStatus: () => true,
            maxRedirects: 0,
        });
        const start = Date.now();
        const created = call.objectPath ? shared().created.get(call.objectPath) : undefined;
        const notFoundUntil = Math.max(
            call.notFoundUntil ?? 0,
            created !== undefined ? created + this.tuning.notFoundGraceMs : 0,
            call.subjectNotFoundUntil ?? 0,
        );
        let attempt = 0;
        let authRetried = false;
        let ambiguous = false;
        for (;;) {
            attempt++;
            let token: CachedToken | undefined;
            if (!call.tokenRequest) token = await this.token();
            if (ambiguous && call.reconcile) {
                const found = await call.reconcile(false);
                if (found) return found;
            }
            let res: IamResponse;
            try {
                const r = await http.request({
                    method: call.method,
                    url: call.path,
                    params: call.query,
                    data: call.body,
                    headers: {
                        Accept: "application/json",
                        "User-Agent": "pulumi-icr-access",
                        ...(call.body !== undefined && !call.tokenRequest
                            ? { "Content-Type": "application/json" }
                            : {}),
                        ...call.headers,
                        ...(token ? { Authorization: `Bearer ${token.accessToken}` } : {}),
                    },
                });
                res = { status: r.status, data: r.data, headers: plainHeaders(r.headers) };
            } catch (err) {
                // Never rethrow the AxiosError: its `config` holds the key and the token.
                const e = err as { code?: unknown; message?: unknown };
                const code = typeof e?.code === "string" ? e.code : undefined;
                const delay = backoffDelay(attempt, this.tuning, this.random);
                // A POST that timed out or was cut off may have been done: it is ambiguous
                // even when no retry follows, so the caller knows to look for its object.
                if (call.method === "POST" && isRetryableNetworkCode(code))
                    ambiguous = this.markAmbiguous(call);
                if (isRetryableNetworkCode(code) && this.mayRetry(attempt, start, delay)) {
                    await sleep(delay);
                    continue;
                }
                const found = ambiguous ? await this.lastLook(call) : undefined;
                if (found) return found;
                throw new IamError({
                    method: call.method,
                    path: call.path,
                    code,
                    message: redact(typeof e?.message === "string" ? e.message : "request failed", [
                        this.apiKey,
                        token?.accessToken,
                        ...(call.secrets ?? []),
                    ]),
                    attempts: attempt,
                    hint: `Is the IAM endpoint ${this.endpoint} right and reachable?`,
                });
            }
            if (
                res.status === 404 &&
                notFoundUntil > 0 &&
                Date.now() + this.tuning.notFoundPollMs <= notFoundUntil
            ) {
                // Created moments ago: IAM has not replicated it everywhere yet.
                await sleep(this.tuning.notFoundPollMs);
                attempt--;
                continue;
            }
            if (call.ok.includes(res.status)) return res;
            if (res.status === 401 && token && !authRetried) {
                // The token may have been revoked or expired early: exchange the key again, once.
                authRetried = true;
                this.invalidate(token.accessToken);
                attempt--;
                continue;
            }
            if (
                ambiguous &&
                call.resolveRefusal &&
                res.status >= 400 &&
                res.status < 500 &&
                res.status !== 429
            ) {
                const resolved = await call.resolveRefusal(res);
                if (resolved) return resolved;
            }
            // A 5xx to a POST may come from a gateway after IAM did the work: not to be trusted.
            if (call.method === "POST" && res.status >= 500 && !call.tokenRequest)
                ambiguous = this.markAmbiguous(call);
            if (isRetryableStatus(res.status)) {
                const hinted =
                    res.status === 429 || res.status === 503
                        ? parseRetryAfter(res.headers["retry-after"], Date.now())
                        : undefined;
                const delay =
                    hinted !== undefined
                        ? Math.min(hinted, this.tuning.maxRetryAfterMs) +
                          Math.round(this.random() * Math.min(100, this.tuning.baseDelayMs))
                        : backoffDelay(attempt, this.tuning, this.random);
                if (this.mayRetry(attempt, start, delay)) {
                    await sleep(delay);
                    continue;
                }
                const found = ambiguous ? await this.lastLook(call) : undefined;
                if (found) return found;
            }
            throw iamErrorFromResponse({
                method: call.method,
                path: call.path,
                status: res.status,
                headers: res.headers,
                data: res.data,
                attempts: attempt,
                secrets: [this.apiKey, token?.accessToken, ...(call.secrets ?? [])],
                hint:
                    call.tokenRequest && (res.status === 400 || res.status === 401)
                        ? `IAM refused the API key from ${this.source}.`
                        : undefined,
            });
        }
    }

    /** The final look of a giving-up create for what a lost attempt made; a failing look changes nothing. */
    private async lastLook(call: Call): Promise<IamResponse | undefined> {
        if (!call.reconcile) return undefined;
        try {
            return await call.reconcile(true);
        } catch {
            // IAM is still failing: the create's own error says more than the look's.
            return undefined;
        }
    }

    private markAmbiguous(call: Call): true {
        if (call.outcome) call.outcome.ambiguous = true;
        return true;
    }

    private mayRetry(attempt: number, start: number, delay: number): boolean {
        return attempt < this.tuning.maxAttempts && Date.now() - start + delay <= this.tuning.maxElapsedMs;
    }

    private remember(path: string): void {
        const created = shared().created;
        const now = Date.now();
        created.set(path, now);
        // Keep the map small in long runs: forget objects past the grace period.
        for (const [p, t] of created) if (now - t > this.tuning.notFoundGraceMs) created.delete(p);
    }

    private forget(path: string): void {
        shared().created.delete(path);
    }

    private notFoundUntil(opts?: ReadOptions): number | undefined {
        return opts?.createdAt !== undefined ? opts.createdAt + this.tuning.notFoundGraceMs : undefined;
    }

    private subjectNotFoundUntil(opts?: CreateOptions): number | undefined {
        return opts?.subjectCreatedAt !== undefined
            ? opts.subjectCreatedAt + this.tuning.notFoundGraceMs
            : undefined;
    }

    // ----- service IDs -----------------------------------------------------------------------

    /**
     * `POST /v1/serviceids/` → 201. `locked` sends `Entity-Lock: true`.
     *
     * Service ID names are not unique and IAM takes no idempotency key, so a create whose answer
     * was lost is found by what only this request wrote: `made` recognises it (the owner mark's
     * call token in the description, ../ownership/ownerMark.ts). Before a retry, and once more
     * when the call gives up, the account's service IDs of this name are listed and the one
     * `made` accepts is returned. Nothing else is ever taken for ours: not a name, not a time.
     */
    async createServiceId(
        req: {
            accountId?: string;
            name: string;
            description?: string;
            locked?: boolean;
        },
        made?: (s: ServiceIdResource) => boolean,
    ): Promise<ServiceIdResource> {
        const accountId = req.accountId ?? (await this.accountId());
        const res = await this.send({
            method: "POST",
            path: "/v1/serviceids/",
            body: {
                account_id: accountId,
                name: req.name,
                ...(req.description !== undefined ? { description: req.description } : {}),
            },
            headers: req.locked ? { "Entity-Lock": "true" } : undefined,
            ok: [201],
            reconcile: made
                ? async (final) => {
                      const deadline = final
                          ? Date.now() + Math.min(this.tuning.notFoundGraceMs, FINAL_LOOK_MS)
                          : 0;
                      for (;;) {
                          const found = (await this.listServiceIds({ accountId, name: req.name })).find(made);
                          if (found) return { status: 201, data: found, headers: {} };
                          // A final look waits out listing lag (within a bound), so a service ID
                          // that was made is returned rather than left to the next run.
                          if (Date.now() + this.tuning.notFoundPollMs > deadline) return undefined;
                          await sleep(this.tuning.notFoundPollMs);
                      }
                  }
                : undefined,
        });
        const sid = res.data as ServiceIdResource;
        this.remember(`/v1/serviceids/${sid.id}`);
        return sid;
    }

    /**
     * Lists with `list` until the object `keptId` shows (IAM's listings may lag behind a create;
     * within the not-found grace), then hands the listing to `then`: a listing that shows an
     * object shows what was made before it. Past the grace, `then` is not called.
     */
    async untilListed<T extends { id: string }>(
        list: () => Promise<T[]>,
        keptId: string,
        then: (all: T[]) => Promise<void>,
    ): Promise<void> {
        const deadline = Date.now() + this.tuning.notFoundGraceMs;
        for (;;) {
            const all = await list();
            if (all.some((s) => s.id === keptId)) return then(all);
            if (Date.now() + this.tuning.notFoundPollMs > deadline) return;
            await sleep(this.tuning.notFoundPollMs);
        }
    }

    /** `GET /v1/serviceids/{id}`; undefined on 404 (after waiting out replication lag of a new object). */
    async getServiceId(id: string, opts?: ReadOptions): Promise<ServiceIdResource | undefined> {
        return this.getEntity<ServiceIdResource>("/v1/serviceids", id, opts);
    }

    /** `GET /v1/serviceids/` for an account, following `next` page tokens. */
    async listServiceIds(
        req: { accountId?: string; name?: string; pagesize?: number } = {},
    ): Promise<ServiceIdResource[]> {
        return this.listEntities<ServiceIdResource>("/v1/serviceids/", "serviceids", { name: req.name }, req);
    }

    /** `PUT /v1/serviceids/{id}` with `If-Match: <entityTag>` (or `*`). */
    async updateServiceId(
        id: string,
        req: { name?: string; description?: string },
        entityTag: string,
    ): Promise<ServiceIdResource> {
        return this.updateEntity<ServiceIdResource>("/v1/serviceids", id, req, entityTag);
    }

    /** `DELETE /v1/serviceids/{id}` (also deletes its keys and policies). False when it was already gone. */
    async deleteServiceId(id: string, opts?: ReadOptions): Promise<boolean> {
        return this.deleteEntity("/v1/serviceids", id, opts);
    }

    /** `POST /v1/serviceids/{id}/lock` → 204. */
    async lockServiceId(id: string): Promise<void> {
        await this.setEntityLock("/v1/serviceids", id, true);
    }

    /** `DELETE /v1/serviceids/{id}/lock` → 204. */
    async unlockServiceId(id: string): Promise<void> {
        await this.setEntityLock("/v1/serviceids", id, false);
    }

    // ----- API keys --------------------------------------------------------------------------

    /**
     * `POST /v1/apikeys` → 201, the only response that carries the key value (unless `storeValue`).
     * A 404 for a subject created moments ago is retried while it replicates.
     *
     * The value is chosen here (IAM takes one of at least 32 characters and refuses one already
     * in use), 32 random bytes, so a create is idempotent: a create whose answer was lost is
     * found by its value (`GET /v1/apikeys/details`), and a retry of it is refused with 409
     * rather than making a second key. Either way the key made is the one returned, and its
     * value is known: no key is left that nobody holds.
     */
    async createApiKey(
        req: {
            name: string;
            iamId: string;
            description?: string;
            accountId?: string;
            storeValue?: boolean;
            locked?: boolean;
            /** `yyyy-MM-ddTHH:mm+0000` (IAM Identity's format). */
            expiresAt?: string;
            actionWhenLeaked?: string;
        },
        opts?: CreateOptions,
    ): Promise<ApiKeyResource> {
        const value = randomBytes(32).toString("base64url");
        const found = (key: ApiKeyResource | undefined): IamResponse | undefined => {
            if (!key) return undefined;
            if (key.iam_id !== req.iamId) {
                throw new IamError({
                    method: "POST",
                    path: "/v1/apikeys",
                    status: 409,
                    message: `the new key's value is already in use by a key of another identity (${key.id})`,
                });
            }
            return { status: 201, data: { ...key, apikey: value }, headers: {} };
        };
        const res = await this.send({
            method: "POST",
            path: "/v1/apikeys",
            body: {
                name: req.name,
                iam_id: req.iamId,
                ...(req.description !== undefined ? { description: req.description } : {}),
                ...(req.accountId !== undefined ? { account_id: req.accountId } : {}),
                apikey: value,
                ...(req.storeValue !== undefined ? { store_value: req.storeValue } : {}),
                ...(req.expiresAt !== undefined ? { expires_at: req.expiresAt } : {}),
                ...(req.actionWhenLeaked !== undefined ? { action_when_leaked: req.actionWhenLeaked } : {}),
            },
            headers: req.locked ? { "Entity-Lock": "true" } : undefined,
            ok: [201],
            secrets: [value],
            objectPath: `/v1/serviceids/${req.iamId.replace(/^iam-/, "")}`,
            subjectNotFoundUntil: this.subjectNotFoundUntil(opts),
            // Before a retry, a quick look (a 404 may be lag: the retry's 409 then tells); when
            // giving up, a look that waits out the lag, so a key that was made is returned.
            reconcile: async (final) =>
                found(
                    await this.apiKeyByValue(
                        value,
                        final ? Date.now() + Math.min(this.tuning.notFoundGraceMs, FINAL_LOOK_MS) : undefined,
                    ),
                ),
            // The value is taken: by the lost attempt's key, which may not be readable yet.
            resolveRefusal: async (r) =>
                r.status === 409
                    ? found(await this.apiKeyByValue(value, Date.now() + this.tuning.notFoundGraceMs))
                    : undefined,
        });
        const key = { ...(res.data as ApiKeyResource) };
        key.apikey ??= value;
        this.remember(`/v1/apikeys/${key.id}`);
        return key;
    }

    /** `GET /v1/apikeys/details` with `IAM-ApiKey: <value>`; undefined on 404 (waited out until `notFoundUntil`). */
    private async apiKeyByValue(value: string, notFoundUntil?: number): Promise<ApiKeyResource | undefined> {
        const res = await this.send({
            method: "GET",
            path: "/v1/apikeys/details",
            headers: { "IAM-ApiKey": value },
            ok: [200, 404],
            secrets: [value],
            notFoundUntil,
        });
        return res.status === 404 ? undefined : (res.data as ApiKeyResource);
    }

    /** `GET /v1/apikeys/{id}`; undefined on 404. */
    async getApiKey(id: string, opts?: ReadOptions): Promise<ApiKeyResource | undefined> {
        return (await this.readApiKey(id, opts)).key;
    }

    /**
     * `GET /v1/apikeys/{id}` with IAM's time of the answer: whether a key is expired, or due for
     * renewal, is IAM's decision, so it is measured on IAM's clock rather than ours.
     */
    async readApiKey(id: string, opts?: ReadOptions): Promise<ApiKeyAt> {
        const path = `/v1/apikeys/${encodeURIComponent(id)}`;
        const get = (notFoundUntil?: number) =>
            this.send({ method: "GET", path, ok: [200, 404], objectPath: path, notFoundUntil });
        let res = await get();
        let iamNow = this.noteIamTime(res.headers);
        // A 404 for a key IAM created moments ago is replication lag: waited out for what is left
        // of the grace, both times on IAM's clock (`created_at` is IAM's, and so is the 404's `Date`).
        const left =
            opts?.createdAt !== undefined ? opts.createdAt + this.tuning.notFoundGraceMs - iamNow : 0;
        if (res.status === 404 && left > 0) {
            res = await get(Date.now() + left);
            iamNow = this.noteIamTime(res.headers);
        }
        return { key: res.status === 404 ? undefined : (res.data as ApiKeyResource), iamNow };
    }

    /**
     * IAM's current time as its last API-key answer to this client told it (RFC 9110 `Date`
     * header, one-second precision), carried forward on our clock; our clock before any answer.
     */
    iamNow(): number {
        return Date.now() + (this.iamClockOffsetMs ?? 0);
    }

    private iamClockOffsetMs?: number;

    private noteIamTime(headers: Record<string, string> | undefined): number {
        const date = Date.parse(headers?.date ?? headers?.Date ?? "");
        if (!Number.isNaN(date)) this.iamClockOffsetMs = date - Date.now();
        return this.iamNow();
    }

    /** `GET /v1/apikeys` by account and/or `iam_id`, following `next` page tokens; notes IAM's time. */
    async listApiKeys(
        req: { accountId?: string; iamId?: string; pagesize?: number } = {},
    ): Promise<ApiKeyResource[]> {
        const accountId = req.accountId ?? (await this.accountId());
        const pagesize = req.pagesize ?? 100;
        const filter = req.iamId !== undefined ? { iam_id: req.iamId } : {};
        const out: ApiKeyResource[] = [];
        let pagetoken: string | undefined;
        for (let page = 0; page < 1000; page++) {
            // A page token carries the rest of the query, so later pages send only it.
            const res = await this.send({
                method: "GET",
                path: "/v1/apikeys",
                query: pagetoken ? { pagetoken, pagesize } : { account_id: accountId, ...filter, pagesize },
                ok: [200],
            });
            this.noteIamTime(res.headers);
            const data = (res.data ?? {}) as { apikeys?: ApiKeyResource[]; next?: unknown };
            out.push(...(data.apikeys ?? []));
            pagetoken = pageToken(data.next, "pagetoken", this.endpoint);
            if (!pagetoken) break;
        }
        return out;
    }

    /** `PUT /v1/apikeys/{id}` with `If-Match`; `expiresAt: ""` clears the expiry. */
    async updateApiKey(
        id: string,
        req: { name?: string; description?: string; actionWhenLeaked?: string; expiresAt?: string },
        entityTag: string,
    ): Promise<ApiKeyResource> {
        const { actionWhenLeaked, expiresAt, ...rest } = req;
        const path = `/v1/apikeys/${encodeURIComponent(id)}`;
        const res = await this.send({
            method: "PUT",
            path,
            body: {
                ...rest,
                ...(actionWhenLeaked !== undefined ? { action_when_leaked: actionWhenLeaked } : {}),
                ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
            },
            headers: { "If-Match": entityTag },
            ok: [200],
            objectPath: path,
        });
        this.noteIamTime(res.headers);
        return res.data as ApiKeyResource;
    }

    /** `DELETE /v1/apikeys/{id}`. False when it was already gone. */
    async deleteApiKey(id: string, opts?: ReadOptions): Promise<boolean> {
        return this.deleteEntity("/v1/apikeys", id, opts);
    }

    /** `POST /v1/apikeys/{id}/lock`. */
    async lockApiKey(id: string): Promise<void> {
        await this.setEntityLock("/v1/apikeys", id, true);
    }

    /** `DELETE /v1/apikeys/{id}/lock`. */
    async unlockApiKey(id: string): Promise<void> {
        await this.setEntityLock("/v1/apikeys", id, false);
    }

    // ----- IAM Identity entities (service IDs and API keys share one shape of API) -------------

    private async getEntity<T>(collection: string, id: string, opts?: ReadOptions): Promise<T | undefined> {
        const path = `${collection}/${encodeURIComponent(id)}`;
        const res = await this.send({
            method: "GET",
            path,
            ok: [200, 404],
            objectPath: path,
            notFoundUntil: this.notFoundUntil(opts),
        });
        return res.status === 404 ? undefined : (res.data as T);
    }

    private async listEntities<T>(
        listPath: string,
        itemsKey: string,
        filter: Record<string, string | undefined>,
        req: { accountId?: string; pagesize?: number },
    ): Promise<T[]> {
        const accountId = req.accountId ?? (await this.accountId());
        const pagesize = req.pagesize ?? 100;
        const out: T[] = [];
        let pagetoken: string | undefined;
        for (let page = 0; page < 1000; page++) {
            // A page token carries the rest of the query, so later pages send only it.
            const res = await this.send({
                method: "GET",
                path: listPath,
                query: pagetoken ? { pagetoken, pagesize } : { account_id: accountId, ...filter, pagesize },
                ok: [200],
            });
            const data = (res.data ?? {}) as Record<string, unknown> & { next?: unknown };
            out.push(...((data[itemsKey] as T[] | undefined) ?? []));
            pagetoken = pageToken(data.next, "pagetoken", this.endpoint);
            if (!pagetoken) break;
        }
        return out;
    }

    private async updateEntity<T>(
        collection: string,
        id: string,
        req: { name?: string; description?: string },
        entityTag: string,
    ): Promise<T> {
        const path = `${collection}/${encodeURIComponent(id)}`;
        const res = await this.send({
            method: "PUT",
            path,
            body: req,
            headers: { "If-Match": entityTag },
            ok: [200],
            objectPath: path,
        });
        return res.data as T;
    }

    private async deleteEntity(collection: string, id: string, opts?: ReadOptions): Promise<boolean> {
        const path = `${collection}/${encodeURIComponent(id)}`;
        const res = await this.send({
            method: "DELETE",
            path,
            ok: [204, 200, 404],
            objectPath: path,
            notFoundUntil: this.notFoundUntil(opts),
        });
        this.forget(path);
        return res.status !== 404;
    }

    private async setEntityLock(collection: string, id: string, locked: boolean): Promise<void> {
        const path = `${collection}/${encodeURIComponent(id)}`;
        await this.send({
            method: locked ? "POST" : "DELETE",
            path: `${path}/lock`,
            ok: [204, 200],
            objectPath: path,
        });
    }

    // ----- policies --------------------------------------------------------------------------

    /**
     * `POST /v1/policies` → 201. A 409 `policy_conflict_error` throws an {@link IamError} whose
     * `conflict` names the existing policy. A 404 for a subject created moments ago is retried.
     *
     * IAM keeps one policy per subject and resource attributes, so a lost create cannot leave a
     * twin, but its retry meets the lost attempt's policy as a 409. So, after an ambiguous
     * attempt, the policy `made` recognises (the owner mark's call token in its description,
     * ../ownership/ownerMark.ts) is ours: found in the listing before a retry, or named by the
     * retry's 409 when the listing lags. Nothing else is taken for ours.
     */
    async createPolicy(
        body: PolicyBody,
        opts?: CreateOptions & { made?: (p: IbmPolicy) => boolean },
    ): Promise<PolicyWithEtag> {
        const subject = body.subjects[0]?.attributes.find((a) => a.name === "iam_id")?.value ?? "";
        const accountId = body.resources[0]?.attributes.find((a) => a.name === "accountId")?.value;
        const made = opts?.made;
        const ours = (p: IbmPolicy): boolean => made !== undefined && p.state !== "deleted" && made(p);
        const adopt = async (id: string): Promise<IamResponse | undefined> => {
            // Made moments ago: its 404 is replication lag.
            const got = await this.getPolicy(id, { createdAt: Date.now() });
            if (!got || !ours(got.policy)) return undefined;
            return { status: 201, data: got.policy, headers: got.etag ? { etag: got.etag } : {} };
        };
        const res = await this.send({
            method: "POST",
            path: "/v1/policies",
            body,
            ok: [201, 200],
            objectPath: subject.startsWith("iam-ServiceId-")
                ? `/v1/serviceids/${subject.slice(4)}`
                : undefined,
            subjectNotFoundUntil: this.subjectNotFoundUntil(opts),
            reconcile: made
                ? async () => {
                      const mine = (await this.listPolicies({ accountId, iamId: subject })).filter(ours);
                      return mine.length === 1 ? adopt(mine[0].id) : undefined;
                  }
                : undefined,
            resolveRefusal: async (r) => {
                if (r.status !== 409) return undefined;
                const conflict = iamErrorFromResponse({
                    ...r,
                    method: "POST",
                    path: "/v1/policies",
                }).conflict;
                return conflict ? adopt(conflict.policyId) : undefined;
            },
        });
        const policy = res.data as IbmPolicy;
        this.remember(`/v1/policies/${policy.id}`);
        return { policy, etag: str(res.headers.etag) };
    }

    /** `GET /v1/policies/{id}` with its `ETag`; undefined on 404. */
    async getPolicy(id: string, opts?: ReadOptions): Promise<PolicyWithEtag | undefined> {
        const path = `/v1/policies/${encodeURIComponent(id)}`;
        const res = await this.send({
            method: "GET",
            path,
            ok: [200, 404],
            objectPath: path,
            notFoundUntil: this.notFoundUntil(opts),
        });
        return res.status === 404
            ? undefined
            : { policy: res.data as IbmPolicy, etag: str(res.headers.etag) };
    }

    /**
     * `GET /v1/policies?type=access` of an account, optionally for one subject (`iam_id`), following
     * `next.start`; `serviceName` filters on the `serviceName` resource attribute (client side).
     */
    async listPolicies(
        req: { accountId?: string; iamId?: string; serviceName?: string } = {},
    ): Promise<IbmPolicy[]> {
        const accountId = req.accountId ?? (await this.accountId());
        const out: IbmPolicy[] = [];
        let start: string | undefined;
        for (let page = 0; page < 1000; page++) {
            const res = await this.send({
                method: "GET",
                path: "/v1/policies",
                query: { account_id: accountId, iam_id: req.iamId, type: "access", start },
                ok: [200],
            });
            const data = (res.data ?? {}) as { policies?: IbmPolicy[]; next?: unknown };
            out.push(...(data.policies ?? []));
            start = pageToken(data.next, "start", this.endpoint);
            if (!start) break;
        }
        if (req.serviceName === undefined) return out;
        return out.filter((p) =>
            (p.resources ?? []).some((r) =>
                (r.attributes ?? []).some((a) => a.name === "serviceName" && a.value === req.serviceName),
            ),
        );
    }

    /** `PUT /v1/policies/{id}` with `If-Match: <ETag>`; returns the new revision. */
    async replacePolicy(id: string, body: PolicyBody, etag: string): Promise<PolicyWithEtag> {
        const path = `/v1/policies/${encodeURIComponent(id)}`;
        const res = await this.send({
            method: "PUT",
            path,
            body,
            headers: { "If-Match": etag },
            ok: [200],
            objectPath: path,
        });
        return { policy: res.data as IbmPolicy, etag: str(res.headers.etag) };
    }

    /** `DELETE /v1/policies/{id}`. False when it was already gone. */
    async deletePolicy(id: string, opts?: ReadOptions): Promise<boolean> {
        const path = `/v1/policies/${encodeURIComponent(id)}`;
        const res = await this.send({
            method: "DELETE",
            path,
            ok: [204, 200, 404],
            objectPath: path,
            notFoundUntil: this.notFoundUntil(opts),
        });

        this.forget(path);
        return res.status !== 404;
    }
}

/** Service IDs oldest first (by `created_at`, then as listed). */
export function oldestFirst(list: ServiceIdResource[]): ServiceIdResource[] {
    return list
        .map((s, i) => ({ s, i, t: parseIbmTime(s.created_at) ?? 0 }))
        .sort((a, b) => a.t - b.t || a.i - b.i)
        .map((x) => x.s);
}

function plainHeaders(h: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    const source = (
        h && typeof (h as { toJSON?: unknown }).toJSON === "function"
            ? (h as { toJSON(): unknown }).toJSON()
            : h
    ) as Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(source ?? {})) {
        if (typeof v === "string") out[k.toLowerCase()] = v;
        else if (Array.isArray(v)) out[k.toLowerCase()] = v.join(", ");
        else if (typeof v === "number") out[k.toLowerCase()] = String(v);
    }
    return out;
}

/**
 * The page token of a listing's `next`: a URL string (Identity: `pagetoken`) or an
 * object `{href, start}` (Policy).
 * @internal
 */
export function pageToken(next: unknown, param: string, base: string): string | undefined {
    if (next === undefined || next === null) return undefined;
    if (typeof next === "object") {
        const n = next as Record<string, unknown>;
        if (typeof n[param] === "string" && n[param] !== "") return n[param] as string;
        return pageToken(n.href, param, base);
    }
    if (typeof next !== "string" || next === "") return undefined;
    try {
        return new URL(next, base).searchParams.get(param) ?? undefined;
    } catch {
        return undefined;
    }
}
