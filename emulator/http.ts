// What route handlers receive and return, plus the request-level checks that several
// IBM operations share (If-Match, body fields, account access).
import { IncomingHttpHeaders } from "http";
import { ApiError, ApiFamily, MessageCode } from "./errors";
import { FaultInjector } from "./faults";
import { LimitsState } from "./limits";
import { Store } from "./store";
import { TokenService } from "./tokens";

/** The identity behind a verified bearer token. @internal */
export interface Caller {
    readonly accountId: string;
    readonly iamId: string;
}

/** Behaviour switches for choices IBM does not document (reference "UNCONFIRMED" items). @internal */
export interface EmulatorConfig {
    readonly staleEntityTagStatus: 409 | 412;
    readonly lockedEntityStatus: 400 | 403 | 409;
    readonly policyConflictOn: "attributes" | "attributesAndRoles";
}

/** Everything a handler may use. @internal */
export interface HandlerEnv {
    readonly store: Store;
    readonly tokens: TokenService;
    readonly faults: FaultInjector;
    readonly config: EmulatorConfig;
    /** The per-account limits in force (./limits.ts). */
    readonly limits: LimitsState;
    now(): number;
}

/** A parsed request as a handler sees it. @internal */
export interface ApiRequest {
    readonly method: string;
    readonly path: string;
    readonly params: Record<string, string>;
    readonly query: URLSearchParams;
    readonly headers: IncomingHttpHeaders;
    /** Parsed JSON body (`{}` when empty), or the raw text for the token endpoint. */
    readonly body: unknown;
    readonly rawBody: string;
    /** Set on every route except the token endpoint. */
    readonly caller?: Caller;
    /** The emulator's base URL, used for `first`/`next`/`href` links. */
    readonly baseUrl: string;
    readonly family: ApiFamily;
    /** The request's transaction id, which IBM also puts in per-item `trace` fields. */
    readonly transactionId: string;
}

/** What a handler returns; the server adds IBM's common headers. @internal */
export interface ApiResponse {
    readonly status: number;
    readonly body?: unknown;
    readonly headers?: Record<string, string>;
    /** The account the request touched, for the request log. */
    readonly accountId?: string;
}

/** A route handler, named after the IBM operation it implements. @internal */
export type Handler = (req: ApiRequest, env: HandlerEnv) => ApiResponse;

/** The caller; every route except the token endpoint has one. @internal */
export function callerOf(req: ApiRequest): Caller {
    if (!req.caller) throw new Error("route without authentication reached an authenticated handler");
    return req.caller;
}

/** The JSON body as an object, or 400 `invalid_body`. @internal */
export function bodyObject(req: ApiRequest): Record<string, unknown> {
    const b = req.body;
    if (b === null || typeof b !== "object" || Array.isArray(b)) {
        throw badRequest(req.family, "invalid_body", "The request body must be a JSON object.");
    }
    return b as Record<string, unknown>;
}

/** A 400 in the family's vocabulary. @internal */
export function badRequest(family: ApiFamily, code: string, message: string, details?: unknown): ApiError {
    return new ApiError(400, code, message, { messageCode: MessageCode.BadRequest, details });
}

/** A required non-empty string field of a body, or 400. @internal */
export function requiredString(req: ApiRequest, body: Record<string, unknown>, field: string): string {
    const v = body[field];
    if (typeof v !== "string" || v.trim() === "") {
        throw badRequest(
            req.family,
            req.family === "policy" ? "invalid_body" : "missing_property",
            `Property '${field}' is missing or empty.`,
        );
    }
    return v;
}

/** An optional string field of a body, or 400 when present with another type. @internal */
export function optionalString(
    req: ApiRequest,
    body: Record<string, unknown>,
    field: string,
): string | undefined {
    const v = body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") {
        throw badRequest(req.family, "invalid_body", `Property '${field}' must be a string.`);
    }
    return v;
}

/** An optional boolean field of a body, or 400 when present with another type. @internal */
export function optionalBoolean(
    req: ApiRequest,
    body: Record<string, unknown>,
    field: string,
): boolean | undefined {
    const v = body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") {
        throw badRequest(req.family, "invalid_body", `Property '${field}' must be a boolean.`);
    }
    return v;
}

/** An optional string-array field of a body, or 400. @internal */
export function optionalStringArray(
    req: ApiRequest,
    body: Record<string, unknown>,
    field: string,
): string[] | undefined {
    const v = body[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
        throw badRequest(req.family, "invalid_body", `Property '${field}' must be an array of strings.`);
    }
    return v as string[];
}

/** Reads a boolean-valued header such as `Entity-Lock: true`. @internal */
export function booleanHeader(req: ApiRequest, name: string): boolean {
    const v = req.headers[name.toLowerCase()];
    const s = Array.isArray(v) ? v[0] : v;
    if (s === undefined) return false;
    if (s.toLowerCase() === "true") return true;
    if (s.toLowerCase() === "false") return false;
    throw badRequest(req.family, "invalid_header", `Header '${name}' must be 'true' or 'false'.`);
}

/**
 * Refuses a request that names another account. The caller explicitly asked about an account
 * it does not belong to, so 403 (the real IAM answers 403 when a token lacks access to an account);
 * objects addressed by id answer 404 instead, see {@link notFound}.
 * @internal
 */
export function requireOwnAccount(req: ApiRequest, accountId: string): void {
    const caller = callerOf(req);
    if (accountId !== caller.accountId) {
        throw new ApiError(
            403,
            req.family === "policy" ? "insufficent_permissions" : "forbidden",
            `You are not authorized to access account ${accountId}.`,
            { messageCode: MessageCode.Forbidden },
        );
    }
}

/** A 404 for an object addressed by id (also used for other accounts' objects). @internal */
export function notFound(req: ApiRequest, what: string, id: string): ApiError {
    return new ApiError(
        404,
        req.family === "policy" ? "policy_not_found" : "not_found",
        `${what} with id '${id}' not found.`,
        { messageCode: MessageCode.NotFound },
    );
}

function headerValue(req: ApiRequest, name: string): string | undefined {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
}

/** Strips a weak prefix and quotes, so `W/"1-ab"`, `"1-ab"` and `1-ab` compare equal. */
function normaliseTag(tag: string): string {
    return tag
        .trim()
        .replace(/^W\//, "")
        .replace(/^"(.*)"$/, "$1");
}

/**
 * Enforces `If-Match` on an update. `*` matches any version (Terraform always sends it).
 * Missing → 428 Precondition Required (RFC 6585); a stale tag → `staleStatus` (409 or 412).
 * @internal
 */
export function checkIfMatch(req: ApiRequest, current: string, staleStatus: number): void {
    const given = headerValue(req, "if-match");
    if (given === undefined || given.trim() === "") {
        throw new ApiError(
            428,
            req.family === "identity" ? "precondition_required" : "missing_required_header",
            "The 'If-Match' header is required. Send the current entity tag (ETag) or '*'.",
            { messageCode: MessageCode.PreconditionRequired },
        );
    }
    const tags = given.split(",").map(normaliseTag);
    if (tags.includes("*") || tags.includes(current)) return;
    const what = req.family === "groups" ? "access group" : "policy";
    throw new ApiError(
        staleStatus,
        req.family === "identity" ? "conflict" : "precondition_failed",
        req.family !== "identity"
            ? `The ${what} was not updated because the 'If-Match' header does not match the current revision. ` +
                  `Get the ${what} again and retry with its ETag.`
            : "The entity tag in the 'If-Match' header does not match the current entity tag. " +
                  "Get the entity again and retry with its entity_tag.",
        { messageCode: MessageCode.EntityTagMismatch },
    );
}

/**
 * Refuses a change to a locked entity (or a policy on a locked service ID). IBM documents the
 * refusal but not its status (not documented by IBM); `lockedEntityStatus` chooses it (default 409).
 * @internal
 */
export function lockedError(req: ApiRequest, env: HandlerEnv, message: string): ApiError {
    return new ApiError(
        env.config.lockedEntityStatus,
        req.family === "policy" ? "request_not_processed" : "entity_locked",
        message,
        { messageCode: MessageCode.Locked },
    );
}

/** The `sort` and `order` query parameters of an Identity listing, checked. @internal */
export function sortRecords<T>(
    req: ApiRequest,
    filters: Record<string, string>,
    records: T[],
    keys: Record<string, (r: T) => string | number>,
): T[] {
    const sort = filters.sort;
    const order = filters.order ?? "asc";
    if (order !== "asc" && order !== "desc") {
        throw badRequest(req.family, "invalid_parameter", `Query parameter 'order' must be 'asc' or 'desc'.`);
    }
    if (sort === undefined) return order === "desc" ? [...records].reverse() : records;
    const key = keys[sort];
    if (!key) {
        throw badRequest(
            req.family,
            "invalid_parameter",
            `Query parameter 'sort' must be one of ${Object.keys(keys).join(", ")}; got '${sort}'.`,
        );
    }
    const sign = order === "desc" ? -1 : 1;
    // Array.prototype.sort is stable, so equal keys keep creation order.
    return [...records].sort((a, b) => {
        const x = key(a);
        const y = key(b);
        return x < y ? -sign : x > y ? sign : 0;
    });
}

/**
 * The common start of an IAM Identity update (service IDs and API keys): a locked entity is
 * refused, `If-Match` must match, and a given `name` must not be empty. Returns the body and
 * the two fields every Identity entity has. @internal
 */
export function beginIdentityUpdate(
    req: ApiRequest,
    env: HandlerEnv,
    entity: { locked: boolean; entityTag: string },
    lockedMessage: string,
): { body: Record<string, unknown>; name?: string; description?: string } {
    if (entity.locked) throw lockedError(req, env, lockedMessage);
    checkIfMatch(req, entity.entityTag, env.config.staleEntityTagStatus);
    const body = bodyObject(req);
    const name = optionalString(req, body, "name");
    if (name !== undefined && name.trim() === "") {
        throw badRequest(req.family, "invalid_body", "Property 'name' must not be empty.");
    }
    return { body, name, description: optionalString(req, body, "description") };
}
