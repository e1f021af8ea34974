// The three error-body shapes IBM IAM uses. They differ per API family, and clients
// (node-sdk-core, Terraform) read them differently, so the emulator renders each exactly:
//   token:    {errorCode, errorMessage, errorDetails?, context{camelCase}}
//   identity: {errors[{code, message_code, message, details?}], status_code, trace, context{snake_case}}
//   policy:   {errors[{code, message, details?, more_info?}], status_code, trace}
//   groups:   the policy shape; IAM Access Groups answers `{"trace", "errors": [{"code", "message"}],
//             "status_code"}` (an access-group policy error quoted in terraform-provider-ibm #2627)
// Shapes from IBM node-sdk-core, platform-services-node-sdk and the API Handbook.

/** Which IBM API a request belongs to; it decides the error-body shape. */
export type ApiFamily = "token" | "identity" | "policy" | "groups";

/**
 * Message codes the emulator uses in Identity errors. Only BXNIM0415E, BXNIM0109E, BXNIM0106E,
 * BXNIM0060E and BXNIM0407E are documented by IBM (IBM's IAM API documentation); the others are emulator-chosen
 * placeholders in the same "BXNIM####E" form, because IBM does not publish them. Clients should
 * branch on the HTTP status and `code`, never on these numbers.
 */
export const MessageCode = {
    /** Token endpoint: "Provided API key could not be found." (documented). */
    ApiKeyNotFound: "BXNIM0415E",
    /** Token endpoint: "Property missing or empty." (documented). */
    PropertyMissing: "BXNIM0109E",
    /** Token endpoint: "Validation of property ... failed." (documented). */
    PropertyInvalid: "BXNIM0106E",
    /** Token endpoint: wrong HTTP method (documented). */
    MethodNotAllowed: "BXNIM0060E",
    /** Invalid or expired bearer token (documented). */
    InvalidToken: "BXNIM0407E",
    /** No `Authorization: Bearer` header (emulator-chosen). */
    MissingToken: "BXNIM0308E",
    /** Object not found (emulator-chosen). */
    NotFound: "BXNIM0102E",
    /** Bad request: body or parameter validation (emulator-chosen). */
    BadRequest: "BXNIM0110E",
    /** Caller may not act on that account (emulator-chosen). */
    Forbidden: "BXNIM0513E",
    /** `If-Match` does not match the entity tag (emulator-chosen). */
    EntityTagMismatch: "BXNIM0520E",
    /** `If-Match` is missing (emulator-chosen). */
    PreconditionRequired: "BXNIM0521E",
    /** The entity is locked (emulator-chosen). */
    Locked: "BXNIM0514E",
    /** A unique value already exists (emulator-chosen). */
    Conflict: "BXNIM0512E",
    /** A per-account limit is reached (emulator-chosen). */
    LimitExceeded: "BXNIM0522E",
    /** An API key is disabled or expired (emulator-chosen). */
    ApiKeyUnusable: "BXNIM0416E",
    /** Rate limited (emulator-chosen). */
    TooManyRequests: "BXNIM0429E",
    /** Internal error (emulator-chosen). */
    InternalError: "BXNIM0500E",
    /** Service unavailable (emulator-chosen). */
    Unavailable: "BXNIM0503E",
} as const;

/** Options of an {@link ApiError} beyond status, code and message. */
export interface ApiErrorOptions {
    /** Identity's `message_code`; for the token family it is the `errorCode`. */
    messageCode?: string;
    /** `details` (identity, policy) or `errorDetails` (token). */
    details?: unknown;
    /** Policy's `more_info`. */
    moreInfo?: string;
    /** Extra response headers, e.g. `Retry-After`. */
    headers?: Record<string, string>;
}

/**
 * An error a handler throws to produce an IBM error response. The server renders it in the
 * shape of the request's API family, so handlers never build bodies themselves.
 * For the token family, `code` is ignored and `messageCode` becomes `errorCode`.
 */
export class ApiError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        message: string,
        readonly options: ApiErrorOptions = {},
    ) {
        super(message);
        this.name = "ApiError";
    }
}

/** Per-request facts that error bodies echo. @internal */
export interface RequestContext {
    readonly transactionId: string;
    readonly startMs: number;
    readonly userAgent: string;
    readonly operation: string;
}

/** Where the emulator says it runs; IBM's error contexts name the instance and cluster. */
const INSTANCE_ID = `iamid-emulator-${process.pid}`;
const CLUSTER_NAME = "iam-id-emulator-local";
// IBM's error contexts carry the public IAM URL; node-sdk-core classifies an error as an
// authentication error when `context.url` contains "iam", so we keep IBM's value.
const PUBLIC_URL = "https://iam.cloud.ibm.com";

/** IBM's context time format: "10.06.2026 10:25:03:017 UTC". @internal */
export function contextTime(ms: number): string {
    const d = new Date(ms);
    const p = (n: number, w = 2): string => String(n).padStart(w, "0");
    return (
        `${p(d.getUTCDate())}.${p(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ` +
        `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}:${p(d.getUTCMilliseconds(), 3)} UTC`
    );
}

function threadId(): string {
    return (Math.floor(Math.random() * 0xffff) + 1).toString(16);
}

/** The token endpoint's `{errorCode, errorMessage, errorDetails?, context}` body. @internal */
export function tokenErrorBody(ctx: RequestContext, err: ApiError, nowMs: number): Record<string, unknown> {
    const body: Record<string, unknown> = {
        errorCode: err.options.messageCode ?? err.code,
        errorMessage: err.message,
    };
    if (err.options.details !== undefined) body.errorDetails = err.options.details;
    body.context = {
        requestId: ctx.transactionId,
        requestType: "incoming.Identity_Token",
        userAgent: ctx.userAgent,
        url: PUBLIC_URL,
        instanceId: INSTANCE_ID,
        threadId: threadId(),
        host: INSTANCE_ID,
        startTime: contextTime(ctx.startMs),
        endTime: contextTime(nowMs),
        elapsedTime: String(Math.max(0, nowMs - ctx.startMs)),
        locale: "en_US",
        clusterName: CLUSTER_NAME,
    };
    return body;
}

/** The IAM Identity `ExceptionResponse` body. @internal */
export function identityErrorBody(
    ctx: RequestContext,
    err: ApiError,
    nowMs: number,
): Record<string, unknown> {
    const item: Record<string, unknown> = {
        code: err.code,
        message_code: err.options.messageCode ?? MessageCode.BadRequest,
        message: err.message,
    };
    if (err.options.details !== undefined) item.details = err.options.details;
    return {
        errors: [item],
        status_code: err.status,
        trace: ctx.transactionId,
        context: {
            transaction_id: ctx.transactionId,
            operation: ctx.operation,
            user_agent: ctx.userAgent,
            url: PUBLIC_URL,
            instance_id: INSTANCE_ID,
            thread_id: threadId(),
            host: INSTANCE_ID,
            start_time: contextTime(ctx.startMs),
            end_time: contextTime(nowMs),
            elapsed_time: String(Math.max(0, nowMs - ctx.startMs)),
            cluster_name: CLUSTER_NAME,
        },
    };
}

/** The IAM Policy Management error body (IBM API Handbook container). @internal */
export function policyErrorBody(ctx: RequestContext, err: ApiError): Record<string, unknown> {
    const item: Record<string, unknown> = { code: err.code, message: err.message };
    if (err.options.details !== undefined) item.details = err.options.details;
    if (err.options.moreInfo !== undefined) item.more_info = err.options.moreInfo;
    return { errors: [item], status_code: err.status, trace: ctx.transactionId };
}

/** Renders `err` in the shape of `family`. @internal */
export function errorBody(
    family: ApiFamily,
    ctx: RequestContext,
    err: ApiError,
    nowMs: number,
): Record<string, unknown> {
    switch (family) {
        case "token":
            return tokenErrorBody(ctx, err, nowMs);
        case "identity":
            return identityErrorBody(ctx, err, nowMs);
        case "policy":
        case "groups":
            return policyErrorBody(ctx, err);
    }
}
