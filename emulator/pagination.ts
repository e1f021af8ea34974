// Paging of list operations. IAM Identity pages with an opaque `pagetoken` and returns
// `first`/`previous`/`next` as URL strings whose `pagetoken` query parameter is the token
// (IBM's IAM API documentation). IAM Policy pages with `limit` and `start` and returns `first: {href}`,
// `next: {href, start}` (IBM's IAM API documentation). Tokens here are base64url JSON carrying the filters,
// so a page token alone is enough to continue a listing, as with IBM.
import { ApiError, MessageCode } from "./errors";
import { ApiRequest } from "./http";

/** The decoded state of one listing. @internal */
export interface PageState {
    /** The query filters of the listing (e.g. account_id, name, sort, order). */
    readonly filters: Record<string, string>;
    readonly size: number;
    readonly offset: number;
}

function encode(state: PageState): string {
    return Buffer.from(JSON.stringify({ f: state.filters, s: state.size, o: state.offset })).toString(
        "base64url",
    );
}

function decode(req: ApiRequest, token: string, param: string): PageState {
    try {
        const raw = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
            f: Record<string, string>;
            s: number;
            o: number;
        };
        if (typeof raw.f === "object" && Number.isInteger(raw.s) && Number.isInteger(raw.o) && raw.o >= 0) {
            return { filters: raw.f, size: raw.s, offset: raw.o };
        }
    } catch {
        // fall through to the 400
    }
    throw new ApiError(400, "invalid_parameter", `Query parameter '${param}' is not a valid page token.`, {
        messageCode: MessageCode.BadRequest,
    });
}

function readSize(req: ApiRequest, param: string, dflt: number): number {
    const raw = req.query.get(param);
    if (raw === null || raw === "") return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 100) {
        throw new ApiError(
            400,
            "invalid_parameter",
            `Query parameter '${param}' must be an integer from 1 to 100; got '${raw}'.`,
            { messageCode: MessageCode.BadRequest },
        );
    }
    return n;
}

/**
 * Reads an Identity listing: `pagetoken` (wins over everything else), or `filterNames` from the
 * query plus `pagesize` (default 20, 1-100).
 * @internal
 */
export function readIdentityPage(req: ApiRequest, filterNames: string[]): PageState {
    const token = req.query.get("pagetoken");
    if (token) {
        // The token carries the listing; a `pagesize` sent along with it still applies.
        const state = decode(req, token, "pagetoken");
        return req.query.get("pagesize") ? { ...state, size: readSize(req, "pagesize", state.size) } : state;
    }
    const filters: Record<string, string> = {};
    for (const name of filterNames) {
        const v = req.query.get(name);
        if (v !== null && v !== "") filters[name] = v;
    }
    return { filters, size: readSize(req, "pagesize", 20), offset: 0 };
}

/** Builds an Identity list body `{offset, limit, first, previous?, next?, [key]: items}`. @internal */
export function identityPage<T>(
    req: ApiRequest,
    collectionPath: string,
    key: string,
    state: PageState,
    all: T[],
): Record<string, unknown> {
    const link = (offset: number): string =>
        `${req.baseUrl}${collectionPath}?pagesize=${state.size}&pagetoken=${encode({ ...state, offset })}`;
    const body: Record<string, unknown> = { offset: state.offset, limit: state.size, first: link(0) };
    if (state.offset > 0) body.previous = link(Math.max(0, state.offset - state.size));
    if (state.offset + state.size < all.length) body.next = link(state.offset + state.size);
    body[key] = all.slice(state.offset, state.offset + state.size);
    return body;
}

/** Reads a Policy listing: `start` token or `filterNames`, plus `limit` (default 50, 1-100). @internal */
export function readPolicyPage(req: ApiRequest, filterNames: string[]): PageState {
    const start = req.query.get("start");
    const filters: Record<string, string> = {};
    for (const name of filterNames) {
        const v = req.query.get(name);
        if (v !== null && v !== "") filters[name] = v;
    }
    const size = readSize(req, "limit", 50);
    if (start) {
        const s = decode(req, start, "start");
        return { filters, size, offset: s.offset };
    }
    return { filters, size, offset: 0 };
}

/** Builds a Policy list body `{limit, first:{href}, previous?, next?:{href,start}, policies}`. @internal */
export function policyPage<T>(req: ApiRequest, state: PageState, all: T[]): Record<string, unknown> {
    const base = new URLSearchParams({ ...state.filters, limit: String(state.size) });
    const href = (start?: string): string =>
        `${req.baseUrl}/v1/policies?${base.toString()}${start ? `&start=${start}` : ""}`;
    const body: Record<string, unknown> = { limit: state.size, first: { href: href() } };
    if (state.offset > 0) {
        const start = encode({
            filters: {},
            size: state.size,
            offset: Math.max(0, state.offset - state.size),
        });
        body.previous = { href: href(start), start };
    }
    if (state.offset + state.size < all.length) {
        const start = encode({ filters: {}, size: state.size, offset: state.offset + state.size });
        body.next = { href: href(start), start };
    }
    body.policies = all.slice(state.offset, state.offset + state.size);
    return body;
}

/**
 * Reads an Access Groups listing's `limit` (0-100, default 100) and `offset` (default 0). IAM
 * Access Groups pages by offset and links `first`/`previous`/`next`/`last` as `{href}` whose
 * `offset` query parameter the SDK's pagers read (the SDK's iam-access-groups/v2.ts,
 * `AccessGroupsPager`).
 * @internal
 */
export function readOffsetPage(req: ApiRequest): { limit: number; offset: number } {
    const number = (param: string, dflt: number, max: number): number => {
        const raw = req.query.get(param);
        if (raw === null || raw === "") return dflt;
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 0 || n > max) {
            throw new ApiError(
                400,
                "invalid_parameter",
                `Query parameter '${param}' must be an integer from 0 to ${max}; got '${raw}'.`,
            );
        }
        return n;
    };
    return { limit: number("limit", 100, 100), offset: number("offset", 0, Number.MAX_SAFE_INTEGER) };
}

/**
 * Builds an Access Groups list body `{limit, offset, total_count, first, previous?, next?, last, [key]}`;
 * `query` holds the listing's other parameters, kept in every link.
 * @internal
 */
export function offsetPage<T>(
    req: ApiRequest,
    collectionPath: string,
    query: Record<string, string>,
    page: { limit: number; offset: number },
    key: string,
    all: T[],
): Record<string, unknown> {
    const href = (offset: number): { href: string } => {
        const q = new URLSearchParams({ ...query, limit: String(page.limit), offset: String(offset) });
        return { href: `${req.baseUrl}${collectionPath}?${q.toString()}` };
    };
    const body: Record<string, unknown> = {
        limit: page.limit,
        offset: page.offset,
        total_count: all.length,
        first: href(0),
    };
    // With limit 0 there is no next page to go to (a pager would never advance).
    if (page.limit > 0) {
        if (page.offset > 0) body.previous = href(Math.max(0, page.offset - page.limit));
        if (page.offset + page.limit < all.length) body.next = href(page.offset + page.limit);
        body.last = href(all.length === 0 ? 0 : Math.floor((all.length - 1) / page.limit) * page.limit);
    } else {
        body.last = href(0);
    }
    body[key] = all.slice(page.offset, page.offset + page.limit);
    return body;
}
