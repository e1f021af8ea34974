// IAM Identity API keys: /v1/apikeys (IBM's IAM API documentation). A key's value is shown once, in the
// create response, unless it is a service-ID key created with `store_value: true`; the emulator
// keeps only a hash otherwise, so it could not show the value again even by mistake.
import { ApiError, MessageCode } from "./errors";
import {
    ApiRequest,
    ApiResponse,
    HandlerEnv,
    badRequest,
    beginIdentityUpdate,
    bodyObject,
    booleanHeader,
    callerOf,
    lockedError,
    notFound,
    optionalBoolean,
    optionalString,
    requireOwnAccount,
    requiredString,
    sortRecords,
} from "./http";
import { hashApiKey, identityTimestamp, newApiKeyValue, newEntityTag, newUuid } from "./ids";
import { limitExceeded } from "./limits";
import { identityPage, readIdentityPage } from "./pagination";
import { ApiKeyRecord } from "./store";

/** The identity an API key is bound to. @internal */
export interface KeyOwner {
    readonly iamId: string;
    readonly accountId: string;
    readonly kind: "serviceId" | "user";
}

/** A validated key not yet stored, with its clear value. @internal */
export interface CreatedApiKey {
    readonly record: ApiKeyRecord;
    readonly value: string;
}

const ACTIONS_WHEN_LEAKED = ["none", "disable", "delete"];
const EXPIRES_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}\+0000$/;

/** The CRN IBM gives an API key. @internal */
export function apiKeyCrn(accountId: string, id: string): string {
    return `crn:v1:bluemix:public:iam-identity::a/${accountId}::apikey:${id}`;
}

/** The `ApiKey` JSON model; `value` only where IBM shows it. @internal */
export function renderApiKey(k: ApiKeyRecord, value?: string): Record<string, unknown> {
    const body: Record<string, unknown> = {
        id: k.id,
        entity_tag: k.entityTag,
        crn: apiKeyCrn(k.accountId, k.id),
        locked: k.locked,
        disabled: k.disabled,
        created_at: identityTimestamp(k.createdAt),
        created_by: k.createdBy,
        modified_at: identityTimestamp(k.modifiedAt),
        name: k.name,
    };
    if (k.description !== "") body.description = k.description;
    body.iam_id = k.iamId;
    body.account_id = k.accountId;
    if (value !== undefined) body.apikey = value;
    body.support_sessions = k.supportSessions;
    body.action_when_leaked = k.actionWhenLeaked;
    if (k.expiresAt) body.expires_at = k.expiresAt;
    return body;
}

function valueInUse(env: HandlerEnv, hash: string): boolean {
    return env.store.accountByAdminKeyHash(hash) !== undefined || env.store.apiKeyByHash(hash) !== undefined;
}

/**
 * Validates a key-creation body for `owner` and builds the record; stores nothing.
 * Used by `createApiKey` and by `createServiceId`'s inline `apikey`.
 * @internal
 */
export function prepareApiKey(
    req: ApiRequest,
    env: HandlerEnv,
    body: Record<string, unknown>,
    owner: KeyOwner,
    locked: boolean,
    disabled: boolean,
): CreatedApiKey {
    const name = requiredString(req, body, "name");
    const description = optionalString(req, body, "description") ?? "";
    const own = optionalString(req, body, "apikey");
    const storeValue = optionalBoolean(req, body, "store_value") ?? false;
    const supportSessions = optionalBoolean(req, body, "support_sessions") ?? false;
    const actionWhenLeaked = optionalString(req, body, "action_when_leaked") ?? "disable";
    const expiresAt = optionalString(req, body, "expires_at");
    if (!ACTIONS_WHEN_LEAKED.includes(actionWhenLeaked)) {
        throw badRequest(
            req.family,
            "invalid_body",
            `Property 'action_when_leaked' must be one of ${ACTIONS_WHEN_LEAKED.join(", ")}.`,
        );
    }
    if (expiresAt !== undefined && !EXPIRES_AT.test(expiresAt)) {
        throw badRequest(
            req.family,
            "invalid_body",
            "Property 'expires_at' must look like 'yyyy-MM-ddTHH:mm+0000'.",
        );
    }
    if (storeValue && owner.kind !== "serviceId") {
        throw badRequest(
            req.family,
            "invalid_body",
            "Property 'store_value' is only allowed for service ID API keys.",
        );
    }
    if (own !== undefined && own.length < 32) {
        // Never echo the value: error bodies end up in logs.
        throw badRequest(
            req.family,
            "invalid_body",
            "Property 'apikey' must be at least 32 characters long.",
        );
    }
    const limit = env.limits.get().apiKeysPerIdentity;
    const count = [...env.store.apiKeys.values()].filter((k) => k.iamId === owner.iamId).length;
    if (count >= limit) throw limitExceeded("API keys", `for identity ${owner.iamId}`, count, limit);
    let value = own ?? newApiKeyValue();
    if (own !== undefined && valueInUse(env, hashApiKey(own))) {
        throw new ApiError(409, "conflict", "The API key value in property 'apikey' is already in use.", {
            messageCode: MessageCode.Conflict,
        });
    }
    while (own === undefined && valueInUse(env, hashApiKey(value))) value = newApiKeyValue();
    const now = env.now();
    const record: ApiKeyRecord = {
        id: `ApiKey-${newUuid()}`,
        iamId: owner.iamId,
        accountId: owner.accountId,
        name,
        description,
        valueHash: hashApiKey(value),
        ...(storeValue ? { storedValue: value } : {}),
        locked,
        disabled,
        revision: 1,
        entityTag: newEntityTag(1),
        createdAt: now,
        createdBy: callerOf(req).iamId,
        modifiedAt: now,
        supportSessions,
        actionWhenLeaked,
        ...(expiresAt ? { expiresAt } : {}),
    };
    return { record, value };
}

/**
 * IAM deletes an API key "permanently and irrevocably ... when both the expires_at and
 * modified_at timestamps are more than ninety (90) days in the past, regardless of the key's
 * locked status or any other state" (IBM's IAM Identity API reference, `expires_at`; the SDK's
 * iam-identity/v1.ts, `createApiKey`).
 * @internal
 */
export const PURGE_AFTER_MS = 90 * 86_400_000;

/** A key's `expires_at` as epoch milliseconds; undefined when it has none. @internal */
export function expiryOf(k: ApiKeyRecord): number | undefined {
    if (!k.expiresAt) return undefined;
    const t = Date.parse(k.expiresAt.replace(/\+0000$/, "Z"));
    return Number.isNaN(t) ? undefined : t;
}

/** Whether `k` has expired at `nowMs` (its `expires_at` is not after it). @internal */
export function isExpired(k: ApiKeyRecord, nowMs: number): boolean {
    const t = expiryOf(k);
    return t !== undefined && t <= nowMs;
}

/**
 * Deletes the keys that IAM purges at `nowMs` ({@link PURGE_AFTER_MS}); returns how many.
 * Runs before every request, so a purge is seen as soon as the clock passes it.
 * @internal
 */
export function purgeExpiredApiKeys(env: HandlerEnv): number {
    const now = env.now();
    let purged = 0;
    for (const k of [...env.store.apiKeys.values()]) {
        const expiry = expiryOf(k);
        if (expiry !== undefined && now - expiry > PURGE_AFTER_MS && now - k.modifiedAt > PURGE_AFTER_MS) {
            env.store.apiKeys.delete(k.id);
            purged++;
        }
    }
    if (purged > 0) env.store.commit();
    return purged;
}

/** Stores a prepared key. @internal */
export function insertApiKey(env: HandlerEnv, created: CreatedApiKey): void {
    env.store.apiKeys.set(created.record.id, created.record);
}

/** The caller's API key `id`, or 404 (also for another account's). @internal */
function findApiKey(req: ApiRequest, env: HandlerEnv, id: string): ApiKeyRecord {
    const k = env.store.apiKeys.get(id);
    if (!k || k.accountId !== callerOf(req).accountId) throw notFound(req, "API key", id);
    return k;
}

function bump(k: ApiKeyRecord, nowMs: number): void {
    k.revision++;
    k.entityTag = newEntityTag(k.revision);
    k.modifiedAt = nowMs;
}

function withEtag(k: ApiKeyRecord, status: number, body: unknown): ApiResponse {
    return { status, body, headers: { ETag: k.entityTag }, accountId: k.accountId };
}

/**
 * Who `iam_id` is in the caller's account: one of its service IDs or its owner.
 * Anything else (including another account's service ID) is 404.
 */
function resolveOwner(req: ApiRequest, env: HandlerEnv, iamId: string): KeyOwner {
    const caller = callerOf(req);
    const s = env.store.serviceIdByIamId(iamId);
    // Eventual consistency (fault injection): a service ID created moments ago is not yet known here.
    if (s && s.accountId === caller.accountId && !env.faults.hides(`/v1/serviceids/${s.id}`, env.now()))
        return { iamId, accountId: s.accountId, kind: "serviceId" };
    const account = env.store.accounts.get(caller.accountId);
    if (account && account.adminIamId === iamId) return { iamId, accountId: caller.accountId, kind: "user" };
    throw new ApiError(404, "not_found", `Identity with iam_id '${iamId}' not found.`, {
        messageCode: MessageCode.NotFound,
    });
}

/** IBM operation `createApiKey`: POST /v1/apikeys → 201, the only response with the value. @internal */
export function createApiKey(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const body = bodyObject(req);
    const iamId = requiredString(req, body, "iam_id");
    const accountId = optionalString(req, body, "account_id");
    if (accountId !== undefined) requireOwnAccount(req, accountId);
    const owner = resolveOwner(req, env, iamId);
    const created = prepareApiKey(
        req,
        env,
        body,
        owner,
        booleanHeader(req, "Entity-Lock"),
        booleanHeader(req, "Entity-Disable"),
    );
    insertApiKey(env, created);
    env.store.commit();
    env.faults.created(`/v1/apikeys/${created.record.id}`, env.now());
    return withEtag(created.record, 201, renderApiKey(created.record, created.value));
}

/** IBM operation `getApiKey`: GET /v1/apikeys/{id} → 200 (value only if stored). @internal */
export function getApiKey(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const id = req.params.id;
    const k = findApiKey(req, env, id);
    // Eventual consistency (fault injection): a just-created object is not yet readable.
    if (env.faults.hides(`/v1/apikeys/${id}`, env.now())) throw notFound(req, "API key", id);
    return withEtag(k, 200, renderApiKey(k, k.storedValue));
}

/** IBM operation `getApiKeysDetails`: GET /v1/apikeys/details with header `IAM-ApiKey`. @internal */
export function getApiKeysDetails(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const raw = req.headers["iam-apikey"];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (!value) {
        throw badRequest(req.family, "missing_header", "Header 'IAM-ApiKey' is required.");
    }
    const k = env.store.apiKeyByHash(hashApiKey(value));
    // A read of the key like GET by id, so eventual consistency (fault injection) hides a new one too.
    if (!k || k.accountId !== callerOf(req).accountId || env.faults.hides(`/v1/apikeys/${k.id}`, env.now())) {
        throw new ApiError(404, "not_found", "API key not found.", { messageCode: MessageCode.NotFound });
    }
    return withEtag(k, 200, renderApiKey(k, k.storedValue));
}

/** IBM operation `listApiKeys`: GET /v1/apikeys?account_id&iam_id&type&pagesize&pagetoken&sort&order. @internal */
export function listApiKeys(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const page = readIdentityPage(req, ["account_id", "iam_id", "type", "sort", "order"]);
    // account_id is optional for keys; it defaults to the caller's account.
    const accountId = page.filters.account_id ?? callerOf(req).accountId;
    requireOwnAccount(req, accountId);
    const filters: Record<string, string> = { ...page.filters, account_id: accountId };
    let all = [...env.store.apiKeys.values()].filter((k) => k.accountId === accountId);
    if (filters.iam_id !== undefined) all = all.filter((k) => k.iamId === filters.iam_id);
    if (filters.type === "serviceid") all = all.filter((k) => k.iamId.startsWith("iam-ServiceId-"));
    else if (filters.type === "user") all = all.filter((k) => !k.iamId.startsWith("iam-ServiceId-"));
    else if (filters.type !== undefined) {
        throw badRequest(
            req.family,
            "invalid_parameter",
            "Query parameter 'type' must be 'user' or 'serviceid'.",
        );
    }
    // Eventual consistency of listings (fault injection): a just-created object is not yet listed.
    all = all.filter((k) => !env.faults.unlists(`/v1/apikeys/${k.id}`, env.now()));
    all = sortRecords(req, filters, all, {
        name: (k) => k.name,
        description: (k) => k.description,
        created_at: (k) => k.createdAt,
        modified_at: (k) => k.modifiedAt,
    });
    return {
        status: 200,
        body: identityPage(
            req,
            "/v1/apikeys",
            "apikeys",
            { ...page, filters },
            all.map((k) => renderApiKey(k)),
        ),
        accountId,
    };
}

/** IBM operation `updateApiKey`: PUT /v1/apikeys/{id} with `If-Match` → 200. @internal */
export function updateApiKey(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const k = findApiKey(req, env, req.params.id);
    const { body, name, description } = beginIdentityUpdate(
        req,
        env,
        k,
        `API key '${k.id}' is locked and cannot be updated.`,
    );
    const supportSessions = optionalBoolean(req, body, "support_sessions");
    const action = optionalString(req, body, "action_when_leaked");
    const expiresAt = optionalString(req, body, "expires_at");
    if (action !== undefined && !ACTIONS_WHEN_LEAKED.includes(action)) {
        throw badRequest(
            req.family,
            "invalid_body",
            `Property 'action_when_leaked' must be one of ${ACTIONS_WHEN_LEAKED.join(", ")}.`,
        );
    }
    if (expiresAt !== undefined && expiresAt !== "" && !EXPIRES_AT.test(expiresAt)) {
        throw badRequest(
            req.family,
            "invalid_body",
            "Property 'expires_at' must look like 'yyyy-MM-ddTHH:mm+0000'.",
        );
    }
    if (name !== undefined) k.name = name;
    if (description !== undefined) k.description = description;
    if (supportSessions !== undefined) k.supportSessions = supportSessions;
    if (action !== undefined) k.actionWhenLeaked = action;
    if (expiresAt !== undefined) {
        if (expiresAt === "") delete k.expiresAt;
        else k.expiresAt = expiresAt;
    }
    bump(k, env.now());
    env.store.commit();
    return withEtag(k, 200, renderApiKey(k, k.storedValue));
}

/**
 * IBM operation `deleteApiKey`: DELETE /v1/apikeys/{id} → 204. The value can no longer be
 * exchanged for tokens; tokens already issued stay valid until they expire, as with IBM.
 * @internal
 */
export function deleteApiKey(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const k = findApiKey(req, env, req.params.id);
    if (k.locked) throw lockedError(req, env, `API key '${k.id}' is locked and cannot be deleted.`);
    env.store.apiKeys.delete(k.id);
    env.store.commit();
    return { status: 204, accountId: k.accountId };
}

function setFlag(req: ApiRequest, env: HandlerEnv, flag: "locked" | "disabled", on: boolean): ApiResponse {
    const k = findApiKey(req, env, req.params.id);
    if (k[flag] !== on) {
        k[flag] = on;
        bump(k, env.now());
        env.store.commit();
    }
    return { status: 204, accountId: k.accountId };
}

/** IBM operation `lockApiKey`: POST /v1/apikeys/{id}/lock → 204. @internal */
export function lockApiKey(req: ApiRequest, env: HandlerEnv): ApiResponse {
    return setFlag(req, env, "locked", true);
}

/** IBM operation `unlockApiKey`: DELETE /v1/apikeys/{id}/lock → 204. @internal */
export function unlockApiKey(req: ApiRequest, env: HandlerEnv): ApiResponse {
    return setFlag(req, env, "locked", false);
}

/** IBM operation `disableApiKey`: POST /v1/apikeys/{id}/disable → 204; the key stops getting tokens. @internal */
export function disableApiKey(req: ApiRequest, env: HandlerEnv): ApiResponse {
    return setFlag(req, env, "disabled", true);
}

/** IBM operation `enableApiKey`: DELETE /v1/apikeys/{id}/disable → 204. @internal */
export function enableApiKey(req: ApiRequest, env: HandlerEnv): ApiResponse {
    return setFlag(req, env, "disabled", false);
}
