// IAM Identity's API keys (IBM's IAM Identity API reference, "API key operations"), with method
// names as IBM's platform-services SDK (`iam-identity/v1.ts`) has them. The client chooses each
// new key's value, so a create whose answer was lost is found again by it (see `createApiKey`);
// and it keeps IAM's clock, on which a key's expiry is measured.
import { randomBytes } from "crypto";
import { CreateOptions, FINAL_LOOK_MS, IamResponse, ReadOptions } from "./call";
import { IamError } from "./errors";
import { deleteEntity, setEntityLock } from "./identityEntities";
import type { IamTransport } from "./transport";
import { pageToken } from "./wire";

/** An API key as IAM Identity returns it. `apikey` is present only on create (or when stored). */
export interface ApiKeyResource {
    id: string;
    entity_tag: string;
    crn: string;
    locked: boolean;
    disabled?: boolean;
    created_at?: string;
    created_by?: string;
    modified_at?: string;
    name: string;
    description?: string;
    iam_id: string;
    account_id: string;
    apikey?: string;
    /** When IAM stops exchanging the key for tokens, `yyyy-MM-ddTHH:mm+0000`; absent: never. */
    expires_at?: string;
    /** `none`, `disable` or `delete` (IAM's default `disable`). */
    action_when_leaked?: string;
}

/** An API key read together with IAM's time of the answer. */
export interface ApiKeyAt {
    /** The key; undefined when IAM no longer has it (deleted, or purged after expiry). */
    key?: ApiKeyResource;
    /** IAM's time of the answer (ms since the epoch): its `Date` header, or ours without one. */
    iamNow: number;
}

/** The API key calls of IAM Identity. */
export class IamApiKeys {
    constructor(private readonly transport: IamTransport) {}

    /**
     * `POST /v1/apikeys` → 201, the only response that carries the key value (unless `storeValue`).
     * A 404 for a subject created moments ago is retried while it replicates.
     *
     * The value is chosen here (IAM takes one of at least 32 characters and refuses one already
     * in use), 32 random bytes, so a create is idempotent: a create whose answer was lost is
     * found by its value (`GET /v1/apikeys/details`), and a retry of it is refused with 409
     * rather than making a second key. Either way the key made is the one returned, and its
     * value is known: no key is left that nobody holds.
     */
    async createApiKey(
        req: {
            name: string;
            iamId: string;
            description?: string;
            accountId?: string;
            storeValue?: boolean;
            locked?: boolean;
            /** `yyyy-MM-ddTHH:mm+0000` (IAM Identity's format). */
            expiresAt?: string;
            actionWhenLeaked?: string;
        },
        opts?: CreateOptions,
    ): Promise<ApiKeyResource> {
        const value = randomBytes(32).toString("base64url");
        const found = (key: ApiKeyResource | undefined): IamResponse | undefined => {
            if (!key) return undefined;
            if (key.iam_id !== req.iamId) {
                throw new IamError({
                    method: "POST",
                    path: "/v1/apikeys",
                    status: 409,
                    message: `the new key's value is already in use by a key of another identity (${key.id})`,
                });
            }
            return { status: 201, data: { ...key, apikey: value }, headers: {} };
        };
        const res = await this.transport.send({
            method: "POST",
            path: "/v1/apikeys",
            body: {
                name: req.name,
                iam_id: req.iamId,
                ...(req.description !== undefined ? { description: req.description } : {}),
                ...(req.accountId !== undefined ? { account_id: req.accountId } : {}),
                apikey: value,
                ...(req.storeValue !== undefined ? { store_value: req.storeValue } : {}),
                ...(req.expiresAt !== undefined ? { expires_at: req.expiresAt } : {}),
                ...(req.actionWhenLeaked !== undefined ? { action_when_leaked: req.actionWhenLeaked } : {}),
            },
            headers: req.locked ? { "Entity-Lock": "true" } : undefined,
            ok: [201],
            secrets: [value],
            objectPath: `/v1/serviceids/${req.iamId.replace(/^iam-/, "")}`,
            subjectNotFoundUntil: this.transport.subjectNotFoundUntil(opts),
            // Before a retry, a quick look (a 404 may be lag: the retry's 409 then tells); when
            // giving up, a look that waits out the lag, so a key that was made is returned.
            reconcile: async (final) =>
                found(
                    await this.apiKeyByValue(
                        value,
                        final
                            ? Date.now() + Math.min(this.transport.tuning.notFoundGraceMs, FINAL_LOOK_MS)
                            : undefined,
                    ),
                ),
            // The value is taken: by the lost attempt's key, which may not be readable yet.
            resolveRefusal: async (r) =>
                r.status === 409
                    ? found(
                          await this.apiKeyByValue(value, Date.now() + this.transport.tuning.notFoundGraceMs),
                      )
                    : undefined,
        });
        const key = { ...(res.data as ApiKeyResource) };
        key.apikey ??= value;
        this.transport.remember(`/v1/apikeys/${key.id}`);
        return key;
    }

    /** `GET /v1/apikeys/details` with `IAM-ApiKey: <value>`; undefined on 404 (waited out until `notFoundUntil`). */
    private async apiKeyByValue(value: string, notFoundUntil?: number): Promise<ApiKeyResource | undefined> {
        const res = await this.transport.send({
            method: "GET",
            path: "/v1/apikeys/details",
            headers: { "IAM-ApiKey": value },
            ok: [200, 404],
            secrets: [value],
            notFoundUntil,
        });
        return res.status === 404 ? undefined : (res.data as ApiKeyResource);
    }

    /** `GET /v1/apikeys/{id}`; undefined on 404. */
    async getApiKey(id: string, opts?: ReadOptions): Promise<ApiKeyResource | undefined> {
        return (await this.readApiKey(id, opts)).key;
    }

    /**
     * `GET /v1/apikeys/{id}` with IAM's time of the answer: whether a key is expired, or due for
     * renewal, is IAM's decision, so it is measured on IAM's clock rather than ours.
     */
    async readApiKey(id: string, opts?: ReadOptions): Promise<ApiKeyAt> {
        const path = `/v1/apikeys/${encodeURIComponent(id)}`;
        const get = (notFoundUntil?: number) =>
            this.transport.send({ method: "GET", path, ok: [200, 404], objectPath: path, notFoundUntil });
        let res = await get();
        let iamNow = this.noteIamTime(res.headers);
        // A 404 for a key IAM created moments ago is replication lag: waited out for what is left
        // of the grace, both times on IAM's clock (`created_at` is IAM's, and so is the 404's `Date`).
        const left =
            opts?.createdAt !== undefined
                ? opts.createdAt + this.transport.tuning.notFoundGraceMs - iamNow
                : 0;
        if (res.status === 404 && left > 0) {
            res = await get(Date.now() + left);
            iamNow = this.noteIamTime(res.headers);
        }
        return { key: res.status === 404 ? undefined : (res.data as ApiKeyResource), iamNow };
    }

    /**
     * IAM's current time as its last API-key answer to this client told it (RFC 9110 `Date`
     * header, one-second precision), carried forward on our clock; our clock before any answer.
     */
    iamNow(): number {
        return Date.now() + (this.iamClockOffsetMs ?? 0);
    }

    private iamClockOffsetMs?: number;

    private noteIamTime(headers: Record<string, string> | undefined): number {
        const date = Date.parse(headers?.date ?? headers?.Date ?? "");
        if (!Number.isNaN(date)) this.iamClockOffsetMs = date - Date.now();
        return this.iamNow();
    }

    /** `GET /v1/apikeys` by account and/or `iam_id`, following `next` page tokens; notes IAM's time. */
    async listApiKeys(
        req: { accountId?: string; iamId?: string; pagesize?: number } = {},
    ): Promise<ApiKeyResource[]> {
        const accountId = req.accountId ?? (await this.transport.accountId());
        const pagesize = req.pagesize ?? 100;
        const filter = req.iamId !== undefined ? { iam_id: req.iamId } : {};
        const out: ApiKeyResource[] = [];
        let pagetoken: string | undefined;
        for (let page = 0; page < 1000; page++) {
            // A page token carries the rest of the query, so later pages send only it.
            const res = await this.transport.send({
                method: "GET",
                path: "/v1/apikeys",
                query: pagetoken ? { pagetoken, pagesize } : { account_id: accountId, ...filter, pagesize },
                ok: [200],
            });
            this.noteIamTime(res.headers);
            const data = (res.data ?? {}) as { apikeys?: ApiKeyResource[]; next?: unknown };
            out.push(...(data.apikeys ?? []));
            pagetoken = pageToken(data.next, "pagetoken", this.transport.endpoint);
            if (!pagetoken) break;
        }
        return out;
    }

    /** `PUT /v1/apikeys/{id}` with `If-Match`; `expiresAt: ""` clears the expiry. */
    async updateApiKey(
        id: string,
        req: { name?: string; description?: string; actionWhenLeaked?: string; expiresAt?: string },
        entityTag: string,
    ): Promise<ApiKeyResource> {
        const { actionWhenLeaked, expiresAt, ...rest } = req;
        const path = `/v1/apikeys/${encodeURIComponent(id)}`;
        const res = await this.transport.send({
            method: "PUT",
            path,
            body: {
                ...rest,
                ...(actionWhenLeaked !== undefined ? { action_when_leaked: actionWhenLeaked } : {}),
                ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
            },
            headers: { "If-Match": entityTag },
            ok: [200],
            objectPath: path,
        });
        this.noteIamTime(res.headers);
        return res.data as ApiKeyResource;
    }

    /** `DELETE /v1/apikeys/{id}`. False when it was already gone. */
    async deleteApiKey(id: string, opts?: ReadOptions): Promise<boolean> {
        return deleteEntity(this.transport, "/v1/apikeys", id, opts);
    }

    /** `POST /v1/apikeys/{id}/lock`. */
    async lockApiKey(id: string): Promise<void> {
        await setEntityLock(this.transport, "/v1/apikeys", id, true);
    }

    /** `DELETE /v1/apikeys/{id}/lock`. */
    async unlockApiKey(id: string): Promise<void> {
        await setEntityLock(this.transport, "/v1/apikeys", id, false);
    }
}
