// The owner mark: what every IAM object this library creates carries, written in the same
// request that creates it, so that whose it is is recorded rather than guessed afterwards from
// its name or its creation time.
//
// IAM has no labels or tags on service IDs, policies and API keys, and no idempotency key on
// their creates; the one free-text field that all three take on create and return on every
// read is `description` (IBM's IAM Identity API reference, "Create a service ID" / "Create an
// API key"; IAM Policy Management API reference, "Create a policy"). The mark goes at its end:
//
//   <the resource's description> [pulumi-icr-access owner=<24 hex> incarnation=<8 hex> call=<8 hex>]
//
// - owner: a hash of the stack's owner id (a random id the stack keeps in its own state, see
//   stackOwner.ts) and the resource's logical path (its URN without stack and project), plus
//   what places the object (its account). A rerun of the same resource computes the same owner
//   before it knows anything else; two stacks never do, since their owner ids differ; renaming
//   the stack or moving its state to another backend changes neither part.
// - incarnation: chosen by `check` and kept in the resource's inputs from then on. An object of
//   our owner with our incarnation is the one the resource already holds (the predecessor in a
//   create-before-delete replace): never taken, never deleted by the create. One with another
//   incarnation was made by an earlier attempt whose answer never reached state (a crash, a
//   lost answer, a killed process): that object, and only that one, is taken over.
// - call: random per create request, so a create that lost its own answer recognises what it
//   made even while an earlier object of the same owner exists.
import { createHash, randomBytes } from "crypto";

/** The parts of an owner mark. */
export interface OwnerMark {
    /** Who: hash of the stack's owner id, the resource's path and what places the object. */
    readonly owner: string;
    /** Which life of the resource (kept across updates; new for a new resource). */
    readonly incarnation: string;
    /** Which create request. */
    readonly call: string;
}

const MARK_PATTERN =
    /\s*\[pulumi-icr-access owner=([0-9a-f]{24}) incarnation=([0-9a-f]{8}) call=([0-9a-f]{8})\]\s*$/;

/** The owner part of a mark, from the resource's `owner` input and what places the object. */
export function ownerHash(owner: string, ...placement: (string | undefined)[]): string {
    return createHash("sha256")
        .update([owner, ...placement.map((p) => p ?? "")].join("\n"))
        .digest("hex")
        .slice(0, 24);
}

/** A fresh random token: an incarnation or a call. */
export function newMarkToken(): string {
    return randomBytes(4).toString("hex");
}

/** The mark as stored in state: `owner.incarnation.call`. */
export function markText(mark: OwnerMark): string {
    return `${mark.owner}.${mark.incarnation}.${mark.call}`;
}

/** A mark from its state text; undefined for anything else. */
export function parseMarkText(text: unknown): OwnerMark | undefined {
    if (typeof text !== "string") return undefined;
    const m = /^([0-9a-f]{24})\.([0-9a-f]{8})\.([0-9a-f]{8})$/.exec(text);
    return m ? { owner: m[1], incarnation: m[2], call: m[3] } : undefined;
}

/** A description with the mark at its end. */
export function markedDescription(description: string, mark: OwnerMark): string {
    const tag = `[pulumi-icr-access owner=${mark.owner} incarnation=${mark.incarnation} call=${mark.call}]`;
    return description === "" ? tag : `${description} ${tag}`;
}

/** A description split into the resource's own text and the mark, if it carries one. */
export function readMark(description: string | undefined): { description: string; mark?: OwnerMark } {
    const text = description ?? "";
    const m = MARK_PATTERN.exec(text);
    if (!m) return { description: text };
    return {
        description: text.slice(0, m.index),
        mark: { owner: m[1], incarnation: m[2], call: m[3] },
    };
}

/**
 * How an object found in IAM relates to a resource about to create one:
 * - `this-call`: made by this very create request (its answer was lost);
 * - `held`: the object this resource already holds (same incarnation): leave it alone;
 * - `orphan`: made by an earlier attempt of this resource that never reached state: ours to take;
 * - `foreign`: another owner's mark, or none: never adopted, changed or deleted.
 */
export type Relation = "this-call" | "held" | "orphan" | "foreign";

/** Relation of an object's description to the mark a create is about to write. */
export function relationTo(description: string | undefined, want: OwnerMark): Relation {
    const { mark } = readMark(description);
    if (!mark || mark.owner !== want.owner) return "foreign";
    if (mark.call === want.call) return "this-call";
    return mark.incarnation === want.incarnation ? "held" : "orphan";
}

/** Who an object belongs to, for messages: "another stack" (a mark) or "nobody known" (no mark). */
export function foreignOwnerText(description: string | undefined): string {
    const { mark } = readMark(description);
    return mark
        ? `another stack's (owner mark ${mark.owner})`
        : "made outside this library (it carries no owner mark), e.g. by hand, by IKS or by the runbook";
}
