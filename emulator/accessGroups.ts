// IAM Access Groups v2: the groups themselves, /v2/groups (IBM's IAM Access Groups API reference,
// https://cloud.ibm.com/apidocs/iam-access-groups; the SDK's iam-access-groups/v2.ts). Handlers are
// named after the SDK operations. A group's `ETag` is its revision number, which `updateAccessGroup`
// needs in `If-Match` ("A revision number is returned in the ETag header, which is needed when
// updating the access group"). Members live in ./accessGroupMembers.ts.
import { ApiError } from "./errors";
import {
    ApiRequest,
    ApiResponse,
    HandlerEnv,
    badRequest,
    bodyObject,
    callerOf,
    checkIfMatch,
    notFound,
    optionalString,
    requireOwnAccount,
} from "./http";
import { groupTimestamp, newUuid } from "./ids";
import { limitExceeded } from "./limits";
import { offsetPage, readOffsetPage } from "./pagination";
import { AccessGroupRecord } from "./store";

/** IBM's limits on the two text fields (the SDK's `createAccessGroup` documentation). */
const NAME_MAX = 100;
const DESCRIPTION_MAX = 250;

/** The CRN of an access group (`show_crn=true`). @internal */
export function accessGroupCrn(accountId: string, id: string): string {
    return `crn:v1:bluemix:public:iam-groups::a/${accountId}::access-group:${id}`;
}

/** A boolean query parameter (`true`/`false`), or 400. @internal */
export function booleanQuery(req: ApiRequest, name: string): boolean {
    const raw = req.query.get(name);
    if (raw === null || raw === "" || raw === "false") return false;
    if (raw === "true") return true;
    throw badRequest(req.family, "invalid_parameter", `Query parameter '${name}' must be 'true' or 'false'.`);
}

/** The `account_id` query parameter, required and the caller's own. @internal */
export function accountIdQuery(req: ApiRequest): string {
    const accountId = req.query.get("account_id");
    if (!accountId) {
        throw badRequest(req.family, "missing_parameter", "Query parameter 'account_id' is required.");
    }
    requireOwnAccount(req, accountId);
    return accountId;
}

/** The `Group` JSON model. @internal */
export function renderAccessGroup(
    req: ApiRequest,
    g: AccessGroupRecord,
    options: { showFederated?: boolean; showCrn?: boolean } = {},
): Record<string, unknown> {
    return {
        id: g.id,
        name: g.name,
        // Always present: IBM's own SDK test reads '' from a group created without one.
        description: g.description,
        account_id: g.accountId,
        created_at: groupTimestamp(g.createdAt),
        created_by_id: g.createdById,
        last_modified_at: groupTimestamp(g.lastModifiedAt),
        last_modified_by_id: g.lastModifiedById,
        href: `${req.baseUrl}/v2/groups/${g.id}`,
        // Dynamic rules are not emulated, so no group is federated.
        ...(options.showFederated ? { is_federated: false } : {}),
        ...(options.showCrn ? { crn: accessGroupCrn(g.accountId, g.id) } : {}),
    };
}

/** The caller's access group `id`, or 404 (also for another account's). @internal */
export function findAccessGroup(req: ApiRequest, env: HandlerEnv, id: string): AccessGroupRecord {
    const g = env.store.accessGroups.get(id);
    if (!g || g.accountId !== callerOf(req).accountId) throw notFound(req, "Access group", id);
    return g;
}

function withEtag(g: AccessGroupRecord, status: number, body: unknown): ApiResponse {
    return { status, body, headers: { ETag: String(g.revision) }, accountId: g.accountId };
}

/** A name and description from a body, checked against IBM's lengths; undefined when absent. */
function readText(req: ApiRequest, body: Record<string, unknown>): { name?: string; description?: string } {
    const name = optionalString(req, body, "name");
    const description = optionalString(req, body, "description");
    if (name !== undefined && (name.trim() === "" || name.length > NAME_MAX)) {
        throw badRequest(req.family, "invalid_body", `Property 'name' must be 1 to ${NAME_MAX} characters.`);
    }
    if (description !== undefined && description.length > DESCRIPTION_MAX) {
        throw badRequest(
            req.family,
            "invalid_body",
            `Property 'description' must be at most ${DESCRIPTION_MAX} characters.`,
        );
    }
    return { name, description };
}

/**
 * Group names are unique within an account, compared case-insensitively ("Give the access group a
 * unique name that doesn't conflict with an existing access group in the account. This field is
 * case-insensitive"). IBM documents the rule, not the refusal's status; the emulator answers 409.
 */
function checkNameFree(
    req: ApiRequest,
    env: HandlerEnv,
    accountId: string,
    name: string,
    self?: string,
): void {
    const wanted = name.toLowerCase();
    for (const g of env.store.accessGroups.values()) {
        if (g.accountId === accountId && g.id !== self && g.name.toLowerCase() === wanted) {
            throw new ApiError(
                409,
                "conflict",
                `An access group with the name '${name}' already exists in account ${accountId} (${g.id}).`,
            );
        }
    }
}

/** IBM operation `createAccessGroup`: POST /v2/groups?account_id → 201 with `ETag`. @internal */
export function createAccessGroup(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const accountId = accountIdQuery(req);
    const body = bodyObject(req);
    const { name, description } = readText(req, body);
    if (name === undefined) throw badRequest(req.family, "invalid_body", "Property 'name' is required.");
    checkNameFree(req, env, accountId, name);
    const limit = env.limits.get().accessGroupsPerAccount;
    const count = [...env.store.accessGroups.values()].filter((g) => g.accountId === accountId).length;
    if (count >= limit) throw limitExceeded("access groups", `in account ${accountId}`, count, limit);
    const caller = callerOf(req);
    const now = env.now();
    const g: AccessGroupRecord = {
        id: `AccessGroupId-${newUuid()}`,
        accountId,
        name,
        description: description ?? "",
        revision: 1,
        createdAt: now,
        createdById: caller.iamId,
        lastModifiedAt: now,
        lastModifiedById: caller.iamId,
        members: [],
    };
    env.store.accessGroups.set(g.id, g);
    env.store.commit();
    env.faults.created(`/v2/groups/${g.id}`, now);
    return withEtag(g, 201, renderAccessGroup(req, g));
}

/** IBM operation `getAccessGroup`: GET /v2/groups/{id}?show_federated&show_crn → 200 with `ETag`. @internal */
export function getAccessGroup(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const id = req.params.id;
    const g = findAccessGroup(req, env, id);
    // Eventual consistency (fault injection): a just-created object is not yet readable.
    if (env.faults.hides(`/v2/groups/${id}`, env.now())) throw notFound(req, "Access group", id);
    return withEtag(
        g,
        200,
        renderAccessGroup(req, g, {
            showFederated: booleanQuery(req, "show_federated"),
            showCrn: booleanQuery(req, "show_crn"),
        }),
    );
}

const SORT_KEYS: Record<string, (g: AccessGroupRecord) => string> = {
    id: (g) => g.id,
    name: (g) => g.name.toLowerCase(),
    description: (g) => g.description.toLowerCase(),
    // No group is federated here, so this sort keeps creation order.
    is_federated: () => "",
};

/**
 * IBM operation `listAccessGroups`: GET /v2/groups?account_id&iam_id&membership_type&search&sort&
 * limit&offset&show_federated&hide_public_access&show_crn → 200.
 * @internal
 */
export function listAccessGroups(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const accountId = accountIdQuery(req);
    const page = readOffsetPage(req);
    const iamId = req.query.get("iam_id") || undefined;
    const membershipType = req.query.get("membership_type") || undefined;
    if (membershipType !== undefined) {
        if (!["static", "dynamic", "all"].includes(membershipType)) {
            throw badRequest(
                req.family,
                "invalid_parameter",
                "Query parameter 'membership_type' must be 'static', 'dynamic' or 'all'.",
            );
        }
        if (iamId === undefined) {
            throw badRequest(
                req.family,
                "invalid_parameter",
                "Query parameter 'membership_type' needs 'iam_id'.",
            );
        }
    }
    let all = [...env.store.accessGroups.values()].filter((g) => g.accountId === accountId);
    if (iamId !== undefined) {
        // Only static members exist here (no dynamic rules), so "dynamic" finds none.
        all = membershipType === "dynamic" ? [] : all.filter((g) => g.members.some((m) => m.iamId === iamId));
    }
    const search = req.query.get("search");
    if (search) {
        const m = /^(id|name|description):(.*)$/.exec(search);
        if (!m) {
            throw badRequest(
                req.family,
                "invalid_parameter",
                "Query parameter 'search' must be 'id:<id>', 'name:<name>' or 'description:<text>'.",
            );
        }
        const [, field, text] = m;
        const needle = text.toLowerCase();
        all = all.filter((g) =>
            field === "id"
                ? g.id === text
                : (field === "name" ? g.name : g.description).toLowerCase().includes(needle),
        );
    }
    const sort = req.query.get("sort");
    if (sort) {
        const key = SORT_KEYS[sort];
        if (!key) {
            throw badRequest(
                req.family,
                "invalid_parameter",
                `Query parameter 'sort' must be one of ${Object.keys(SORT_KEYS).join(", ")}; got '${sort}'.`,
            );
        }
        all = [...all].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    }
    // Eventual consistency of listings (fault injection): a just-created object is not yet listed.
    all = all.filter((g) => !env.faults.unlists(`/v2/groups/${g.id}`, env.now()));
    const options = {
        showFederated: booleanQuery(req, "show_federated"),
        showCrn: booleanQuery(req, "show_crn"),
    };
    booleanQuery(req, "hide_public_access");
    const query: Record<string, string> = { account_id: accountId };
    for (const name of [
        "iam_id",
        "membership_type",
        "search",
        "sort",
        "show_federated",
        "hide_public_access",
        "show_crn",
    ]) {
        const v = req.query.get(name);
        if (v) query[name] = v;
    }
    return {
        status: 200,
        body: offsetPage(
            req,
            "/v2/groups",
            query,
            page,
            "groups",
            all.map((g) => renderAccessGroup(req, g, options)),
        ),
        accountId,
    };
}

/** IBM operation `updateAccessGroup`: PATCH /v2/groups/{id} with `If-Match` → 200 and a new `ETag`. @internal */
export function updateAccessGroup(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const g = findAccessGroup(req, env, req.params.id);
    // A stale revision is 412, as the IBM API Handbook prescribes for If-Match.
    checkIfMatch(req, String(g.revision), 412);
    const { name, description } = readText(req, bodyObject(req));
    if (name !== undefined) checkNameFree(req, env, g.accountId, name, g.id);
    if (name !== undefined) g.name = name;
    if (description !== undefined) g.description = description;
    g.revision++;
    g.lastModifiedAt = env.now();
    g.lastModifiedById = callerOf(req).iamId;
    env.store.commit();
    return withEtag(g, 200, renderAccessGroup(req, g));
}

/** Whether policy `subjects` name access group `id`. @internal */
export function subjectIsGroup(
    subjects: { attributes: { name: string; value: string }[] }[],
    id: string,
): boolean {
    return subjects.some((s) => s.attributes.some((a) => a.name === "access_group_id" && a.value === id));
}

/**
 * IBM operation `deleteAccessGroup`: DELETE /v2/groups/{id}?force → 204. "If the access group has
 * no members or rules associated with it, the group and its policies will be deleted. However, if
 * rules or members do exist, set the `force` parameter to true". Without `force`, a group with
 * members answers 409 (IBM documents the rule, not the status).
 * @internal
 */
export function deleteAccessGroup(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const g = findAccessGroup(req, env, req.params.id);
    const force = booleanQuery(req, "force");
    if (!force && g.members.length > 0) {
        throw new ApiError(
            409,
            "request_not_processed",
            `Access group '${g.id}' has ${g.members.length} member(s). Remove them, or delete with force=true.`,
        );
    }
    for (const p of [...env.store.policies.values()]) {
        if (p.accountId === g.accountId && subjectIsGroup(p.subjects, g.id)) env.store.policies.delete(p.id);
    }
    env.store.accessGroups.delete(g.id);
    env.store.commit();
    return { status: 204, accountId: g.accountId };
}
