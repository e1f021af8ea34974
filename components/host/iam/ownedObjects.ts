// What the IAM providers share about owner marks (../../shared/ownership/ownerMark.ts): the `owner` and
// `incarnation` inputs, the mark a create writes, and the sweep that finds what earlier
// attempts of the same resource left behind.
import {
    OwnerMark,
    markedDescription,
    newMarkToken,
    ownerHash,
    parseMarkText,
    readMark,
} from "../../shared/ownership/ownerMark";
import type { Failure } from "../../shared/iam/policyModel";
import { isUnknown } from "../../shared/unknown";

/** The inputs every IAM resource has for its owner mark. */
export interface OwnedInputs {
    /** The stack's owner id and the resource's path (components/ownership/stackOwner.ts); set by the component. */
    owner?: string;
    /** Chosen by `check` when the resource is new, kept from its old inputs after that. */
    incarnation?: string;
}

/** `check` failures of the owner inputs. */
export function checkOwnedInputs(news: OwnedInputs): Failure[] {
    const failures: Failure[] = [];
    if (news.owner !== undefined && !isUnknown(news.owner) && typeof news.owner !== "string")
        failures.push({ property: "owner", reason: "must be a string (set by the component)" });
    return failures;
}

/**
 * The incarnation `check` gives a resource: its old one (an update, or a replace that keeps
 * the old object until the new one exists), else a new one.
 */
export function incarnationOf(olds: Partial<OwnedInputs> | undefined, news: OwnedInputs): string {
    const old = olds?.incarnation;
    if (typeof old === "string" && /^[0-9a-f]{8}$/.test(old)) return old;
    const given = news.incarnation;
    if (typeof given === "string" && /^[0-9a-f]{8}$/.test(given)) return given;
    return newMarkToken();
}

/**
 * The mark a create (or a takeover) writes: the resource's owner with what places the object,
 * its incarnation, and a fresh call token. A resource without an `owner` (made outside the
 * components) gets a mark no other run can compute: its lost answers are still recognised within
 * the call, and nothing is ever taken for it across runs.
 */
export function markFor(inputs: OwnedInputs, ...placement: (string | undefined)[]): OwnerMark {
    const owner =
        typeof inputs.owner === "string" && inputs.owner !== ""
            ? ownerHash(inputs.owner, ...placement)
            : ownerHash(`unowned/${newMarkToken()}${newMarkToken()}`);
    return {
        owner,
        incarnation: incarnationOf(undefined, inputs),
        call: newMarkToken(),
    };
}

/**
 * Whether an object that state holds may be deleted: yes, unless its live description carries a
 * mark of our owner with another call (a later resource of ours took it over, e.g. a replace of
 * a policy IAM keeps one of) or a mark of another owner while state recorded ours.
 */
export function stillOurs(liveDescription: string | undefined, recorded: string | undefined): boolean {
    const ours = parseMarkText(recorded);
    const live = readMark(liveDescription).mark;
    if (!ours || !live) return true;
    return live.owner === ours.owner && live.call === ours.call;
}

/** A stored description with the stored mark put back, as the live object carries it. */
export function withRecordedMark(description: string, recorded: string | undefined): string {
    const mark = parseMarkText(recorded);
    return mark ? markedDescription(description, mark) : description;
}
