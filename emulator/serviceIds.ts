// IAM Identity service IDs: /v1/serviceids (IBM's IAM API documentation). Handlers are named after the
// IBM SDK operations. Every object is scoped to the caller's account: another account's
// service ID answers 404, exactly like one that never existed.
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
    optionalString,
    optionalStringArray,
    requireOwnAccount,
    requiredString,
    sortRecords,
} from "./http";
import { identityTimestamp, newEntityTag, newUuid } from "./ids";
import { CreatedApiKey, insertApiKey, prepareApiKey, renderApiKey } from "./apiKeys";
import { limitExceeded } from "./limits";
import { readIdentityPage, identityPage } from "./pagination";
import { ServiceIdRecord } from "./store";

/** The collection path the SDK uses (with a trailing slash; both forms are routed). */
const COLLECTION = "/v1/serviceids/";

/** The CRN IBM gives a service ID. @internal */
export function serviceIdCrn(accountId: string, id: string): string {
    return `crn:v1:bluemix:public:iam-identity::a/${accountId}::serviceid:${id}`;
}

/** The `ServiceId` JSON model. @internal */
export function renderServiceId(
    s: ServiceIdRecord,
    apikey?: Record<string, unknown>,
): Record<string, unknown> {
    const body: Record<string, unknown> = {
        id: s.id,
        iam_id: s.iamId,
        entity_tag: s.entityTag,
        crn: serviceIdCrn(s.accountId, s.id),
        locked: s.locked,
        created_at: identityTimestamp(s.createdAt),
        modified_at: identityTimestamp(s.modifiedAt),
        account_id: s.accountId,
        name: s.name,
    };
    if (s.description !== "") body.description = s.description;
    body.unique_instance_crns = [...s.uniqueInstanceCrns];
    if (apikey) body.apikey = apikey;
    return body;
}

/** The caller's service ID `id`, or 404 (also for another account's). @internal */
export function findServiceId(req: ApiRequest, env: HandlerEnv, id: string): ServiceIdRecord {
    const s = env.store.serviceIds.get(id);
    if (!s || s.accountId !== callerOf(req).accountId) throw notFound(req, "Service ID", id);
    return s;
}

function bump(s: ServiceIdRecord, nowMs: number): void {
    s.revision++;
    s.entityTag = newEntityTag(s.revision);
    s.modifiedAt = nowMs;
}

function withEtag(s: ServiceIdRecord, status: number, body: unknown): ApiResponse {
    return { status, body, headers: { ETag: s.entityTag }, accountId: s.accountId };
}

/** IBM operation `createServiceId`: POST /v1/serviceids/ → 201. @internal */
export function createServiceId(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const body = bodyObject(req);
    const accountId = requiredString(req, body, "account_id");
    requireOwnAccount(req, accountId);
    const name = requiredString(req, body, "name");
    const description = optionalString(req, body, "description") ?? "";
    const uniqueInstanceCrns = optionalStringArray(req, body, "unique_instance_crns") ?? [];
    const locked = booleanHeader(req, "Entity-Lock");
    const limit = env.limits.get().serviceIdsPerAccount;
    const count = [...env.store.serviceIds.values()].filter((x) => x.accountId === accountId).length;
    if (count >= limit) throw limitExceeded("Service IDs", `in account ${accountId}`, count, limit);
    const now = env.now();
    const uuid = newUuid();
    const s: ServiceIdRecord = {
        id: `ServiceId-${uuid}`,
        iamId: `iam-ServiceId-${uuid}`,
        accountId,
        name,
        description,
        uniqueInstanceCrns,
        locked,
        revision: 1,
        entityTag: newEntityTag(1),
        createdAt: now,
        modifiedAt: now,
    };
    // The optional inline `apikey` creates a key in the same call; validate it before storing anything.
    let created: CreatedApiKey | undefined;
    if (body.apikey !== undefined && body.apikey !== null) {
        if (typeof body.apikey !== "object" || Array.isArray(body.apikey)) {
            throw badRequest(req.family, "invalid_body", "Property 'apikey' must be an object.");
        }
        created = prepareApiKey(
            req,
            env,
            body.apikey as Record<string, unknown>,
            { iamId: s.iamId, accountId, kind: "serviceId" },
            false,
            false,
        );
    }
    env.store.serviceIds.set(s.id, s);
    if (created) insertApiKey(env, created);
    env.store.commit();
    env.faults.created(`/v1/serviceids/${s.id}`, now);
    if (created) env.faults.created(`/v1/apikeys/${created.record.id}`, now);
    return withEtag(
        s,
        201,
        renderServiceId(s, created ? renderApiKey(created.record, created.value) : undefined),
    );
}

/** IBM operation `getServiceId`: GET /v1/serviceids/{id} → 200 with `ETag`. @internal */
export function getServiceId(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const id = req.params.id;
    const s = findServiceId(req, env, id);
    // Eventual consistency (fault injection): a just-created object is not yet readable.
    if (env.faults.hides(`/v1/serviceids/${id}`, env.now())) throw notFound(req, "Service ID", id);
    return withEtag(s, 200, renderServiceId(s));
}

/** IBM operation `listServiceIds`: GET /v1/serviceids/?account_id&name&pagesize&pagetoken&sort&order. @internal */
export function listServiceIds(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const page = readIdentityPage(req, ["account_id", "name", "sort", "order"]);
    const accountId = page.filters.account_id;
    if (!accountId) {
        throw new ApiError(400, "missing_parameter", "Query parameter 'account_id' is required.", {
            messageCode: MessageCode.BadRequest,
        });
    }
    requireOwnAccount(req, accountId);
    let all = [...env.store.serviceIds.values()].filter((s) => s.accountId === accountId);
    if (page.filters.name !== undefined) all = all.filter((s) => s.name === page.filters.name);
    // Eventual consistency of listings (fault injection): a just-created object is not yet listed.
    all = all.filter((s) => !env.faults.unlists(`/v1/serviceids/${s.id}`, env.now()));
    all = sortRecords(req, page.filters, all, {
        name: (s) => s.name,
        description: (s) => s.description,
        created_at: (s) => s.createdAt,
        modified_at: (s) => s.modifiedAt,
    });
    return {
        status: 200,
        body: identityPage(
            req,
            COLLECTION,
            "serviceids",
            page,
            all.map((s) => renderServiceId(s)),
        ),
        accountId,
    };
}

/** IBM operation `updateServiceId`: PUT /v1/serviceids/{id} with `If-Match` → 200. @internal */
export function updateServiceId(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const s = findServiceId(req, env, req.params.id);
    const { body, name, description } = beginIdentityUpdate(
        req,
        env,
        s,
        `Service ID '${s.id}' is locked and cannot be updated.`,
    );
    const crns = optionalStringArray(req, body, "unique_instance_crns");
    if (name !== undefined) s.name = name;
    // An empty string clears the description (IBM's IAM API documentation).
    if (description !== undefined) s.description = description;
    if (crns !== undefined) s.uniqueInstanceCrns = crns;
    bump(s, env.now());
    env.store.commit();
    return withEtag(s, 200, renderServiceId(s));
}

/**
 * IBM operation `deleteServiceId`: DELETE /v1/serviceids/{id} → 204. Also deletes the service ID's
 * API keys and the policies whose subject is its iam_id, as IBM documents (IBM's IAM API documentation),
 * and its access-group memberships (an identity that no longer exists is no group's member).
 * @internal
 */
export function deleteServiceId(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const s = findServiceId(req, env, req.params.id);
    if (s.locked) throw lockedError(req, env, `Service ID '${s.id}' is locked and cannot be deleted.`);
    const keys = [...env.store.apiKeys.values()].filter((k) => k.iamId === s.iamId);
    const lockedKey = keys.find((k) => k.locked);
    if (lockedKey) {
        throw lockedError(
            req,
            env,
            `Service ID '${s.id}' cannot be deleted because its API key '${lockedKey.id}' is locked.`,
        );
    }
    for (const k of keys) env.store.apiKeys.delete(k.id);
    for (const p of [...env.store.policies.values()]) {
        if (
            p.subjects.some((sub) => sub.attributes.some((a) => a.name === "iam_id" && a.value === s.iamId))
        ) {
            env.store.policies.delete(p.id);
        }
    }
    for (const g of env.store.accessGroupsOfMember(s.accountId, s.iamId)) {
        g.members = g.members.filter((m) => m.iamId !== s.iamId);
    }
    env.store.serviceIds.delete(s.id);
    env.store.commit();
    return { status: 204, accountId: s.accountId };
}

/** IBM operation `lockServiceId`: POST /v1/serviceids/{id}/lock → 204. @internal */
export function lockServiceId(req: ApiRequest, env: HandlerEnv): ApiResponse {
    return setLocked(req, env, true);
}

/** IBM operation `unlockServiceId`: DELETE /v1/serviceids/{id}/lock → 204. @internal */
export function unlockServiceId(req: ApiRequest, env: HandlerEnv): ApiResponse {
    return setLocked(req, env, false);
}

function setLocked(req: ApiRequest, env: HandlerEnv, locked: boolean): ApiResponse {
    const s = findServiceId(req, env, req.params.id);
    if (s.locked !== locked) {
        s.locked = locked;
        bump(s, env.now());
        env.store.commit();
    }
    return { status: 204, accountId: s.accountId };
}
