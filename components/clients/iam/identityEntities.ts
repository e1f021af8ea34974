// IAM Identity's service IDs and API keys share one shape of API (IBM's IAM Identity API
// reference): `GET/PUT/DELETE <collection>/{id}` with `If-Match` on PUT, `POST/DELETE
// <collection>/{id}/lock`, and account listings paged by `pagetoken`. These are the calls both use.
import type { ReadOptions } from "./call";
import type { IamTransport } from "./transport";
import { pageToken } from "./wire";

/** `GET <collection>/{id}`; undefined on 404 (after waiting out replication lag of a new object). @internal */
export async function getEntity<T>(
    transport: IamTransport,
    collection: string,
    id: string,
    opts?: ReadOptions,
): Promise<T | undefined> {
    const path = `${collection}/${encodeURIComponent(id)}`;
    const res = await transport.send({
        method: "GET",
        path,
        ok: [200, 404],
        objectPath: path,
        notFoundUntil: transport.notFoundUntil(opts),
    });
    return res.status === 404 ? undefined : (res.data as T);
}

/** `GET <listPath>` for an account, following `next` page tokens. @internal */
export async function listEntities<T>(
    transport: IamTransport,

    listPath: string,
    itemsKey: string,
    filter: Record<string, string | undefined>,
    req: { accountId?: string; pagesize?: number },
): Promise<T[]> {
    const accountId = req.accountId ?? (await transport.accountId());
    const pagesize = req.pagesize ?? 100;
    const out: T[] = [];
    let pagetoken: string | undefined;
    for (let page = 0; page < 1000; page++) {
        // A page token carries the rest of the query, so later pages send only it.
        const res = await transport.send({
            method: "GET",
            path: listPath,
            query: pagetoken ? { pagetoken, pagesize } : { account_id: accountId, ...filter, pagesize },
            ok: [200],
        });
        const data = (res.data ?? {}) as Record<string, unknown> & { next?: unknown };
        out.push(...((data[itemsKey] as T[] | undefined) ?? []));
        pagetoken = pageToken(data.next, "pagetoken", transport.endpoint);
        if (!pagetoken) break;
    }
    return out;
}

/** `PUT <collection>/{id}` with `If-Match: <entityTag>`. @internal */
export async function updateEntity<T>(
    transport: IamTransport,

    collection: string,
    id: string,
    req: { name?: string; description?: string },
    entityTag: string,
): Promise<T> {
    const path = `${collection}/${encodeURIComponent(id)}`;
    const res = await transport.send({
        method: "PUT",
        path,
        body: req,
        headers: { "If-Match": entityTag },
        ok: [200],
        objectPath: path,
    });
    return res.data as T;
}

/** `DELETE <collection>/{id}`. False when it was already gone. @internal */
export async function deleteEntity(
    transport: IamTransport,
    collection: string,
    id: string,
    opts?: ReadOptions,
): Promise<boolean> {
    const path = `${collection}/${encodeURIComponent(id)}`;
    const res = await transport.send({
        method: "DELETE",
        path,
        ok: [204, 200, 404],
        objectPath: path,
        notFoundUntil: transport.notFoundUntil(opts),
    });
    transport.forget(path);
    return res.status !== 404;
}

/** `POST` (lock) or `DELETE` (unlock) `<collection>/{id}/lock`. @internal */
export async function setEntityLock(
    transport: IamTransport,
    collection: string,
    id: string,
    locked: boolean,
): Promise<void> {
    const path = `${collection}/${encodeURIComponent(id)}`;
    await transport.send({
        method: locked ? "POST" : "DELETE",
        path: `${path}/lock`,
        ok: [204, 200],
        objectPath: path,
    });
}
