// IAM's per-account limits, enforced when an object is created. IBM: "If a limit is exceeded,
// you receive an exception and are not allowed to create any new resources beyond that limit"
// (IBM Cloud docs, "IBM Cloud IAM limits", https://cloud.ibm.com/docs/account?topic=account-known-issues#iam_limits).
// The values are IBM's defaults; tests lower them (`limits` option, `--limit`, `POST /_emulator/limits`)
// to reach a limit with a handful of objects instead of thousands.
import { ApiError, MessageCode } from "./errors";

/** The limits the emulator enforces, by IBM's names in "IBM Cloud IAM limits". */
export interface IamLimits {
    /**
     * Service IDs per account. IBM's "Increasing account limits" page shows the refusal at 3000
     * ("Your current count is 3000, and the limit is 3000"); older versions of the limits table said 2000.
     * @default 3000
     */
    serviceIdsPerAccount: number;
    /** API keys per identity (service ID or user); also `apikeys_per_identity.limit` of the limits API. @default 20 */
    apiKeysPerIdentity: number;
    /** Policies per account (shared with context-based restriction rules, which are not emulated). @default 4020 */
    policiesPerAccount: number;
    /** Policies per subject (an iam_id or an access group) within an account. @default 1000 */
    policiesPerSubject: number;
    /** Access groups per account. @default 500 */
    accessGroupsPerAccount: number;
    /**
     * Access groups one identity is a member of ("Access groups per user"; the Access Groups API:
     * "each iam_id can only be added to 50 groups").
     * @default 50
     */
    accessGroupsPerMember: number;
}

/** IBM's defaults. */
export const DEFAULT_LIMITS: Readonly<IamLimits> = Object.freeze({
    serviceIdsPerAccount: 3000,
    apiKeysPerIdentity: 20,
    policiesPerAccount: 4020,
    policiesPerSubject: 1000,
    accessGroupsPerAccount: 500,
    accessGroupsPerMember: 50,
});

/** The names of {@link IamLimits}. */
export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as (keyof IamLimits)[];

/**
 * Checks a partial set of limits: known names, non-negative integers. Returns the problems.
 * @internal
 */
export function validateLimits(limits: unknown, where: string): string[] {
    if (limits === null || typeof limits !== "object" || Array.isArray(limits)) {
        return [`${where}: must be an object such as {"serviceIdsPerAccount": 3}`];
    }
    const problems: string[] = [];
    for (const [name, value] of Object.entries(limits as Record<string, unknown>)) {
        if (!(LIMIT_NAMES as string[]).includes(name)) {
            problems.push(`${where}.${name}: not a limit; known: ${LIMIT_NAMES.join(", ")}`);
        } else if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
            problems.push(`${where}.${name}: must be a non-negative integer; got ${JSON.stringify(value)}`);
        }
    }
    return problems;
}

/** The limits in force, and the ones given at start that `POST /_emulator/reset` returns to. @internal */
export class LimitsState {
    private readonly initial: IamLimits;
    private current: IamLimits;

    constructor(start: Partial<IamLimits> = {}) {
        this.initial = { ...DEFAULT_LIMITS, ...start };
        this.current = { ...this.initial };
    }

    /** The limits now. */
    get(): Readonly<IamLimits> {
        return this.current;
    }

    /** Changes some limits (already validated); objects beyond a lowered limit stay. */
    set(changes: Partial<IamLimits>): void {
        this.current = { ...this.current, ...changes };
    }

    /** Back to the limits given at start. */
    reset(): void {
        this.current = { ...this.initial };
    }
}

/**
 * The refusal of a create that would go past a limit. IBM documents the refusal ("you receive an
 * exception") but not its status or code; the emulator answers 400 `limit_exceeded` with the
 * wording of IBM's Activity Tracker warning ("You have reached 100% of the maximum number of
 * allowed Service IDs in account …. Your current count is 3000, and the limit is 3000.").
 * @internal
 */
export function limitExceeded(what: string, scope: string, count: number, limit: number): ApiError {
    return new ApiError(
        400,
        "limit_exceeded",
        `You have reached 100% of the maximum number of allowed ${what} ${scope}. ` +
            `Your current count is ${count}, and the limit is ${limit}.`,
        { messageCode: MessageCode.LimitExceeded },
    );
}
