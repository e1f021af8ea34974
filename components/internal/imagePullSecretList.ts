// Merging our names into a ServiceAccount's `imagePullSecrets` and taking them out again,
// as pure functions over the list and a claims annotation.
//
// Why: the list is `+listType=atomic` (kubernetes/api core/v1/types.go), so every writer
// replaces all of it; a safe writer reads it, changes only its own entries, and writes it
// back guarded by resourceVersion (prior-art.md §C.1, §E). "Its own entries" needs a
// record that survives other writers and other Pulumi resources: the SA annotation
// CLAIMS_ANNOTATION maps a claim id (one per ServiceAccountPullSecrets resource) to the
// names that claim added or shares. Rules:
//   - a name already on the list that no claim holds is foreign: never claimed, never removed;
//   - a name on the list that another claim holds is shared: we claim it too;
//   - a name not on the list is appended and claimed;
//   - releasing a name removes our claim, and the entry only when no other claim remains.
// Two stacks adding the same name, or a create-before-delete replace on the same SA,
// therefore never remove each other's entries. Pure: no Pulumi import (provider code).

/** Annotation on the ServiceAccount recording which claim added which names. @internal */
export const CLAIMS_ANNOTATION = "pulumi-icr-access/image-pull-secret-claims";

/** A `LocalObjectReference`, kept whole so that unknown fields of foreign entries survive. @internal */
export interface PullSecretEntry {
    readonly name?: string;
    readonly [key: string]: unknown;
}

/** claim id → names, as stored in {@link CLAIMS_ANNOTATION}. @internal */
export type Claims = Readonly<Record<string, readonly string[]>>;

/** @internal */
export interface ReconcileRequest {
    /** The SA's `imagePullSecrets` as read. */
    readonly entries: readonly PullSecretEntry[];
    /** The SA's claims annotation as read (see {@link parseClaims}). */
    readonly claims: Claims;
    /** This resource's claim id. */
    readonly claimId: string;
    /** Names this resource wants on the list now; empty to release everything (delete). */
    readonly wanted: readonly string[];
    /** Names this resource owned according to its own state, in case the annotation was lost. */
    readonly owned: readonly string[];
}

/** @internal */
export interface ReconcileResult {
    readonly entries: PullSecretEntry[];
    readonly claims: Record<string, string[]>;
    /** Names this resource now owns (added, or shared with another claim). */
    readonly owned: string[];
    /** Names appended to the list. */
    readonly added: string[];
    /** Names removed from the list. */
    readonly removed: string[];
    /** False when the list and claims are unchanged, so no write is needed. */
    readonly changed: boolean;
}

/** Parses the claims annotation; anything malformed reads as no claims. @internal */
export function parseClaims(annotation: string | undefined): Record<string, string[]> {
    if (annotation === undefined || annotation === "") return {};
    try {
        const raw = JSON.parse(annotation) as unknown;
        if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return {};
        const out: Record<string, string[]> = {};
        for (const [id, names] of Object.entries(raw as Record<string, unknown>)) {
            if (Array.isArray(names)) out[id] = names.filter((n): n is string => typeof n === "string");
        }
        return out;
    } catch {
        return {};
    }
}

/** The annotation text for these claims (sorted, so equal claims give equal text), or undefined for none. @internal */
export function formatClaims(claims: Claims): string | undefined {
    const ids = Object.keys(claims)
        .filter((id) => claims[id].length > 0)
        .sort();
    if (ids.length === 0) return undefined;
    const sorted: Record<string, string[]> = {};
    for (const id of ids) sorted[id] = [...new Set(claims[id])].sort();
    return JSON.stringify(sorted);
}

/** Unique names, first occurrence wins. @internal */
export function uniqueNames(names: readonly string[]): string[] {
    return [...new Set(names)];
}

/** The names on a list, in order, skipping entries without a name. @internal */
export function entryNames(entries: readonly PullSecretEntry[]): string[] {
    return entries.map((e) => e.name).filter((n): n is string => typeof n === "string");
}

/**
 * Merges `wanted` into the list and releases the names this claim no longer wants,
 * following the rules at the top of this file. Never touches a foreign entry, never adds a
 * name twice, and is idempotent: reconciling its own result again changes nothing.
 * @internal
 */
export function reconcilePullSecrets(req: ReconcileRequest): ReconcileResult {
    const wanted = uniqueNames(req.wanted);
    const ours = new Set([...(req.claims[req.claimId] ?? []), ...req.owned]);
    const claims: Record<string, string[]> = {};
    for (const [id, names] of Object.entries(req.claims)) {
        if (id !== req.claimId && names.length > 0) claims[id] = [...names];
    }
    const heldByOthers = (name: string) => Object.values(claims).some((names) => names.includes(name));

    const entries = [...req.entries];
    const removed: string[] = [];
    for (const name of [...ours].sort()) {
        if (wanted.includes(name) || heldByOthers(name)) continue;
        // Remove one occurrence (the last): a duplicate someone else added stays.
        for (let i = entries.length - 1; i >= 0; i--) {
            if (entries[i].name === name) {
                entries.splice(i, 1);
                removed.push(name);
                break;
            }
        }
    }

    const added: string[] = [];
    const owned: string[] = [];
    for (const name of wanted) {
        const present = entries.some((e) => e.name === name);
        if (!present) {
            entries.push({ name });
            added.push(name);
            owned.push(name);
        } else if (ours.has(name) || heldByOthers(name)) {
            owned.push(name);
        }
        // else: present and unclaimed, so someone else's entry: leave it and do not own it.
    }
    if (owned.length > 0) claims[req.claimId] = owned;

    const changed =
        added.length > 0 || removed.length > 0 || formatClaims(claims) !== formatClaims(req.claims);
    return { entries, claims, owned, added, removed, changed };
}
