// IAM Access Groups v2: membership (IBM's IAM Access Groups API reference; the SDK's
// iam-access-groups/v2.ts). Users (`IBMid-…`) and service IDs (`iam-ServiceId-…`) are members;
// trusted profiles are not emulated. "There is no limit to the number of members one group can
// have, but each `iam_id` can only be added to 50 groups. Additionally, this API request payload
// can add up to 50 members per call." Bulk operations answer 207 with one outcome per item
// (`status_code`, `trace`, `errors[{code, message}]`), as the SDK's models and IBM's own
// integration test (207, each added member `status_code: 200`) show.
import { accountIdQuery, booleanQuery, findAccessGroup } from "./accessGroups";
import { ApiError } from "./errors";
import { ApiRequest, ApiResponse, HandlerEnv, badRequest, bodyObject, callerOf, notFound } from "./http";
import { groupTimestamp } from "./ids";
import { offsetPage, readOffsetPage } from "./pagination";
import { AccessGroupMemberRecord, AccessGroupRecord } from "./store";

/** The most members (or groups) one bulk request may name. */
const MAX_PER_REQUEST = 50;

/** IBM's member types and the iam_id prefix each has. */
const MEMBER_PREFIX: Record<string, string> = {
    user: "IBMid-",
    service: "iam-ServiceId-",
    profile: "iam-Profile-",
};

/** One item's failure inside a 207. */
interface ItemError {
    readonly status: number;
    readonly code: string;
    readonly message: string;
}

function itemFailure(req: ApiRequest, e: ItemError): Record<string, unknown> {
    return {
        status_code: e.status,
        trace: req.transactionId,
        errors: [{ code: e.code, message: e.message }],
    };
}

/** The member type an iam_id implies, from its prefix. */
function typeOfIamId(iamId: string): string | undefined {
    return Object.keys(MEMBER_PREFIX).find((t) => iamId.startsWith(MEMBER_PREFIX[t]));
}

/**
 * Why `iamId` (of `type`) cannot join group `g`, or undefined when it can. A service ID must be
 * one of the account's; a user may be any IBMid (IBM's own SDK integration test adds a made-up
 * `IBMid-<random>` and gets 200). Refusals IBM does not spell out use emulator-chosen codes.
 */
function whyNotMember(
    env: HandlerEnv,
    g: AccessGroupRecord,
    iamId: string,
    type: string,
): ItemError | undefined {
    if (!(type in MEMBER_PREFIX)) {
        return {
            status: 400,
            code: "invalid_type",
            message: "The member type must be 'user', 'service' or 'profile'.",
        };
    }
    if (!iamId.startsWith(MEMBER_PREFIX[type])) {
        return {
            status: 400,
            code: "invalid_member",
            message: `The iam_id '${iamId}' is not of type '${type}' (expected '${MEMBER_PREFIX[type]}…').`,
        };
    }
    if (type === "service") {
        const s = env.store.serviceIdByIamId(iamId);
        if (!s || s.accountId !== g.accountId || env.faults.hides(`/v1/serviceids/${s.id}`, env.now())) {
            return {
                status: 404,
                code: "not_found",
                message: `Service ID with iam_id '${iamId}' was not found in account ${g.accountId}.`,
            };
        }
    }
    if (type === "profile") {
        return {
            status: 404,
            code: "not_found",
            message: `Trusted profile with iam_id '${iamId}' was not found.`,
        };
    }
    if (g.members.some((m) => m.iamId === iamId)) return undefined;
    const limit = env.limits.get().accessGroupsPerMember;
    const count = env.store.accessGroupsOfMember(g.accountId, iamId).length;
    if (count >= limit) {
        return {
            status: 400,
            code: "limit_exceeded",
            message:
                `The iam_id '${iamId}' is already a member of ${count} access groups in account ${g.accountId}; ` +
                `an iam_id can be added to at most ${limit} groups.`,
        };
    }
    return undefined;
}

/** Adds `iamId` to `g` (a no-op when it is a member); returns its membership. */
function addMember(
    req: ApiRequest,
    env: HandlerEnv,
    g: AccessGroupRecord,
    iamId: string,
    type: string,
): AccessGroupMemberRecord {
    const existing = g.members.find((m) => m.iamId === iamId);
    if (existing) return existing;
    const m: AccessGroupMemberRecord = {
        iamId,
        type,
        createdAt: env.now(),
        createdById: callerOf(req).iamId,
    };
    g.members.push(m);
    return m;
}

function renderAddedMember(m: AccessGroupMemberRecord): Record<string, unknown> {
    return {
        iam_id: m.iamId,
        type: m.type,
        created_at: groupTimestamp(m.createdAt),
        created_by_id: m.createdById,
        status_code: 200,
    };
}

/** An array field of at most {@link MAX_PER_REQUEST} items, or 400. */
function boundedArray(req: ApiRequest, body: Record<string, unknown>, field: string): unknown[] {
    const v = body[field];
    if (!Array.isArray(v) || v.length === 0 || v.length > MAX_PER_REQUEST) {
        throw badRequest(
            req.family,
            "invalid_body",
            `Property '${field}' must be an array of 1 to ${MAX_PER_REQUEST} items.`,
        );
    }
    return v;
}

/** IBM operation `addMembersToAccessGroup`: PUT /v2/groups/{id}/members → 207, one outcome per member. @internal */
export function addMembersToAccessGroup(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const g = findAccessGroup(req, env, req.params.id);
    const items = boundedArray(req, bodyObject(req), "members");
    const parsed = items.map((item, i) => {
        const { iam_id: iamId, type } = (item ?? {}) as Record<string, unknown>;
        if (typeof iamId !== "string" || iamId === "" || typeof type !== "string") {
            throw badRequest(
                req.family,
                "invalid_body",
                `members[${i}]: must be {"iam_id": string, "type": string}.`,
            );
        }
        return { iamId, type };
    });
    const members = parsed.map(({ iamId, type }) => {
        const why = whyNotMember(env, g, iamId, type);
        if (why) return { iam_id: iamId, type, ...itemFailure(req, why) };
        return renderAddedMember(addMember(req, env, g, iamId, type));
    });
    env.store.commit();
    return { status: 207, body: { members }, accountId: g.accountId };
}

/** IBM operation `isMemberOfAccessGroup`: HEAD /v2/groups/{id}/members/{iam_id} → 204, or 404. @internal */
export function isMemberOfAccessGroup(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const g = findAccessGroup(req, env, req.params.id);
    if (!g.members.some((m) => m.iamId === req.params.sub)) throw memberNotFound(req, g, req.params.sub);
    return { status: 204, accountId: g.accountId };
}

function memberNotFound(req: ApiRequest, g: AccessGroupRecord, iamId: string): ApiError {
    return new ApiError(404, "not_found", `Member '${iamId}' was not found in access group '${g.id}'.`);
}

const MEMBER_SORT: Record<string, (m: Record<string, unknown>) => string> = {
    id: (m) => String(m.iam_id),
    name: (m) => String(m.name ?? "").toLowerCase(),
    email: (m) => String(m.email ?? "").toLowerCase(),
};

/**
 * IBM operation `listAccessGroupMembers`: GET /v2/groups/{id}/members?membership_type&type&verbose&
 * sort&limit&offset → 200. With `verbose=true`, a service ID's name and description, the account
 * owner's name and email (other users are not known to the emulator and show their iam_id only).
 * @internal
 */
export function listAccessGroupMembers(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const g = findAccessGroup(req, env, req.params.id);
    const page = readOffsetPage(req);
    const membershipType = req.query.get("membership_type") || "all";
    if (!["static", "dynamic", "all"].includes(membershipType)) {
        throw badRequest(
            req.family,
            "invalid_parameter",
            "Query parameter 'membership_type' must be 'static', 'dynamic' or 'all'.",
        );
    }
    const type = req.query.get("type") || undefined;
    if (type !== undefined && !(type in MEMBER_PREFIX)) {
        throw badRequest(
            req.family,
            "invalid_parameter",
            "Query parameter 'type' must be 'user', 'service' or 'profile'.",
        );
    }
    const verbose = booleanQuery(req, "verbose");
    const owner = env.store.accounts.get(g.accountId);
    const shown =
        membershipType === "dynamic" ? [] : g.members.filter((m) => type === undefined || m.type === type);
    let rendered = shown.map((m) => {
        const body: Record<string, unknown> = { iam_id: m.iamId, type: m.type, membership_type: "static" };
        const s = m.type === "service" ? env.store.serviceIdByIamId(m.iamId) : undefined;
        if (verbose && s) {
            body.name = s.name;
            if (s.description !== "") body.description = s.description;
        }
        if (verbose && owner && m.iamId === owner.adminIamId) {
            body.name = owner.adminName;
            body.email = owner.adminEmail;
        }
        if (s) body.href = `${req.baseUrl}/v1/serviceids/${s.id}`;
        body.created_at = groupTimestamp(m.createdAt);
        body.created_by_id = m.createdById;
        return body;
    });
    const sort = req.query.get("sort");
    if (sort) {
        const key = MEMBER_SORT[sort];
        if (!key) {
            throw badRequest(
                req.family,
                "invalid_parameter",
                `Query parameter 'sort' must be one of ${Object.keys(MEMBER_SORT).join(", ")}.`,
            );
        }
        rendered = [...rendered].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    }
    const query: Record<string, string> = {};
    for (const name of ["membership_type", "type", "verbose", "sort"]) {
        const v = req.query.get(name);
        if (v) query[name] = v;
    }
    return {
        status: 200,
        body: offsetPage(req, `/v2/groups/${g.id}/members`, query, page, "members", rendered),
        accountId: g.accountId,
    };
}

/** IBM operation `removeMemberFromAccessGroup`: DELETE /v2/groups/{id}/members/{iam_id} → 204, or 404. @internal */
export function removeMemberFromAccessGroup(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const g = findAccessGroup(req, env, req.params.id);
    const iamId = req.params.sub;
    const before = g.members.length;
    g.members = g.members.filter((m) => m.iamId !== iamId);
    if (g.members.length === before) throw memberNotFound(req, g, iamId);
    env.store.commit();
    return { status: 204, accountId: g.accountId };
}

/**
 * IBM operation `removeMembersFromAccessGroup`: POST /v2/groups/{id}/members/delete → 207 ("On a
 * successful call, this API will always return 207. It is the caller's responsibility to iterate
 * across the body to determine successful deletion of each member").
 * @internal
 */
export function removeMembersFromAccessGroup(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const g = findAccessGroup(req, env, req.params.id);
    const ids = boundedArray(req, bodyObject(req), "members");
    if (ids.some((id) => typeof id !== "string" || id === "")) {
        throw badRequest(req.family, "invalid_body", "Property 'members' must be an array of iam_ids.");
    }
    const members = (ids as string[]).map((iamId) => {
        const before = g.members.length;
        g.members = g.members.filter((m) => m.iamId !== iamId);
        if (g.members.length < before) return { iam_id: iamId, trace: req.transactionId, status_code: 204 };
        const e = memberNotFound(req, g, iamId);
        return { iam_id: iamId, ...itemFailure(req, { status: 404, code: e.code, message: e.message }) };
    });
    env.store.commit();
    return { status: 207, body: { access_group_id: g.id, members }, accountId: g.accountId };
}

/**
 * IBM operation `removeMemberFromAllAccessGroups`: DELETE /v2/groups/_allgroups/members/{iam_id}?account_id
 * → 207 with the groups it left, or 404 naming the iam_id when it is in none (IBM's own SDK
 * integration test expects that 404 and the iam_id in its message).
 * @internal
 */
export function removeMemberFromAllAccessGroups(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const accountId = accountIdQuery(req);
    const iamId = req.params.id;
    const groups = env.store.accessGroupsOfMember(accountId, iamId);
    if (groups.length === 0) {
        throw new ApiError(
            404,
            "not_found",
            `Member '${iamId}' is not in any access group of account ${accountId}.`,
        );
    }
    for (const g of groups) g.members = g.members.filter((m) => m.iamId !== iamId);
    env.store.commit();
    return {
        status: 207,
        body: {
            iam_id: iamId,
            groups: groups.map((g) => ({
                access_group_id: g.id,
                status_code: 204,
                trace: req.transactionId,
            })),
        },
        accountId,
    };
}

/**
 * IBM operation `addMemberToMultipleAccessGroups`: PUT /v2/groups/_allgroups/members/{iam_id}?account_id
 * with `{type, groups}` ("The limit of how many groups that can be in the request is 50") → 207,
 * one outcome per group.
 * @internal
 */
export function addMemberToMultipleAccessGroups(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const accountId = accountIdQuery(req);
    const iamId = req.params.id;
    const body = bodyObject(req);
    const ids = boundedArray(req, body, "groups");
    const type = typeof body.type === "string" ? body.type : typeOfIamId(iamId);
    if (type === undefined) {
        throw badRequest(
            req.family,
            "invalid_body",
            "Property 'type' must be 'user', 'service' or 'profile'.",
        );
    }
    const groups = ids.map((id) => {
        const g = typeof id === "string" ? env.store.accessGroups.get(id) : undefined;
        if (!g || g.accountId !== accountId) {
            const e = notFound(req, "Access group", String(id));
            return {
                access_group_id: id,
                ...itemFailure(req, { status: 404, code: e.code, message: e.message }),
            };
        }
        const why = whyNotMember(env, g, iamId, type);
        if (why) return { access_group_id: g.id, ...itemFailure(req, why) };
        addMember(req, env, g, iamId, type);
        return { access_group_id: g.id, status_code: 200, trace: req.transactionId };
    });
    env.store.commit();
    return { status: 207, body: { iam_id: iamId, groups }, accountId };
}
