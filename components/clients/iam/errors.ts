// The IAM client's errors, built from IAM's answers the way IBM's node-sdk-core builds them
// (`formatError`), and kept free of secrets: never the AxiosError, whose `config` holds the API
// key and the bearer token, and every message passed through {@link redact}.
import { str } from "./wire";

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
