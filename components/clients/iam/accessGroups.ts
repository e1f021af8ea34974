// IAM Access Groups v2 (IBM's IAM Access Groups API reference, https://cloud.ibm.com/apidocs/iam-access-groups),
// with method names as IBM's platform-services SDK (`iam-access-groups/v2.ts`) has them:
//   POST   /v2/groups?account_id                 createAccessGroup   → 201
//   GET    /v2/groups/{id}                       getAccessGroup      → 200 (404 → undefined)
//   GET    /v2/groups?account_id&search=name:…   listAccessGroups    → 200, offset pages
//   DELETE /v2/groups/{id}?force                 deleteAccessGroup   → 204 (409 while it has members)
//   PUT    /v2/groups/{id}/members               addMembersToAccessGroup → 207, one outcome per member
//   DELETE /v2/groups/{id}/members/{iam_id}      removeMemberFromAccessGroup → 204 (404 → not a member)
//   GET    /v2/groups/{id}/members               listAccessGroupMembers → 200, offset pages
// Group names are unique per account, so a create whose answer was lost cannot leave a twin: its
// retry meets the group as a 409, and the caller's `made` decides whether that group is the one
// asked for (the shared-group mark, ../../shared/iam/accessGroupScope.ts).
import type { IamResponse, ReadOptions } from "./call";
import { getEntity } from "./identityEntities";
import { IamError } from "./errors";
import type { IamTransport } from "./transport";
import { pageToken } from "./wire";

/** An access group as IAM returns it (the fields this library reads). */
export interface AccessGroupResource {
    id: string;
    name: string;
    description?: string;
    account_id?: string;
    created_at?: string;
    href?: string;
}

/** One member of an access group. */
export interface AccessGroupMember {
    iam_id: string;
    type?: string;
}

/** The most members one `PUT /v2/groups/{id}/members` may name (IBM's API reference). */
const MEMBERS_PER_CALL = 50;
/** Page size of the group and member listings. */
const PAGE = 100;

/** The access group calls of IAM Access Groups v2. */
export class IamAccessGroups {
    constructor(private readonly transport: IamTransport) {}

    /**
     * `POST /v2/groups?account_id` → 201. After an attempt whose answer was lost, the group of
     * that name is looked up (before a retry, and named by the retry's 409) and returned when
     * `made` recognises it; otherwise the 409 is thrown.
     */
    async createAccessGroup(
        req: { accountId: string; name: string; description: string },
        opts: { made?: (g: AccessGroupResource) => boolean } = {},
    ): Promise<AccessGroupResource> {
        const made = opts.made;
        const lookUp = async (): Promise<IamResponse | undefined> => {
            const found = await this.findAccessGroupByName(req.accountId, req.name);
            return found && made?.(found) ? { status: 201, data: found, headers: {} } : undefined;
        };
        const res = await this.transport.send({
            method: "POST",
            path: "/v2/groups",
            query: { account_id: req.accountId },
            body: { name: req.name, description: req.description },
            ok: [201, 200],
            reconcile: made ? lookUp : undefined,
            resolveRefusal: made ? async (r) => (r.status === 409 ? lookUp() : undefined) : undefined,
        });
        const group = res.data as AccessGroupResource;
        this.transport.remember(`/v2/groups/${group.id}`);
        return group;
    }

    /** `GET /v2/groups/{id}`; undefined on 404 (after waiting out replication lag of a new group). */
    async getAccessGroup(id: string, opts?: ReadOptions): Promise<AccessGroupResource | undefined> {
        return getEntity<AccessGroupResource>(this.transport, "/v2/groups", id, opts);
    }

    /**
     * The account's group of this name (compared case-insensitively, as IAM compares them), or
     * undefined: `GET /v2/groups?account_id&search=name:<name>`, every page.
     */
    async findAccessGroupByName(accountId: string, name: string): Promise<AccessGroupResource | undefined> {
        const wanted = name.toLowerCase();
        let offset: number | undefined = 0;
        for (let page = 0; page < 1000 && offset !== undefined; page++) {
            const res = await this.transport.send({
                method: "GET",
                path: "/v2/groups",
                query: { account_id: accountId, search: `name:${name}`, limit: PAGE, offset },
                ok: [200],
            });
            const data = (res.data ?? {}) as { groups?: AccessGroupResource[]; next?: unknown };
            const hit = (data.groups ?? []).find((g) => g.name.toLowerCase() === wanted);
            if (hit) return hit;
            const next = pageToken(data.next, "offset", this.transport.endpoint);
            offset = next === undefined ? undefined : Number(next);
        }
        return undefined;
    }

    /**
     * `DELETE /v2/groups/{id}` without `force`: IAM refuses a group that still has members (409),
     * which is how a group another stack joined meanwhile survives. True when deleted, false when
     * it was already gone or still has members.
     */
    async deleteAccessGroup(id: string): Promise<boolean> {
        const path = `/v2/groups/${encodeURIComponent(id)}`;
        const res = await this.transport.send({ method: "DELETE", path, ok: [204, 200, 404, 409] });
        this.transport.forget(path);
        return res.status === 204 || res.status === 200;
    }

    /**
     * `PUT /v2/groups/{id}/members` with service IDs, at most 50 per call. IAM answers 207 with one
     * outcome per member; a member IAM refused throws, naming it and IAM's reason.
     */
    async addMembersToAccessGroup(id: string, iamIds: readonly string[], opts?: ReadOptions): Promise<void> {
        const path = `/v2/groups/${encodeURIComponent(id)}/members`;
        for (let i = 0; i < iamIds.length; i += MEMBERS_PER_CALL) {
            const chunk = iamIds.slice(i, i + MEMBERS_PER_CALL);
            const res = await this.transport.send({
                method: "PUT",
                path,
                body: { members: chunk.map((iam_id) => ({ iam_id, type: "service" })) },
                ok: [207, 200],
                objectPath: `/v2/groups/${encodeURIComponent(id)}`,
                notFoundUntil: this.transport.notFoundUntil(opts),
            });
            const outcomes = ((res.data ?? {}) as { members?: Record<string, unknown>[] }).members ?? [];
            const refused = outcomes.filter((m) => typeof m.status_code === "number" && m.status_code >= 300);
            if (refused.length > 0) {
                const why = refused
                    .map((m) => {
                        const e = (Array.isArray(m.errors) ? m.errors[0] : undefined) as
                            { code?: string; message?: string } | undefined;
                        return `${String(m.iam_id)}: ${String(m.status_code)} ${e?.code ?? ""} ${e?.message ?? ""}`.trim();
                    })
                    .join("; ");
                throw new IamError({
                    method: "PUT",
                    path,
                    status: Number(refused[0].status_code),
                    code: (refused[0].errors as { code?: string }[] | undefined)?.[0]?.code,
                    message: `IAM refused ${refused.length} member(s): ${why}`,
                });
            }
        }
    }

    /** `DELETE /v2/groups/{id}/members/{iam_id}`. False when it was not a member (or the group is gone). */
    async removeMemberFromAccessGroup(id: string, iamId: string): Promise<boolean> {
        const res = await this.transport.send({
            method: "DELETE",
            path: `/v2/groups/${encodeURIComponent(id)}/members/${encodeURIComponent(iamId)}`,
            ok: [204, 200, 404],
        });
        return res.status !== 404;
    }

    /** `GET /v2/groups/{id}/members`, every page; undefined when the group is gone. */
    async listAccessGroupMembers(id: string): Promise<AccessGroupMember[] | undefined> {
        const path = `/v2/groups/${encodeURIComponent(id)}/members`;
        const out: AccessGroupMember[] = [];
        let offset: number | undefined = 0;
        for (let page = 0; page < 1000 && offset !== undefined; page++) {
            const res = await this.transport.send({
                method: "GET",
                path,
                query: { limit: PAGE, offset },
                ok: [200, 404],
                objectPath: `/v2/groups/${encodeURIComponent(id)}`,
            });
            if (res.status === 404) return undefined;
            const data = (res.data ?? {}) as { members?: AccessGroupMember[]; next?: unknown };
            out.push(...(data.members ?? []));
            const next = pageToken(data.next, "offset", this.transport.endpoint);
            offset = next === undefined ? undefined : Number(next);
        }
        return out;
    }
}
