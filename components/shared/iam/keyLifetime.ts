// How long an API key lives and when it is renewed: the `keyLifetime` and `renewBefore`
// durations, IAM Identity's `expires_at` format, and what IAM does with a leaked key
// (`action_when_leaked`; IBM's IAM Identity API reference, "Create an API key"). The components
// check these at construction, the ApiKey provider at `check` and when it renews a key.
import { isUnknown } from "../unknown";

/**
 * What IAM may do with a leaked key (IBM's IAM Identity API reference, `action_when_leaked`).
 * @see https://cloud.ibm.com/apidocs/iam-identity-token-api
 */
export type LeakAction = "none" | "disable" | "delete";
/** @internal */
export const LEAK_ACTIONS: readonly string[] = ["none", "disable", "delete"];

const DURATION_UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A key lifetime or renewal window in ms: `"90d"`, `"12h"`, `"2w"`, `"45m"`, `"1d12h"`; else undefined. @internal */
export function parseKeyDuration(text: unknown): number | undefined {
    if (typeof text !== "string" || !/^(\d+[mhdw])+$/.test(text.trim())) return undefined;
    let ms = 0;
    for (const m of text.trim().matchAll(/(\d+)([mhdw])/g)) ms += Number(m[1]) * DURATION_UNIT_MS[m[2]];
    return ms > 0 ? ms : undefined;
}

/** The renewal window of a key: `renewBefore`, else a third of the lifetime. @internal */
export function renewWindowMs(keyLifetime: string | undefined, renewBefore: string | undefined): number {
    return parseKeyDuration(renewBefore) ?? Math.floor((parseKeyDuration(keyLifetime) ?? 0) / 3);
}

/** A time in IAM Identity's `expires_at` format, `yyyy-MM-ddTHH:mm+0000` (to the minute, down). @internal */
export function ibmExpiresAt(ms: number): string {
    return new Date(ms).toISOString().slice(0, 16) + "+0000";
}

/**
 * Problems with `keyLifetime`, `renewBefore` and `actionWhenLeaked` as plain values, under
 * `prefix`. Undefined and unknown (preview) values pass.
 * @internal
 */
export function keyLifetimeInputProblems(
    prefix: string,
    args: { keyLifetime?: unknown; renewBefore?: unknown; actionWhenLeaked?: unknown },
): string[] {
    const problems: string[] = [];
    const known = (v: unknown) => v !== undefined && !isUnknown(v);
    const durationHint = 'a duration such as "90d", "12h" or "2w" (units m, h, d, w)';
    const lifetime = parseKeyDuration(args.keyLifetime);
    if (known(args.keyLifetime)) {
        if (lifetime === undefined)
            problems.push(
                `${prefix}keyLifetime: ${JSON.stringify(args.keyLifetime)} is not ${durationHint}.`,
            );
        else if (lifetime < 3_600_000)
            problems.push(
                `${prefix}keyLifetime: ${JSON.stringify(args.keyLifetime)} is shorter than an hour.`,
            );
    }
    if (known(args.renewBefore)) {
        const window = parseKeyDuration(args.renewBefore);
        if (window === undefined)
            problems.push(
                `${prefix}renewBefore: ${JSON.stringify(args.renewBefore)} is not ${durationHint}.`,
            );
        else if (lifetime !== undefined && window >= lifetime)
            problems.push(
                `${prefix}renewBefore: ${JSON.stringify(args.renewBefore)} is not shorter than keyLifetime ` +
                    `${JSON.stringify(args.keyLifetime)}; every key would be renewed at once.`,
            );
    }
    if (known(args.actionWhenLeaked) && !LEAK_ACTIONS.includes(args.actionWhenLeaked as string))
        problems.push(
            `${prefix}actionWhenLeaked: must be one of ${LEAK_ACTIONS.map((a) => `"${a}"`).join(", ")}; ` +
                `got ${JSON.stringify(args.actionWhenLeaked)}.`,
        );
    return problems;
}
