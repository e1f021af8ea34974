// IAM Identity's service IDs (IBM's IAM Identity API reference, "Service ID operations"), with
// method names as IBM's platform-services SDK (`iam-identity/v1.ts`) has them. A create whose
// answer was lost is found again by the owner mark the request wrote (see `createServiceId`).
import { FINAL_LOOK_MS, ReadOptions } from "./call";
import { deleteEntity, getEntity, listEntities, setEntityLock, updateEntity } from "./identityEntities";
import { sleep } from "./retry";
import type { IamTransport } from "./transport";
import { parseIbmTime } from "./wire";

/** A service ID as IAM Identity returns it. */
export interface ServiceIdResource {
    id: string;
    iam_id: string;
    entity_tag: string;
    crn: string;
    locked: boolean;
    created_at?: string;
    modified_at?: string;
    account_id: string;
    name: string;
    description?: string;
}

/** The service ID calls of IAM Identity. */
export class IamServiceIds {
    constructor(private readonly transport: IamTransport) {}

    /**
     * `POST /v1/serviceids/` → 201. `locked` sends `Entity-Lock: true`.
     *
     * Service ID names are not unique and IAM takes no idempotency key, so a create whose answer
     * was lost is found by what only this request wrote: `made` recognises it (the owner mark's
     * call token in the description, ../../shared/ownership/ownerMark.ts). Before a retry, and
     * once more when the call gives up, the account's service IDs of this name are listed and
     * the one `made` accepts is returned. Nothing else is ever taken for ours: not a name, not a time.
     */
    async createServiceId(
        req: {
            accountId?: string;
            name: string;
            description?: string;
            locked?: boolean;
        },
        made?: (s: ServiceIdResource) => boolean,
    ): Promise<ServiceIdResource> {
        const accountId = req.accountId ?? (await this.transport.accountId());
        const res = await this.transport.send({
            method: "POST",
            path: "/v1/serviceids/",
            body: {
                account_id: accountId,
                name: req.name,
                ...(req.description !== undefined ? { description: req.description } : {}),
            },
            headers: req.locked ? { "Entity-Lock": "true" } : undefined,
            ok: [201],
            reconcile: made
                ? async (final) => {
                      const deadline = final
                          ? Date.now() + Math.min(this.transport.tuning.notFoundGraceMs, FINAL_LOOK_MS)
                          : 0;
                      for (;;) {
                          const found = (await this.listServiceIds({ accountId, name: req.name })).find(made);
                          if (found) return { status: 201, data: found, headers: {} };
                          // A final look waits out listing lag (within a bound), so a service ID
                          // that was made is returned rather than left to the next run.
                          if (Date.now() + this.transport.tuning.notFoundPollMs > deadline) return undefined;
                          await sleep(this.transport.tuning.notFoundPollMs);
                      }
                  }
                : undefined,
        });
        const sid = res.data as ServiceIdResource;
        this.transport.remember(`/v1/serviceids/${sid.id}`);
        return sid;
    }

    /** `GET /v1/serviceids/{id}`; undefined on 404 (after waiting out replication lag of a new object). */
    async getServiceId(id: string, opts?: ReadOptions): Promise<ServiceIdResource | undefined> {
        return getEntity<ServiceIdResource>(this.transport, "/v1/serviceids", id, opts);
    }

    /** `GET /v1/serviceids/` for an account, following `next` page tokens. */
    async listServiceIds(
        req: { accountId?: string; name?: string; pagesize?: number } = {},
    ): Promise<ServiceIdResource[]> {
        return listEntities<ServiceIdResource>(
            this.transport,
            "/v1/serviceids/",
            "serviceids",
            { name: req.name },
            req,
        );
    }

    /** `PUT /v1/serviceids/{id}` with `If-Match: <entityTag>` (or `*`). */
    async updateServiceId(
        id: string,
        req: { name?: string; description?: string },
        entityTag: string,
    ): Promise<ServiceIdResource> {
        return updateEntity<ServiceIdResource>(this.transport, "/v1/serviceids", id, req, entityTag);
    }

    /** `DELETE /v1/serviceids/{id}` (also deletes its keys and policies). False when it was already gone. */
    async deleteServiceId(id: string, opts?: ReadOptions): Promise<boolean> {
        return deleteEntity(this.transport, "/v1/serviceids", id, opts);
    }

    /** `POST /v1/serviceids/{id}/lock` → 204. */
    async lockServiceId(id: string): Promise<void> {
        await setEntityLock(this.transport, "/v1/serviceids", id, true);
    }

    /** `DELETE /v1/serviceids/{id}/lock` → 204. */
    async unlockServiceId(id: string): Promise<void> {
        await setEntityLock(this.transport, "/v1/serviceids", id, false);
    }
}

/** Service IDs oldest first (by `created_at`, then as listed). */
export function oldestFirst(list: ServiceIdResource[]): ServiceIdResource[] {
    return list
        .map((s, i) => ({ s, i, t: parseIbmTime(s.created_at) ?? 0 }))
        .sort((a, b) => a.t - b.t || a.i - b.i)
        .map((x) => x.s);
}
