// Who holds which entry of a ServiceAccount's `imagePullSecrets`, and how a writer adds its
// names and takes them out again without ever removing another writer's: pure functions over
// what one GET of the account shows (the list, two annotations, metadata.uid, managedFields)
// and what the writer's own state remembers.
//
// Why: the list is `+listType=atomic` (kubernetes/api core/v1/types.go; server-side apply
// agrees: client-go applyconfigurations/internal/internal.go), so every writer replaces all of
// it; a safe writer reads it, changes only its own entries, and writes it back guarded by
// resourceVersion (optimistic concurrency: Kubernetes API concepts, "Resource versions",
// https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions). "Its own
// entries" needs a record that survives
// other writers: the annotation CLAIMS_ANNOTATION maps a claim id (one per
// ServiceAccountPullSecrets resource) to the names that claim added or shares, and
// CLAIMS_UID_ANNOTATION records the metadata.uid of the object those claims were written to.
//
// The rules. A writer (one claim id) may remove a name only if THIS incarnation of the account
// got the name from it:
//   1. Incarnation. Claims count only on the object they were written to. When
//      CLAIMS_UID_ANNOTATION differs from the live uid, the account was deleted and re-created
//      with a copy of its old metadata (a backup restore, a GitOps tool re-applying a captured
//      manifest): every claim is stale, none is anyone's, and the next write drops them. A
//      missing uid annotation means claims written by a release before this rule: other
//      claims still count as holds (rule 3), ours counts only under rule 2's uid check.
//   2. Ours. The names our claim holds on this incarnation, plus the names our state
//      remembers (managedNames) when the state's serviceAccountUid equals the live uid, in
//      case the annotation alone was lost (a `kubectl replace` of the object). Nothing else:
//      a name that was already on the list when we wanted it is never ours (rule 6), and
//      after a delete and re-create (new uid) nothing on the new object is ours, even a name
//      it lists that we once added.
//   3. Held by another writer. A name is held by someone else when another live claim lists
//      it (another stack or resource shares it), or when a field manager other than ours owns
//      it through server-side apply (managedFields, operation Apply): per item
//      (`k:{"name":…}`) for a granular list, or every listed name when it owns the atomic list,
//      because then the list is exactly what it last applied (an Update by anyone else that
//      changes the list takes that ownership away, so it cannot be stale). Ownership through
//      plain updates (PUT, JSON patch) says nothing about intent and does not count: those
//      writers' own entries are protected by rule 6.
//   4. Removing. A name we no longer want is removed only if it is ours and no one else holds
//      it; then one occurrence, the last, so that a duplicate someone else appended stays.
//   5. Giving up. A name of ours that a server-side applier holds leaves our claim at once,
//      wanted or not: it is theirs now, and stays on the list when we let go. A name another
//      claim also holds stays shared (both claim it; the last to let go removes it).
//   6. Adding. A wanted name not on the list is appended and claimed. A wanted name already
//      on the list is claimed only if it is ours or shared with another claim; otherwise it is
//      foreign: never claimed, never removed.
//   7. Lost create responses. Claim ids are `<origin>.<nonce>`: the origin is a hash of the
//      resource's identity (organization, project, stack, URN), the nonce is new per create.
//      A create or update absorbs every other claim with its own origin: that is either an
//      orphan left by a create whose response was lost (the engine never recorded it, so
//      nothing else will ever release it), or the predecessor in a create-before-delete
//      replace on the same account. A delete absorbs nothing: a claim of its origin is then
//      its successor's, and holds its names like any other claim (rule 3), so the
//      predecessor's delete removes nothing the successor lists. So at most one orphan per
//      resource exists, and only until its next create or update. Ids without an origin
//      (written before this rule) are never absorbed.
// Two stacks adding the same name, a replace on the same account, a re-created account and a
// server-side applier listing one of our names therefore never lose an entry through us.
// Other writers (the token migration) share these rules.

/** Annotation on the ServiceAccount recording which claim added which names. @internal */
export const CLAIMS_ANNOTATION = "pulumi-icr-access/image-pull-secret-claims";

/** Annotation on the ServiceAccount: the metadata.uid of the object the claims were written to. @internal */
export const CLAIMS_UID_ANNOTATION = "pulumi-icr-access/image-pull-secret-claims-uid";

/** A `LocalObjectReference`, kept whole so that unknown fields of foreign entries survive. @internal */
export interface PullSecretEntry {
    readonly name?: string;
    readonly [key: string]: unknown;
}

/** claim id → names, as stored in {@link CLAIMS_ANNOTATION}. @internal */
export type Claims = Readonly<Record<string, readonly string[]>>;

/** One `metadata.managedFields` entry, as the API server returns it. @internal */
export interface ManagedFieldsEntry {
    readonly manager?: string;
    readonly operation?: string;
    readonly subresource?: string;
    readonly fieldsType?: string;
    readonly fieldsV1?: Record<string, unknown>;
}

/** What one GET of the ServiceAccount shows, as the rules read it. @internal */
export interface ServiceAccountView {
    /** `imagePullSecrets` as read. */
    readonly entries: readonly PullSecretEntry[];
    /** {@link CLAIMS_ANNOTATION} as read (see {@link parseClaims}). */
    readonly claims: Claims;
    /** {@link CLAIMS_UID_ANNOTATION} as read; undefined when absent. */
    readonly claimsUid?: string;
    /** The live `metadata.uid`. */
    readonly uid: string;
    /** Names a server-side applier other than us holds (see {@link namesHeldByAppliers}). */
    readonly heldByAppliers: readonly string[];
}

/** @internal */
export interface ReconcileRequest extends ServiceAccountView {
    /** This resource's claim id. */
    readonly claimId: string;
    /** Names this resource wants on the list now; empty to release everything (delete). */
    readonly wanted: readonly string[];
    /** Names this resource owned according to its own state (managedNames). */
    readonly owned: readonly string[];
    /** The service account uid its state recorded with `owned`; "" when it has none (create). */
    readonly ownedUid: string;
    /**
     * Absorb other claims of this claim's origin (rule 7): true for create and update; false
     * for delete and read, where such a claim is a successor's.
     */
    readonly absorb: boolean;
}

/** @internal */
export interface ReconcileResult {
    readonly entries: PullSecretEntry[];
    readonly claims: Record<string, string[]>;
    /** The value for {@link CLAIMS_UID_ANNOTATION}: the live uid, or undefined when no claim remains. */
    readonly claimsUid: string | undefined;
    /** Names this resource now owns (added, or shared with another claim). */
    readonly owned: string[];
    /** Names appended to the list. */
    readonly added: string[];
    /** Names removed from the list. */
    readonly removed: string[];
    /** Names of ours that a server-side applier holds: dropped from our claim, left on the list (rule 5). */
    readonly relinquished: string[];
    /** Claims of our origin that were absorbed into ours (rule 7). */
    readonly absorbed: string[];
    /** False when the list and both annotations are unchanged, so no write is needed. */
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

/** A claim id for a new create: `<origin>.<nonce>`, or the bare nonce without an origin (rule 7). @internal */
export function newClaimId(origin: string | undefined, nonce: string): string {
    return origin === undefined || origin === "" ? nonce : `${origin}.${nonce}`;
}

/** The origin part of a claim id, or undefined for ids written before origins existed. @internal */
export function claimOriginOf(claimId: string): string | undefined {
    const dot = claimId.indexOf(".");
    return dot > 0 ? claimId.slice(0, dot) : undefined;
}

/**
 * Whether the claims on the account were written to this object (rule 1): `current`, `stale`
 * (another incarnation's copy), or `unverified` (no uid annotation: an older release wrote them).
 * @internal
 */
export function claimsIncarnation(
    view: Pick<ServiceAccountView, "claimsUid" | "uid">,
): "current" | "stale" | "unverified" {
    if (view.claimsUid === undefined || view.claimsUid === "") return "unverified";
    return view.claimsUid === view.uid ? "current" : "stale";
}

/**
 * The names a field manager other than `ourManager` holds through server-side apply (rule 3):
 * per item for a granular list (`k:{"name":…}` keys), every listed name when it owns the atomic
 * list. Subresource entries and Update operations do not count.
 * @internal
 */
export function namesHeldByAppliers(
    managedFields: readonly ManagedFieldsEntry[] | undefined,
    entries: readonly PullSecretEntry[],
    ourManager: string,
): string[] {
    const listed = entryNames(entries);
    const held = new Set<string>();
    for (const mf of managedFields ?? []) {
        if (mf.operation !== "Apply" || mf.manager === ourManager) continue;
        if (mf.subresource !== undefined && mf.subresource !== "") continue;
        const field = mf.fieldsV1?.["f:imagePullSecrets"];
        if (typeof field !== "object" || field === null) continue;
        const itemKeys = Object.keys(field).filter((k) => k.startsWith("k:"));
        if (itemKeys.length === 0) {
            for (const n of listed) held.add(n);
            continue;
        }
        for (const key of itemKeys) {
            try {
                const name = (JSON.parse(key.slice(2)) as { name?: unknown }).name;
                if (typeof name === "string" && listed.includes(name)) held.add(name);
            } catch {
                // A key we cannot read proves nothing either way.
            }
        }
    }
    return [...held];
}

/** The parts of a ServiceAccount object the rules read. @internal */
export interface ServiceAccountLike {
    readonly metadata: {
        readonly uid?: string;
        readonly annotations?: Readonly<Record<string, string>>;
        readonly managedFields?: readonly ManagedFieldsEntry[];
    };
    readonly imagePullSecrets?: readonly PullSecretEntry[];
}

/**
 * What the rules see on a ServiceAccount as read from the API server; `ourManager` is the
 * field manager of the writer asking (its own applies do not count as someone else's).
 * @internal
 */
export function serviceAccountView(sa: ServiceAccountLike, ourManager: string): ServiceAccountView {
    const annotations = sa.metadata.annotations ?? {};
    const entries = sa.imagePullSecrets ?? [];
    return {
        entries,
        claims: parseClaims(annotations[CLAIMS_ANNOTATION]),
        claimsUid: annotations[CLAIMS_UID_ANNOTATION],
        uid: sa.metadata.uid ?? "",
        heldByAppliers: namesHeldByAppliers(sa.metadata.managedFields, entries, ourManager),
    };
}

/**
 * Names on the account that someone other than `claimId` holds (rules 1 and 3): every live
 * claim but `claimId`, and every name a server-side applier holds. A writer that removes
 * entries it did not add (a migration) passes no claim id: it must leave every one of these
 * alone.
 * @internal
 */
export function namesHeldByOthers(view: ServiceAccountView, claimId?: string): string[] {
    const claims = claimsIncarnation(view) === "stale" ? {} : view.claims;
    const held = new Set<string>(view.heldByAppliers);
    for (const [id, names] of Object.entries(claims)) {
        if (id === claimId) continue;
        for (const n of names) held.add(n);
    }
    return [...held].sort();
}

/**
 * Merges `wanted` into the list and releases the names this claim no longer wants, following
 * the rules at the top of this file. Never touches a foreign entry, never adds a name twice,
 * and is idempotent: reconciling its own result again changes nothing.
 * @internal
 */
export function reconcilePullSecrets(req: ReconcileRequest): ReconcileResult {
    const wanted = uniqueNames(req.wanted);
    const incarnation = claimsIncarnation(req);
    const liveClaims: Claims = incarnation === "stale" ? {} : req.claims;
    const origin = claimOriginOf(req.claimId);
    const absorbed = Object.keys(liveClaims)
        .filter(
            (id) => req.absorb && id !== req.claimId && origin !== undefined && claimOriginOf(id) === origin,
        )
        .sort();
    const stateIsThisIncarnation = req.ownedUid !== "" && req.ownedUid === req.uid;
    const ourClaimsCount = incarnation === "current" || stateIsThisIncarnation;
    const ours = new Set<string>([
        ...(ourClaimsCount ? [req.claimId, ...absorbed].flatMap((id) => liveClaims[id] ?? []) : []),
        ...(stateIsThisIncarnation ? req.owned : []),
    ]);
    const others: Record<string, string[]> = {};
    for (const [id, names] of Object.entries(liveClaims)) {
        if (id !== req.claimId && !absorbed.includes(id) && names.length > 0) others[id] = [...names];
    }
    const heldByClaims = (name: string) => Object.values(others).some((names) => names.includes(name));
    const appliers = new Set(req.heldByAppliers);

    const entries = [...req.entries];
    const removed: string[] = [];
    const relinquished: string[] = [];
    for (const name of [...ours].sort()) {
        if (appliers.has(name)) {
            relinquished.push(name);
            continue;
        }
        if (wanted.includes(name) || heldByClaims(name)) continue;
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
        } else if ((ours.has(name) || heldByClaims(name)) && !appliers.has(name)) {
            owned.push(name);
        }
        // else: present and not ours to claim (foreign, or a server-side applier's): leave it.
    }
    const claims: Record<string, string[]> = { ...others };
    if (owned.length > 0) claims[req.claimId] = owned;
    const claimsUid = formatClaims(claims) === undefined ? undefined : req.uid;

    const changed =
        added.length > 0 ||
        removed.length > 0 ||
        formatClaims(claims) !== formatClaims(req.claims) ||
        (claimsUid ?? "") !== (req.claimsUid ?? "");
    return { entries, claims, claimsUid, owned, added, removed, relinquished, absorbed, changed };
}
