// Helpers the three IAM dynamic providers share: building a client from run-time credentials,
// recognising IAM errors, the stale-entity-tag retry, and making results fit for the wire.
import { IamClient, IamClientTuning, IamError, iamTuningFromEnv } from "../../clients/iam";
import type { IamCredentialsInputs } from "../../shared/iam/credentialInputs";
import { IamProviderConfig, resolveIamCredentials } from "./credentials";

/**
 * A client for one operation: credentials resolved now (resource input, then the config
 * `configure` saw, then the environment), tuning from `ICR_ACCESS_IAM_*` then `tuning`.
 * @internal
 */
export function iamClientFor(
    perResource: IamCredentialsInputs | undefined,
    config: IamProviderConfig | undefined,
    tuning: Partial<IamClientTuning> | undefined,
    resource: string,
): IamClient {
    const creds = resolveIamCredentials(perResource, config, process.env, resource);
    return new IamClient(creds, { ...iamTuningFromEnv(process.env), ...tuning });
}

/**
 * The error as an {@link IamError}, or undefined. Duck-typed: each provider carries its own
 * copy of the client module, so `instanceof` across copies is not reliable.
 * @internal
 */
export function asIamError(err: unknown): IamError | undefined {
    return err !== null && typeof err === "object" && (err as { name?: unknown }).name === "IamError"
        ? (err as IamError)
        : undefined;
}

/** The HTTP status of an IAM error, or undefined. @internal */
export function iamStatus(err: unknown): number | undefined {
    return asIamError(err)?.status;
}

/**
 * Whether an error may be a stale `If-Match`: IAM Identity's status is undocumented (409 or 412),
 * Policy Management's should be 412 (IBM API Handbook). A policy conflict is not staleness.
 * @internal
 */
export function mayBeStaleTag(err: unknown): boolean {
    const e = asIamError(err);
    return e !== undefined && (e.status === 409 || e.status === 412) && e.code !== "policy_conflict_error";
}

/** What {@link writeWithFreshTag} needs. @internal */
export interface FreshTagWrite<T, C> {
    /** The tag we believe is current (state), if any. */
    tag?: string;
    /** Reads the object again: its current tag and whatever the caller needs, or undefined if gone. */
    reread: () => Promise<{ tag: string; current: C } | undefined>;
    /** The conditional write. */
    write: (tag: string) => Promise<T>;
    /**
     * Called after a refused write with the fresh object; may fix the cause (e.g. unlock) and
     * return true to retry even though the tag did not change.
     */
    fix?: (current: C) => Promise<boolean>;
    /** Thrown when the object is gone. */
    gone: () => Error;
    /** Writes before giving up. @default 4 */
    attempts?: number;
}

/**
 * A conditional write (`If-Match`) that survives a stale tag: on 409/412 it re-reads the object
 * and retries with the fresh tag. A refusal that a re-read does not explain (same tag, nothing
 * to fix) is rethrown as it is.
 * @internal
 */
export async function writeWithFreshTag<T, C>(w: FreshTagWrite<T, C>): Promise<T> {
    let tag = w.tag;
    if (tag === undefined || tag === "") {
        const fresh = await w.reread();
        if (!fresh) throw w.gone();
        tag = fresh.tag;
    }
    const attempts = w.attempts ?? 4;
    for (let i = 1; ; i++) {
        try {
            return await w.write(tag);
        } catch (err) {
            if (iamStatus(err) === 404) throw w.gone();
            if (!mayBeStaleTag(err) || i >= attempts) throw err;
            const fresh = await w.reread();
            if (!fresh) throw w.gone();
            const fixed = w.fix ? await w.fix(fresh.current) : false;
            if (!fixed && fresh.tag === tag) throw err;
            if (fixed) {
                const again = await w.reread();
                if (!again) throw w.gone();
                tag = again.tag;
            } else {
                tag = fresh.tag;
            }
        }
    }
}

/**
 * A copy of `value` without `undefined` members, at any depth. The provider host turns
 * results into protobuf Structs, which reject `undefined`.
 * @internal
 */
export function compact<T>(value: T): T {
    if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compact) as unknown as T;
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            if (v !== undefined) out[k] = compact(v);
        }
        return out as T;
    }
    return value;
}

/** Runs `f`, treating an IAM 404 as "already done". @internal */
export async function ignoreNotFound(f: () => Promise<unknown>): Promise<boolean> {
    try {
        await f();
        return true;
    } catch (err) {
        if (iamStatus(err) === 404) return false;
        throw err;
    }
}

/** How to delete one kind of IAM Identity entity that may be locked (service IDs, API keys). @internal */
export interface LockableEntityOps {
    get(id: string): Promise<{ locked?: boolean } | undefined>;
    remove(id: string, opts?: { createdAt?: number }): Promise<unknown>;
    unlock(id: string): Promise<void>;
    /** The error text when the entity is locked by someone else. */
    lockedHint(id: string): string;
}

/**
 * Deletes a service ID or API key: unlocks it first when its lock is ours, treats "already
 * gone" as done, and, when the delete is refused because someone locked it since we last
 * looked, unlocks and retries if the lock is ours, else says whose move it is. @internal
 */
export async function deleteLockableEntity(
    ops: LockableEntityOps,
    id: string,
    props: { lockManaged?: boolean; locked?: boolean; createdAt?: number },
): Promise<void> {
    if (props.lockManaged && props.locked) {
        if (!(await ignoreNotFound(() => ops.unlock(id)))) return;
    }
    try {
        await ops.remove(id, { createdAt: props.createdAt });
    } catch (err) {
        const status = iamStatus(err);
        if (status === undefined || status < 400 || status >= 500) throw err;
        const current = await ops.get(id);
        if (!current) return;
        if (!current.locked) throw err;
        if (!props.lockManaged) throw new Error(`${ops.lockedHint(id)} (${(err as Error).message})`);
        await ops.unlock(id);
        await ops.remove(id);
    }
}
