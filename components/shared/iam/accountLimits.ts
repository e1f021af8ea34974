// IAM's per-account limits that a stack's objects count against, and the check of what a stack
// would add against what the account already holds. IBM: "If a limit is exceeded, you can't
// create more" (IBM Cloud docs, "IBM Cloud IAM limits",
// https://cloud.ibm.com/docs/account?topic=account-known-issues#iam_limits): 3,000 service IDs
// per account, 4,020 access policies per account, 1,000 policies per subject, and a limit on
// API keys per identity, which IAM Identity reports (`GET /v1/accounts/{id}/limits/identity`,
// `apikeys_per_identity`). An account can ask IBM for more, so every limit can be set.
//
// Found at preview, a crossing costs nothing; found at `up`, it leaves a half-made stack, and
// IKS itself then silently skips the cluster's pull secret (IBM Cloud Kubernetes Service docs,
// "Understanding how your cluster is authorized to pull images from a registry").
import { readMark } from "../ownership/ownerMark";

/** The limits counted, per account unless named otherwise. */
export interface IamAccountLimits {
    /** Service IDs per account. */
    readonly serviceIdsPerAccount: number;
    /** Access policies per account. */
    readonly policiesPerAccount: number;
    /** Access policies per subject (a service ID, or an access group). */
    readonly policiesPerSubject: number;
    /** API keys per identity (service ID). */
    readonly apiKeysPerIdentity: number;
}

/** IBM's documented defaults. @internal */
export const IBM_DEFAULT_LIMITS: Readonly<IamAccountLimits> = Object.freeze({
    serviceIdsPerAccount: 3000,
    policiesPerAccount: 4020,
    policiesPerSubject: 1000,
    apiKeysPerIdentity: 20,
});

/** The limit names, as settings spell them. @internal */
export const ACCOUNT_LIMIT_NAMES = Object.keys(IBM_DEFAULT_LIMITS) as (keyof IamAccountLimits)[];

/** From this share of a limit on, a run warns. @internal */
export const NEAR_LIMIT_SHARE = 0.9;

/** One identity the stack declares: its service ID's name and how many policies it holds. */
export interface PlannedIdentity {
    /** The setting it comes from, e.g. `namespaces.shop` or `sharedIdentities.web`. */
    readonly field: string;
    readonly serviceIdName: string;
    /** Policies whose subject is this service ID. */
    readonly policies: number;
    /** API keys it holds at once at most: one, two while a key is renewed or rotated. */
    readonly apiKeys: number;
}

/** What the account holds now. @internal */
export interface AccountHoldings {
    /** Every service ID of the account, with its description (where the owner mark is). */
    readonly serviceIds: readonly { readonly name: string; readonly description?: string }[];
    /** Access policies of the account. */
    readonly policies: number;
}

/** What a check found: refusals (over a limit) and warnings (near one). @internal */
export interface LimitFindings {
    readonly refusals: string[];
    readonly warnings: string[];
    /** The counts behind them, for a report. */
    readonly counts: {
        readonly newServiceIds: number;
        readonly newPolicies: number;
        readonly serviceIds: number;
        readonly policies: number;
    };
}

/** Where a limit came from, as a message names it. @internal */
export type LimitSources = Partial<Record<keyof IamAccountLimits, string>>;

const n = (x: number) => x.toLocaleString("en-US");

/**
 * Compares what the planned identities would add with what the account holds and its limits.
 *
 * A planned service ID already exists when the account holds one of that name that carries this
 * library's owner mark: a rerun adds nothing for it, so the stack is not refused for what it
 * already has. (Counting only: which object is whose is decided by the providers from the full
 * mark, never by a name.) Its policies are counted as held too. `groupPolicies` are the policies of
 * the shared access groups the stack would make (`accessGroups`).
 * @internal
 */
export function accountLimitFindings(
    planned: readonly PlannedIdentity[],
    holdings: AccountHoldings,
    limits: IamAccountLimits,
    sources: LimitSources,
    ways: string,
    groupPolicies = 0,
): LimitFindings {
    const held = new Set(
        holdings.serviceIds.filter((s) => readMark(s.description).mark !== undefined).map((s) => s.name),
    );
    const adding = planned.filter((p) => !held.has(p.serviceIdName));
    const newServiceIds = adding.length;
    const newPolicies = adding.reduce((sum, p) => sum + p.policies, groupPolicies);
    const refusals: string[] = [];
    const warnings: string[] = [];
    const limitText = (name: keyof IamAccountLimits) =>
        `${n(limits[name])} (${sources[name] ?? `IBM's default; set iamLimits.${name} if the account's limit differs`})`;

    const account = (
        what: string,
        name: "serviceIdsPerAccount" | "policiesPerAccount",
        adds: number,
        holds: number,
    ) => {
        if (adds === 0) return;
        const after = holds + adds;
        const text = `this stack adds ${n(adds)} ${adds === 1 ? what.slice(0, -1) : what}; the account holds ${n(holds)} of ${limitText(name)}`;
        if (after > limits[name]) refusals.push(`${text}, ${n(after - limits[name])} too many. ${ways}`);
        else if (after >= limits[name] * NEAR_LIMIT_SHARE)
            warnings.push(
                `${text}: ${n(after)} after this run, ${Math.floor((after / limits[name]) * 100)}% of the limit. ${ways}`,
            );
    };
    account("service IDs", "serviceIdsPerAccount", newServiceIds, holdings.serviceIds.length);
    account("access policies", "policiesPerAccount", newPolicies, holdings.policies);
    for (const p of planned) {
        if (p.policies > limits.policiesPerSubject)
            refusals.push(
                `${p.field}: service ID ${p.serviceIdName} would hold ${n(p.policies)} policies, over the ` +
                    `limit of ${limitText("policiesPerSubject")} per subject.`,
            );
        if (p.apiKeys > limits.apiKeysPerIdentity)
            refusals.push(
                `${p.field}: service ID ${p.serviceIdName} holds up to ${p.apiKeys} API keys while one is ` +
                    `renewed, over the limit of ${limitText("apiKeysPerIdentity")} per identity.`,
            );
    }
    return {
        refusals,
        warnings,
        counts: {
            newServiceIds,
            newPolicies,
            serviceIds: holdings.serviceIds.length,
            policies: holdings.policies,
        },
    };
}

/**
 * Problems with an `iamLimits` setting: each given limit a positive whole number, under a known
 * name. `field` is the setting's path, e.g. `iamLimits`.
 * @internal
 */
export function accountLimitSettingProblems(field: string, value: unknown): string[] {
    if (value === undefined || value === false) return [];
    if (typeof value !== "object" || value === null || Array.isArray(value))
        return [
            `${field}: must be an object of limits ({ ${ACCOUNT_LIMIT_NAMES.join(", ")} }), or false to ` +
                `skip the check; got ${JSON.stringify(value)}.`,
        ];
    const problems: string[] = [];
    for (const [k, v] of Object.entries(value)) {
        if (!(ACCOUNT_LIMIT_NAMES as string[]).includes(k))
            problems.push(`${field}.${k}: unknown limit; the limits are ${ACCOUNT_LIMIT_NAMES.join(", ")}.`);
        else if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
            problems.push(`${field}.${k}: must be a whole number of at least 1; got ${JSON.stringify(v)}.`);
    }
    return problems;
}
