// IAM Policy Management v1: /v1/policies (IBM's IAM API documentation). Validation follows IBM's createPolicy
// documentation: `accountId` plus one of serviceName/serviceType/resourceGroupId/service_group_id,
// operators stringEquals|stringMatch, values of 1-1000 characters, known role CRNs, and for
// Container Registry a known `region` or `geography=global`. Errors use the policy shape.
import { ApiError } from "./errors";
import {
    ApiRequest,
    ApiResponse,
    HandlerEnv,
    badRequest,
    bodyObject,
    callerOf,
    checkIfMatch,
    lockedError,
    notFound,
    optionalString,
    requireOwnAccount,
} from "./http";
import { newEntityTag, newUuid, policyTimestamp } from "./ids";
import { limitExceeded } from "./limits";
import { policyPage, readPolicyPage } from "./pagination";
import { PolicyAttribute, PolicyRecord } from "./store";

/**
 * IAM regions that have a local Container Registry (IBM's IAM API documentation).
 * @see https://cloud.ibm.com/docs/Registry?topic=Registry-registry_overview#registry_regions
 */
export const CONTAINER_REGISTRY_REGIONS = [
    "au-syd",
    "br-sao",
    "ca-mon",
    "ca-tor",
    "eu-de",
    "eu-es",
    "eu-gb",
    "in-che",
    "in-mum",
    "jp-osa",
    "jp-tok",
    "us-south",
] as const;

const SERVICE_ROLE_DESCRIPTIONS: Record<string, string> = {
    Reader: "As a reader, you can perform read-only actions within a service such as viewing service-specific resources.",
    Writer: "As a writer, you have permissions beyond the reader role, including creating and editing service-specific resources.",
    Manager:
        "As a manager, you have permissions beyond the writer role to complete privileged actions as defined by the service. In addition, you can create and edit service-specific resources.",
};

const PLATFORM_ROLE_DESCRIPTIONS: Record<string, string> = {
    Viewer: "As a viewer, you can view service instances, but you can't modify them.",
    Operator:
        "As an operator, you can perform platform actions required to configure and operate service instances, such as viewing a service's dashboard.",
    Editor: "As an editor, you can perform all platform actions except for managing the account and assigning access policies.",
    Administrator:
        "As an administrator, you can perform all platform actions based on the resource this role is being assigned, including assigning access policies to other users.",
};

const REQUIRED_ONE_OF = ["serviceName", "serviceType", "resourceGroupId", "service_group_id"];
const OPERATORS = ["stringEquals", "stringMatch"];
const ROLE_CRN = /^crn:v1:bluemix:public:([a-z0-9-]+)::::(serviceRole|role):([A-Za-z]+)$/;

/** A role's `display_name` and `description`, or undefined when IBM would not find it. */
function describeRole(
    roleId: string,
    serviceName?: string,
): { display_name: string; description: string } | undefined {
    const m = ROLE_CRN.exec(roleId);
    if (!m) return undefined;
    const [, namespace, kind, name] = m;
    if (namespace === "iam" && kind === "serviceRole" && SERVICE_ROLE_DESCRIPTIONS[name]) {
        return { display_name: name, description: SERVICE_ROLE_DESCRIPTIONS[name] };
    }
    if (namespace === "iam" && kind === "role" && PLATFORM_ROLE_DESCRIPTIONS[name]) {
        return { display_name: name, description: PLATFORM_ROLE_DESCRIPTIONS[name] };
    }
    // The Registry docs name service roles in the service's own namespace (both accepted).
    if (
        namespace === "container-registry" &&
        kind === "serviceRole" &&
        serviceName === "container-registry"
    ) {
        const description = SERVICE_ROLE_DESCRIPTIONS[name] ?? PLATFORM_ROLE_DESCRIPTIONS[name];
        if (description && name !== "Viewer" && name !== "Editor" && name !== "Operator") {
            return { display_name: name, description };
        }
    }
    return undefined;
}

/** The validated, normalised content of a policy body. */
interface PolicyContent {
    type: string;
    description?: string;
    subjects: { attributes: PolicyAttribute[] }[];
    roleIds: string[];
    resources: { attributes: PolicyAttribute[] }[];
    subjectIamId?: string;
}

/** The subject a policy is about, as its attribute: `iam_id=…` or `access_group_id=…`. */
function subjectKeyOf(subjects: { attributes: PolicyAttribute[] }[]): string {
    const a = subjects[0]?.attributes.find((x) => x.name === "iam_id" || x.name === "access_group_id");
    return a ? `${a.name}=${a.value}` : "";
}

function invalid(message: string): ApiError {
    return new ApiError(400, "invalid_body", message);
}

function attributesOf(value: unknown, where: string, withOperator: boolean): PolicyAttribute[] {
    if (
        value === null ||
        typeof value !== "object" ||
        !Array.isArray((value as { attributes?: unknown }).attributes)
    ) {
        throw invalid(`${where}: must be an object with an 'attributes' array.`);
    }
    const raw = (value as { attributes: unknown[] }).attributes;
    if (raw.length === 0) throw invalid(`${where}.attributes: must not be empty.`);
    const seen = new Set<string>();
    return raw.map((a, i) => {
        const at = `${where}.attributes[${i}]`;
        if (a === null || typeof a !== "object")
            throw invalid(`${at}: must be an object with 'name' and 'value'.`);
        const { name, value: v, operator } = a as Record<string, unknown>;
        if (typeof name !== "string" || name === "") throw invalid(`${at}.name: must be a non-empty string.`);
        if (typeof v !== "string" || v.length < 1 || v.length > 1000) {
            throw invalid(`${at}.value: must be a string of 1 to 1000 characters.`);
        }
        if (seen.has(name)) throw invalid(`${where}.attributes: attribute '${name}' is given twice.`);
        seen.add(name);
        if (operator !== undefined && (typeof operator !== "string" || !OPERATORS.includes(operator))) {
            throw invalid(
                `${at}.operator: must be one of ${OPERATORS.join(", ")}; got ${JSON.stringify(operator)}.`,
            );
        }
        if (!withOperator) return { name, value: v };
        // IBM echoes operator "stringEquals" on resource attributes (IBM's IAM API documentation).
        return { name, value: v, operator: (operator as string | undefined) ?? "stringEquals" };
    });
}

function readContent(req: ApiRequest, env: HandlerEnv): PolicyContent {
    const body = bodyObject(req);
    const type = body.type;
    if (type !== "access") {
        throw invalid(`type: must be 'access'; got ${JSON.stringify(type)}.`);
    }
    const description = optionalString(req, body, "description");

    if (!Array.isArray(body.subjects) || body.subjects.length !== 1) {
        throw invalid("subjects: must be an array with exactly one subject.");
    }
    const subjects = [{ attributes: attributesOf(body.subjects[0], "subjects[0]", false) }];
    const subjectAttrs = subjects[0].attributes;
    const iamIdAttr = subjectAttrs.find((a) => a.name === "iam_id");
    const groupAttr = subjectAttrs.find((a) => a.name === "access_group_id");
    if (!iamIdAttr && !groupAttr) {
        throw invalid("subjects[0].attributes: must contain 'iam_id' or 'access_group_id'.");
    }
    if (iamIdAttr && groupAttr) {
        throw invalid("subjects[0].attributes: give 'iam_id' or 'access_group_id', not both.");
    }

    if (!Array.isArray(body.resources) || body.resources.length !== 1) {
        throw invalid("resources: must be an array with exactly one resource.");
    }
    const resources = [{ attributes: attributesOf(body.resources[0], "resources[0]", true) }];
    const attr = (name: string): PolicyAttribute | undefined =>
        resources[0].attributes.find((a) => a.name === name);
    const accountId = attr("accountId");
    if (!accountId) throw invalid("resources[0].attributes: 'accountId' is required.");
    if (groupAttr) checkGroupSubject(req, env, groupAttr.value, accountId.value);
    requireOwnAccount(req, accountId.value);
    if (!REQUIRED_ONE_OF.some((n) => attr(n))) {
        throw invalid(`resources[0].attributes: one of ${REQUIRED_ONE_OF.join(", ")} is required.`);
    }
    const serviceName = attr("serviceName")?.value;
    if (serviceName === "container-registry") {
        const region = attr("region");
        const geography = attr("geography");
        if (region && geography) {
            throw invalid("resources[0].attributes: give 'region' or 'geography', not both.");
        }
        if (region && !(CONTAINER_REGISTRY_REGIONS as readonly string[]).includes(region.value)) {
            throw invalid(
                `resources[0].attributes: region '${region.value}' is not a valid location for service ` +
                    `'container-registry'. Valid regions: ${CONTAINER_REGISTRY_REGIONS.join(", ")}; ` +
                    `use geography 'global' for the global registry.`,
            );
        }
        if (geography && geography.value !== "global") {
            throw invalid(
                `resources[0].attributes: geography '${geography.value}' is not valid for service ` +
                    `'container-registry'; the only geography is 'global'.`,
            );
        }
    }

    if (!Array.isArray(body.roles) || body.roles.length === 0) {
        throw invalid("roles: must be a non-empty array of {role_id}.");
    }
    const roleIds = body.roles.map((r: unknown, i: number) => {
        const id = r !== null && typeof r === "object" ? (r as { role_id?: unknown }).role_id : undefined;
        if (typeof id !== "string" || id === "")
            throw invalid(`roles[${i}].role_id: must be a non-empty string.`);
        if (!describeRole(id, serviceName)) {
            throw new ApiError(
                400,
                "role_not_found",
                `Role with crn '${id}' is not valid for service '${serviceName ?? "(none)"}'. ` +
                    "Use crn:v1:bluemix:public:iam::::serviceRole:Reader, Writer or Manager.",
            );
        }
        return id;
    });

    // The subject must exist: a service ID of the account or the account's owner. IBM resolves
    // subjects (it refuses locked service IDs), and an unknown subject would leave a policy that
    // the service-ID cascade can never delete.
    const subjectIamId = iamIdAttr?.value;
    if (subjectIamId !== undefined) {
        const caller = callerOf(req);
        const s = env.store.serviceIdByIamId(subjectIamId);
        const owner = env.store.accounts.get(caller.accountId)?.adminIamId;
        if (!(s && s.accountId === caller.accountId) && subjectIamId !== owner) {
            throw invalid(
                `subjects[0]: iam_id '${subjectIamId}' is not a service ID or user of account ${caller.accountId}.`,
            );
        }
        // Eventual consistency (fault injection): a service ID created moments ago is not yet
        // known to the policy service. IBM documents no status for it; 404, like a GET right
        // after a create (emulator README).
        if (s && env.faults.hides(`/v1/serviceids/${s.id}`, env.now())) {
            throw new ApiError(404, "not_found", `Subject with iam_id '${subjectIamId}' not found.`);
        }
    }
    return {
        type,
        ...(description !== undefined ? { description } : {}),
        subjects,
        roleIds,
        resources,
        subjectIamId,
    };
}

/**
 * An access group subject must be a group of the caller's account, and the policy's resource must
 * be in the group's account: IBM answers "Access groups can only be assigned against resources in
 * the same account as the access group." with 400 `invalid_body` (quoted in terraform-provider-ibm
 * #2627). An unknown group is 400 `invalid_body` like an unknown iam_id (emulator README).
 */
function checkGroupSubject(
    req: ApiRequest,
    env: HandlerEnv,
    groupId: string,
    resourceAccountId: string,
): void {
    const caller = callerOf(req);
    const g = env.store.accessGroups.get(groupId);
    if (!g || g.accountId !== caller.accountId) {
        throw invalid(
            `subjects[0]: access_group_id '${groupId}' is not an access group of account ${caller.accountId}.`,
        );
    }
    if (resourceAccountId !== g.accountId) {
        throw invalid(
            "Access groups can only be assigned against resources in the same account as the access group.",
        );
    }
    // Eventual consistency (fault injection): a group created moments ago is not yet known here.
    if (env.faults.hides(`/v2/groups/${g.id}`, env.now())) {
        throw new ApiError(404, "not_found", `Subject with access_group_id '${groupId}' not found.`);
    }
}

/**
 * Refuses a policy for `subjects` past IBM's limits: policies per account (only on create) and
 * policies per subject ("IBM Cloud IAM limits"). `self` is the policy being replaced.
 */
function checkPolicyLimits(
    req: ApiRequest,
    env: HandlerEnv,
    subjects: { attributes: PolicyAttribute[] }[],
    self?: PolicyRecord,
): void {
    const accountId = callerOf(req).accountId;
    const limits = env.limits.get();
    const inAccount = [...env.store.policies.values()].filter((p) => p.accountId === accountId);
    if (!self && inAccount.length >= limits.policiesPerAccount) {
        throw limitExceeded(
            "policies",
            `in account ${accountId}`,
            inAccount.length,
            limits.policiesPerAccount,
        );
    }
    const key = subjectKeyOf(subjects);
    if (self && subjectKeyOf(self.subjects) === key) return;
    const forSubject = inAccount.filter((p) => subjectKeyOf(p.subjects) === key).length;
    if (forSubject >= limits.policiesPerSubject) {
        throw limitExceeded(
            "policies",
            `for subject ${key} in account ${accountId}`,
            forSubject,
            limits.policiesPerSubject,
        );
    }
}

function canonical(attrs: PolicyAttribute[]): string {
    return JSON.stringify(
        attrs
            .map((a) => [a.name, a.value, a.operator ?? ""])
            .sort((x, y) => (x.join("\u0000") < y.join("\u0000") ? -1 : 1)),
    );
}

/** The conflict identity of a policy: subject and resource attributes, and the roles when configured. */
function conflictKey(
    env: HandlerEnv,
    p: Pick<PolicyContent, "subjects" | "resources" | "roleIds" | "type">,
): string {
    const parts = [p.type, canonical(p.subjects[0].attributes), canonical(p.resources[0].attributes)];
    if (env.config.policyConflictOn === "attributesAndRoles")
        parts.push(JSON.stringify([...p.roleIds].sort()));
    return parts.join("|");
}

/** The `Policy` JSON model. @internal */
export function renderPolicy(req: ApiRequest, p: PolicyRecord): Record<string, unknown> {
    const serviceName = p.resources[0]?.attributes.find((a) => a.name === "serviceName")?.value;
    return {
        id: p.id,
        type: p.type,
        ...(p.description !== undefined ? { description: p.description } : {}),
        subjects: p.subjects,
        roles: p.roleIds.map((role_id) => ({ role_id, ...describeRole(role_id, serviceName) })),
        resources: p.resources,
        href: `${req.baseUrl}/v1/policies/${p.id}`,
        created_at: policyTimestamp(p.createdAt),
        created_by_id: p.createdById,
        last_modified_at: policyTimestamp(p.lastModifiedAt),
        last_modified_by_id: p.lastModifiedById,
        state: "active",
    };
}

function findPolicy(req: ApiRequest, env: HandlerEnv, id: string): PolicyRecord {
    const p = env.store.policies.get(id);
    if (!p || p.accountId !== callerOf(req).accountId) throw notFound(req, "Policy", id);
    return p;
}

function checkSubjectUnlocked(
    req: ApiRequest,
    env: HandlerEnv,
    iamId: string | undefined,
    verb: string,
): void {
    if (iamId === undefined) return;
    const s = env.store.serviceIdByIamId(iamId);
    if (s?.locked) {
        throw lockedError(
            req,
            env,
            `The policy was not ${verb} because its subject '${iamId}' is a locked service ID.`,
        );
    }
}

function subjectIamIdOf(p: PolicyRecord): string | undefined {
    return p.subjects[0]?.attributes.find((a) => a.name === "iam_id")?.value;
}

function checkConflict(
    req: ApiRequest,
    env: HandlerEnv,
    content: PolicyContent,
    verb: string,
    self?: string,
): void {
    const key = conflictKey(env, content);
    const accountId = callerOf(req).accountId;
    for (const p of env.store.policies.values()) {
        if (p.id === self || p.accountId !== accountId || conflictKey(env, p) !== key) continue;
        throw new ApiError(
            409,
            "policy_conflict_error",
            `The policy wasn't ${verb} because an access policy with identical attributes already exists. ` +
                `Please update the roles in the existing policy (${p.id}), or update the one you're trying ` +
                "to assign to include a different attribute assignment.",
            { details: { conflicts_with: { etag: p.etag, policy: renderPolicy(req, p) } } },
        );
    }
}

function withEtag(req: ApiRequest, p: PolicyRecord, status: number): ApiResponse {
    return { status, body: renderPolicy(req, p), headers: { ETag: p.etag }, accountId: p.accountId };
}

/** IBM operation `createPolicy`: POST /v1/policies → 201 with `ETag`. @internal */
export function createPolicy(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const content = readContent(req, env);
    checkSubjectUnlocked(req, env, content.subjectIamId, "created");
    checkConflict(req, env, content, "created");
    checkPolicyLimits(req, env, content.subjects);
    const caller = callerOf(req);
    const now = env.now();
    const p: PolicyRecord = {
        id: newUuid(),
        accountId: caller.accountId,
        type: content.type,
        ...(content.description !== undefined ? { description: content.description } : {}),
        subjects: content.subjects,
        roleIds: content.roleIds,
        resources: content.resources,
        revision: 1,
        etag: newEntityTag(1),
        createdAt: now,
        createdById: caller.iamId,
        lastModifiedAt: now,
        lastModifiedById: caller.iamId,
    };
    env.store.policies.set(p.id, p);
    env.store.commit();
    env.faults.created(`/v1/policies/${p.id}`, now);
    return withEtag(req, p, 201);
}

/** IBM operation `getPolicy`: GET /v1/policies/{id} → 200 with `ETag`. @internal */
export function getPolicy(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const id = req.params.id;
    const p = findPolicy(req, env, id);
    // Eventual consistency (fault injection): a just-created object is not yet readable.
    if (env.faults.hides(`/v1/policies/${id}`, env.now())) throw notFound(req, "Policy", id);
    return withEtag(req, p, 200);
}

/** IBM operation `listPolicies`: GET /v1/policies?account_id&iam_id&access_group_id&type&limit&start. @internal */
export function listPolicies(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const page = readPolicyPage(req, ["account_id", "iam_id", "access_group_id", "type"]);
    const accountId = page.filters.account_id;
    if (!accountId) {
        throw new ApiError(
            400,
            "missing_required_query_parameter",
            "Query parameter 'account_id' is required.",
        );
    }
    requireOwnAccount(req, accountId);
    let all = [...env.store.policies.values()].filter((p) => p.accountId === accountId);
    if (page.filters.iam_id !== undefined) all = all.filter((p) => subjectIamIdOf(p) === page.filters.iam_id);
    if (page.filters.access_group_id !== undefined) {
        const key = `access_group_id=${page.filters.access_group_id}`;
        all = all.filter((p) => subjectKeyOf(p.subjects) === key);
    }
    if (page.filters.type !== undefined) all = all.filter((p) => p.type === page.filters.type);
    // Eventual consistency of listings (fault injection): a just-created object is not yet listed.
    all = all.filter((p) => !env.faults.unlists(`/v1/policies/${p.id}`, env.now()));
    return {
        status: 200,
        body: policyPage(
            req,
            page,
            all.map((p) => renderPolicy(req, p)),
        ),
        accountId,
    };
}

/**
 * IBM operation `replacePolicy`: PUT /v1/policies/{id} with `If-Match` → 200 and a new `ETag`.
 * A stale revision is 412, as the IBM API Handbook prescribes (not documented for IAM).
 * @internal
 */
export function replacePolicy(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const p = findPolicy(req, env, req.params.id);
    checkIfMatch(req, p.etag, 412);
    const content = readContent(req, env);
    if (content.type !== p.type)
        throw badRequest(req.family, "invalid_body", "type: a policy's type cannot change.");
    checkSubjectUnlocked(req, env, subjectIamIdOf(p), "updated");
    checkSubjectUnlocked(req, env, content.subjectIamId, "updated");
    checkConflict(req, env, content, "updated", p.id);
    checkPolicyLimits(req, env, content.subjects, p);
    const caller = callerOf(req);
    p.description = content.description;
    if (p.description === undefined) delete p.description;
    p.subjects = content.subjects;
    p.roleIds = content.roleIds;
    p.resources = content.resources;
    p.revision++;
    p.etag = newEntityTag(p.revision);
    p.lastModifiedAt = env.now();
    p.lastModifiedById = caller.iamId;
    env.store.commit();
    return withEtag(req, p, 200);
}

/** IBM operation `deletePolicy`: DELETE /v1/policies/{id} → 204. @internal */
export function deletePolicy(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const p = findPolicy(req, env, req.params.id);
    checkSubjectUnlocked(req, env, subjectIamIdOf(p), "deleted");
    env.store.policies.delete(p.id);
    env.store.commit();
    return { status: 204, accountId: p.accountId };
}
