// The HTTP front of the emulator: routing by IBM path, bearer authentication, IBM's common
// response headers, fault injection, the request log, and the /_emulator control paths
// (which are outside IBM's URL space, are not authenticated and are not logged).
import * as http from "http";
import * as https from "https";
import { randomUUID } from "crypto";
import * as accessGroupMembers from "./accessGroupMembers";
import * as accessGroups from "./accessGroups";
import { accessOf } from "./access";
import * as accountLimits from "./accountLimits";
import * as apiKeys from "./apiKeys";
import { EmulatorClock, parseDuration, parseInstant } from "./clock";
import { ApiError, ApiFamily, MessageCode, RequestContext, errorBody } from "./errors";
import { LostResponseDecision, validateFault } from "./faults";
import { ApiRequest, ApiResponse, Caller, Handler, HandlerEnv } from "./http";
import { newTransactionId } from "./ids";
import { IamLimits, validateLimits } from "./limits";
import * as oidc from "./oidc";
import * as policies from "./policies";
import { RequestLog } from "./requestLog";
import * as serviceIds from "./serviceIds";
import { getToken } from "./tokenEndpoint";

interface Route {
    readonly method: string;
    readonly pattern: RegExp;
    readonly operation: string;
    readonly family: ApiFamily;
    readonly handler: Handler;
}

const ID = "([^/]+)";

function route(method: string, path: string, operation: string, family: ApiFamily, handler: Handler): Route {
    // "{id}" and "{sub}" capture one segment each; a trailing "/?" accepts both "/v1/serviceids"
    // and "/v1/serviceids/".
    const pattern = new RegExp("^" + path.replace("{id}", ID).replace("{sub}", ID) + "/?$");
    return { method, pattern, operation, family, handler };
}

/** Every IBM operation the emulator implements. Order matters: `/v1/apikeys/details` before `{id}`. */
const ROUTES: Route[] = [
    route("POST", "/identity/token", "getToken", "token", getToken),
    // IAM as the OpenID issuer of IKS's tokens (./oidc.ts).
    route(
        "GET",
        "/identity/.well-known/openid-configuration",
        "getOpenIdConfiguration",
        "token",
        oidc.getOpenIdConfiguration,
    ),
    route("GET", "/identity/keys", "getKeys", "token", oidc.getKeys),

    route("GET", "/v1/serviceids", "listServiceIds", "identity", serviceIds.listServiceIds),
    route("POST", "/v1/serviceids", "createServiceId", "identity", serviceIds.createServiceId),
    route("GET", "/v1/serviceids/{id}", "getServiceId", "identity", serviceIds.getServiceId),
    route("PUT", "/v1/serviceids/{id}", "updateServiceId", "identity", serviceIds.updateServiceId),
    route("DELETE", "/v1/serviceids/{id}", "deleteServiceId", "identity", serviceIds.deleteServiceId),
    route("POST", "/v1/serviceids/{id}/lock", "lockServiceId", "identity", serviceIds.lockServiceId),
    route("DELETE", "/v1/serviceids/{id}/lock", "unlockServiceId", "identity", serviceIds.unlockServiceId),

    route("GET", "/v1/apikeys", "listApiKeys", "identity", apiKeys.listApiKeys),
    route("POST", "/v1/apikeys", "createApiKey", "identity", apiKeys.createApiKey),
    route("GET", "/v1/apikeys/details", "getApiKeysDetails", "identity", apiKeys.getApiKeysDetails),
    route("GET", "/v1/apikeys/{id}", "getApiKey", "identity", apiKeys.getApiKey),
    route("PUT", "/v1/apikeys/{id}", "updateApiKey", "identity", apiKeys.updateApiKey),
    route("DELETE", "/v1/apikeys/{id}", "deleteApiKey", "identity", apiKeys.deleteApiKey),
    route("POST", "/v1/apikeys/{id}/lock", "lockApiKey", "identity", apiKeys.lockApiKey),
    route("DELETE", "/v1/apikeys/{id}/lock", "unlockApiKey", "identity", apiKeys.unlockApiKey),
    route("POST", "/v1/apikeys/{id}/disable", "disableApiKey", "identity", apiKeys.disableApiKey),
    route("DELETE", "/v1/apikeys/{id}/disable", "enableApiKey", "identity", apiKeys.enableApiKey),

    route("GET", "/v1/policies", "listPolicies", "policy", policies.listPolicies),
    route("POST", "/v1/policies", "createPolicy", "policy", policies.createPolicy),
    route("GET", "/v1/policies/{id}", "getPolicy", "policy", policies.getPolicy),
    route("PUT", "/v1/policies/{id}", "replacePolicy", "policy", policies.replacePolicy),
    route("DELETE", "/v1/policies/{id}", "deletePolicy", "policy", policies.deletePolicy),

    route(
        "GET",
        "/v1/accounts/{id}/limits/identity",
        "getAccountLimits",
        "identity",
        accountLimits.getAccountLimits,
    ),
    route(
        "POST",
        "/v1/accounts/{id}/limits/identity",
        "bulkListAccountEntityConsumption",
        "identity",
        accountLimits.bulkListAccountEntityConsumption,
    ),

    // IAM Access Groups v2. `_allgroups` before `{id}`, which would otherwise take it.
    route(
        "PUT",
        "/v2/groups/_allgroups/members/{id}",
        "addMemberToMultipleAccessGroups",
        "groups",
        accessGroupMembers.addMemberToMultipleAccessGroups,
    ),
    route(
        "DELETE",
        "/v2/groups/_allgroups/members/{id}",
        "removeMemberFromAllAccessGroups",
        "groups",
        accessGroupMembers.removeMemberFromAllAccessGroups,
    ),
    route("GET", "/v2/groups", "listAccessGroups", "groups", accessGroups.listAccessGroups),
    route("POST", "/v2/groups", "createAccessGroup", "groups", accessGroups.createAccessGroup),
    route("GET", "/v2/groups/{id}", "getAccessGroup", "groups", accessGroups.getAccessGroup),
    route("PATCH", "/v2/groups/{id}", "updateAccessGroup", "groups", accessGroups.updateAccessGroup),
    route("DELETE", "/v2/groups/{id}", "deleteAccessGroup", "groups", accessGroups.deleteAccessGroup),
    route(
        "PUT",
        "/v2/groups/{id}/members",
        "addMembersToAccessGroup",
        "groups",
        accessGroupMembers.addMembersToAccessGroup,
    ),
    route(
        "GET",
        "/v2/groups/{id}/members",
        "listAccessGroupMembers",
        "groups",
        accessGroupMembers.listAccessGroupMembers,
    ),
    route(
        "POST",
        "/v2/groups/{id}/members/delete",
        "removeMembersFromAccessGroup",
        "groups",
        accessGroupMembers.removeMembersFromAccessGroup,
    ),
    route(
        "HEAD",
        "/v2/groups/{id}/members/{sub}",
        "isMemberOfAccessGroup",
        "groups",
        accessGroupMembers.isMemberOfAccessGroup,
    ),
    route(
        "DELETE",
        "/v2/groups/{id}/members/{sub}",
        "removeMemberFromAccessGroup",
        "groups",
        accessGroupMembers.removeMemberFromAccessGroup,
    ),
];

/** The family of a path nobody routes, so even its 404/405 has the right shape. */
function familyOfPath(path: string): ApiFamily {
    if (path.startsWith("/identity")) return "token";
    if (
        path.startsWith("/v1/serviceids") ||
        path.startsWith("/v1/apikeys") ||
        path.startsWith("/v1/accounts")
    ) {
        return "identity";
    }
    if (path.startsWith("/v2/groups")) return "groups";
    return "policy";
}

/** Bodies above this are refused; IAM requests are small. */
const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let tooBig = false;
        req.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY_BYTES) tooBig = true;
            else chunks.push(c);
        });
        req.on("end", () => resolve(tooBig ? undefined : Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** IBM's common response headers (IBM IAM docs: Response headers observed). */
function commonHeaders(family: ApiFamily, transactionId: string, startMs: number): Record<string, string> {
    const h: Record<string, string> = {
        "Content-Language": "en-US",
        "Transaction-Id": transactionId,
        "X-Correlation-Id": transactionId,
        "X-Request-Id": randomUUID(),
        "Cache-Control": "no-cache, no-store, must-revalidate",
        Pragma: "no-cache",
        Expires: "0",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
    };
    if (family === "policy") {
        const elapsed = String(Date.now() - startMs);
        h["Response-Time"] = elapsed;
        h["X-Response-Time"] = elapsed;
    } else if (family !== "groups") {
        h["ibm-cloud-service-name"] = "iam-identity";
    }
    return h;
}

/** An incoming Transaction-Id is echoed (IBM propagates it), if it is a sane token. */
function incomingTransactionId(req: http.IncomingMessage): string | undefined {
    const v = req.headers["transaction-id"];
    const s = Array.isArray(v) ? v[0] : v;
    return s && /^[A-Za-z0-9._-]{1,128}$/.test(s) ? s : undefined;
}

/** The dependencies of the HTTP front. @internal */
export interface ServerDeps {
    readonly env: HandlerEnv;
    readonly log: RequestLog;
    readonly clock: EmulatorClock;
    /** The emulator's base URL (set once listening). */
    baseUrl(): string;
}

/** Verifies the bearer token; throws 401 in the family's shape. */
function authenticate(req: http.IncomingMessage, env: HandlerEnv): Caller {
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
        throw new ApiError(
            401,
            "invalid_token",
            "The Authorization header is missing or is not a Bearer token.",
            {
                messageCode: MessageCode.MissingToken,
            },
        );
    }
    const result = env.tokens.verify(m[1], env.now());
    if (!result.ok) {
        throw new ApiError(
            401,
            "invalid_token",
            result.reason === "expired"
                ? "The provided access token is expired."
                : "The provided access token is invalid.",
            { messageCode: MessageCode.InvalidToken },
        );
    }
    const accountId = result.claims.account.bss;
    // A token for an account this emulator does not serve (e.g. from an earlier run) is invalid here.
    if (!env.store.accounts.has(accountId)) {
        throw new ApiError(401, "invalid_token", "The provided access token is invalid.", {
            messageCode: MessageCode.InvalidToken,
        });
    }
    return { accountId, iamId: result.claims.iam_id };
}

function send(
    res: http.ServerResponse,
    status: number,
    headers: Record<string, string>,
    body?: unknown,
): void {
    if (body === undefined) {
        res.writeHead(status, headers);
        res.end();
        return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, {
        ...headers,
        "Content-Type": "application/json",
        "Content-Length": String(Buffer.byteLength(text)),
    });
    res.end(text);
}

function faultError(status: number, retryAfterSeconds: number | undefined): ApiError {
    const headers: Record<string, string> = {};
    if ((status === 429 || status === 503) && retryAfterSeconds !== undefined) {
        headers["Retry-After"] = String(retryAfterSeconds);
    }
    if (status === 429) {
        return new ApiError(
            429,
            "too_many_requests",
            "Too many requests. Retry after the time in 'Retry-After'.",
            {
                messageCode: MessageCode.TooManyRequests,
                headers,
            },
        );
    }
    if (status === 503) {
        return new ApiError(
            503,
            "service_unavailable",
            "The service is temporarily unavailable. Retry later.",
            {
                messageCode: MessageCode.Unavailable,
                headers,
            },
        );
    }
    return new ApiError(status, "internal_server_error", "An internal error occurred. Retry later.", {
        messageCode: MessageCode.InternalError,
        headers,
    });
}

/** Handles one IBM API request end to end. */
async function handleApi(
    deps: ServerDeps,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    rawBody: string | undefined,
): Promise<void> {
    const { env, log } = deps;
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname;
    const startMs = Date.now();
    const transactionId = incomingTransactionId(req) ?? newTransactionId();

    const samePath = ROUTES.filter((r) => r.pattern.test(path));
    const matched = samePath.find((r) => r.method === method);
    const family = matched?.family ?? samePath[0]?.family ?? familyOfPath(path);
    const operation = matched?.operation ?? "unknown";
    const ctx: RequestContext = {
        transactionId,
        startMs,
        userAgent: String(req.headers["user-agent"] ?? ""),
        operation,
    };

    let response: ApiResponse;
    let accountId: string | undefined;
    // Whether the real handler ran: only then can a lost-response fault lose its answer.
    let handled = false;
    try {
        if (rawBody === undefined) {
            throw new ApiError(413, "request_too_large", "The request body is too large.", {
                messageCode: MessageCode.BadRequest,
            });
        }
        const decision = env.faults.beforeRequest(method, path);
        if (decision.delayMs > 0) await sleep(decision.delayMs);
        if (decision.status) throw faultError(decision.status.status, decision.status.retryAfterSeconds);

        if (!matched) {
            if (samePath.length > 0) {
                const allow = samePath.map((r) => r.method).join(", ");
                throw family === "token"
                    ? new ApiError(405, MessageCode.MethodNotAllowed, "HTTP 405 Method Not Allowed", {
                          messageCode: MessageCode.MethodNotAllowed,
                          headers: { Allow: allow },
                      })
                    : new ApiError(405, "method_not_allowed", `Method ${method} is not allowed on ${path}.`, {
                          messageCode: MessageCode.BadRequest,
                          headers: { Allow: allow },
                      });
            }
            throw new ApiError(404, "not_found", `No operation at ${method} ${path}.`, {
                messageCode: MessageCode.NotFound,
            });
        }

        let caller: Caller | undefined;
        if (matched.family !== "token") {
            caller = authenticate(req, env);
            accountId = caller.accountId;
        }
        let body: unknown = {};
        if (matched.family !== "token" && rawBody.trim() !== "") {
            try {
                body = JSON.parse(rawBody);
            } catch {
                throw new ApiError(400, "invalid_body", "The request body is not valid JSON.", {
                    messageCode: MessageCode.BadRequest,
                });
            }
        }
        const params: Record<string, string> = {};
        const m = matched.pattern.exec(path);
        if (m && m[1] !== undefined) params.id = decodeURIComponent(m[1]);
        if (m && m[2] !== undefined) params.sub = decodeURIComponent(m[2]);
        const apiReq: ApiRequest = {
            method,
            path,
            params,
            query: url.searchParams,
            headers: req.headers,
            body,
            rawBody,
            caller,
            baseUrl: deps.baseUrl(),
            family: matched.family,
            transactionId,
        };
        // Keys IAM purged by now (90 days past expiry) are gone before anything reads them.
        apiKeys.purgeExpiredApiKeys(env);
        handled = true;
        response = matched.handler(apiReq, env);
        accountId = response.accountId ?? accountId;
    } catch (e) {
        const err =
            e instanceof ApiError
                ? e
                : new ApiError(500, "internal_server_error", "An internal error occurred.", {
                      messageCode: MessageCode.InternalError,
                  });
        if (!(e instanceof ApiError)) console.error("IAM emulator: unexpected error:", e);
        response = {
            status: err.status,
            body: errorBody(family, ctx, err, Date.now()),
            headers: err.options.headers,
        };
    }
    log.add({ operation, method, path, status: response.status, ...(accountId ? { accountId } : {}) });
    const lost = handled ? env.faults.afterHandler(method, path) : undefined;
    if (lost) return loseResponse(req, res, lost, family, ctx);
    send(
        res,
        response.status,
        {
            ...commonHeaders(family, transactionId, startMs),
            // IAM's time, as its HTTP `Date` header gives it (RFC 9110): the emulator's clock.
            Date: new Date(env.now()).toUTCString(),
            ...response.headers,
        },
        response.body,
    );
}

/** Loses the answer of a request whose handler ran (fault injection): a 5xx, a reset or a stall. */
function loseResponse(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    lost: LostResponseDecision,
    family: ApiFamily,
    ctx: RequestContext,
): void {
    if (lost.mode === "status") {
        const err = faultError(lost.status, undefined);
        send(
            res,
            err.status,
            { ...commonHeaders(family, ctx.transactionId, ctx.startMs), ...err.options.headers },
            errorBody(family, ctx, err, Date.now()),
        );
        return;
    }
    if (lost.mode === "reset") {
        req.socket.destroy();
        return;
    }
    // A stall: nothing is sent; the connection is closed later unless the client gives up first.
    setTimeout(() => req.socket.destroy(), lost.stallMs).unref();
}

/** Handles the emulator's own control paths under /_emulator. */
function handleControl(
    deps: ServerDeps,
    method: string,
    url: URL,
    rawBody: string | undefined,
    res: http.ServerResponse,
): void {
    const path = url.pathname;
    const json = (status: number, body?: unknown): void =>
        send(res, status, { "Cache-Control": "no-store" }, body);
    const { env, log } = deps;
    const key = `${method} ${path.replace(/\/$/, "")}`;
    try {
        switch (key) {
            case "GET /_emulator/requests":
                return json(200, { requests: log.all() });
            case "GET /_emulator/counters":
                return json(200, log.counters());
            case "POST /_emulator/reset-log":
                log.reset();
                return json(204);
            case "POST /_emulator/reset":
                // A clean world for the next test: no objects, faults or log; accounts stay.
                env.store.clearObjects();
                env.faults.clear();
                env.limits.reset();
                log.reset();
                return json(204);
            case "GET /_emulator/state":
                apiKeys.purgeExpiredApiKeys(env);
                return json(200, env.store.snapshot());
            case "GET /_emulator/limits":
                return json(200, env.limits.get());
            case "POST /_emulator/limits": {
                const body = JSON.parse(rawBody || "null") as unknown;
                const problems = validateLimits(body, "limits");
                if (problems.length > 0) throw new Error(problems.join("; "));
                env.limits.set(body as Partial<IamLimits>);
                return json(200, env.limits.get());
            }
            case "GET /_emulator/access": {
                const accountId = url.searchParams.get("account_id");
                const iamId = url.searchParams.get("iam_id");
                if (!accountId || !iamId) throw new Error("expected ?account_id=<account>&iam_id=<iam_id>");
                return json(200, accessOf(env.store, accountId, iamId));
            }
            case "GET /_emulator/clock":
                return json(200, deps.clock.describe());
            case "POST /_emulator/clock": {
                const body = JSON.parse(rawBody || "{}") as Record<string, unknown>;
                if (body === null || typeof body !== "object" || Array.isArray(body))
                    throw new Error('expected {"set": <ISO 8601 or epoch ms>} or {"advance": "<duration>"}');
                if (body.set !== undefined) {
                    const at = parseInstant(body.set);
                    if (at === undefined) throw new Error(`set: ${JSON.stringify(body.set)} is not a time`);
                    deps.clock.set(at);
                }
                if (body.advance !== undefined) {
                    const by = parseDuration(body.advance);
                    if (by === undefined)
                        throw new Error(
                            `advance: ${JSON.stringify(body.advance)} is not a duration (e.g. "61d", "12h", "2w", ms)`,
                        );
                    deps.clock.advance(by);
                }
                if (body.set === undefined && body.advance === undefined)
                    throw new Error('expected {"set": <ISO 8601 or epoch ms>} or {"advance": "<duration>"}');
                apiKeys.purgeExpiredApiKeys(env);
                return json(200, deps.clock.describe());
            }
            case "GET /_emulator/faults":
                return json(200, { faults: env.faults.list() });
            case "DELETE /_emulator/faults":
                env.faults.clear();
                return json(204);
            case "POST /_emulator/faults": {
                const parsed = JSON.parse(rawBody || "null") as unknown;
                const list = Array.isArray(parsed) ? parsed : [parsed];
                const faults = list.map(validateFault);
                for (const f of faults) env.faults.add(f);
                return json(201, { faults: env.faults.list() });
            }
            default:
                return json(404, { error: `no emulator control operation ${key}` });
        }
    } catch (e) {
        return json(400, { error: (e as Error).message });
    }
}

/** Creates the HTTP server (not yet listening). @internal */
export function createIamServer(
    deps: ServerDeps,
    tls?: { readonly cert: string; readonly key: string },
): http.Server | https.Server {
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
        void (async () => {
            try {
                const url = new URL(req.url ?? "/", "http://emulator.invalid");
                const rawBody = await readBody(req);
                if (url.pathname.startsWith("/_emulator/")) {
                    handleControl(deps, (req.method ?? "GET").toUpperCase(), url, rawBody, res);
                } else {
                    await handleApi(deps, req, res, url, rawBody);
                }
            } catch (e) {
                console.error("IAM emulator: request failed:", e);
                if (!res.headersSent) send(res, 500, {}, { error: "internal emulator error" });
                else res.end();
            }
        })();
    };
    // Over TLS when given a certificate: an OpenID issuer must be https (kube-apiserver requires it).
    return tls !== undefined
        ? https.createServer({ cert: tls.cert, key: tls.key }, listener)
        : http.createServer(listener);
}
