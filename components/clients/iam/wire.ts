// How IAM's answers are read: optional string fields, response headers, the page tokens of
// IAM Identity's and Policy Management's listings, and IAM's two timestamp formats.

/** A non-empty string field, or undefined. @internal */
export function str(v: unknown): string | undefined {
    return typeof v === "string" && v !== "" ? v : undefined;
}

/** Response headers as lower-case names and string values, whatever shape the HTTP library gave. @internal */
export function plainHeaders(h: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    const source = (
        h && typeof (h as { toJSON?: unknown }).toJSON === "function"
            ? (h as { toJSON(): unknown }).toJSON()
            : h
    ) as Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(source ?? {})) {
        if (typeof v === "string") out[k.toLowerCase()] = v;
        else if (Array.isArray(v)) out[k.toLowerCase()] = v.join(", ");
        else if (typeof v === "number") out[k.toLowerCase()] = String(v);
    }
    return out;
}

/**
 * The page token of a listing's `next`: a URL string (Identity: `pagetoken`) or an
 * object `{href, start}` (Policy).
 * @internal
 */
export function pageToken(next: unknown, param: string, base: string): string | undefined {
    if (next === undefined || next === null) return undefined;
    if (typeof next === "object") {
        const n = next as Record<string, unknown>;
        if (typeof n[param] === "string" && n[param] !== "") return n[param] as string;
        return pageToken(n.href, param, base);
    }
    if (typeof next !== "string" || next === "") return undefined;
    try {
        return new URL(next, base).searchParams.get(param) ?? undefined;
    } catch {
        return undefined;
    }
}

/**
 * Milliseconds since the epoch of an IAM timestamp: Identity's minute-precision
 * "2020-10-16T10:36+0000" or Policy's "2024-10-17T16:36:56.501Z". Undefined when unreadable.
 * @internal
 */
export function parseIbmTime(value: string | undefined): number | undefined {
    if (!value) return undefined;
    const normalised = value.replace(/([+-]\d\d)(\d\d)$/, "$1:$2");
    const t = Date.parse(normalised);
    return Number.isNaN(t) ? undefined : t;
}
