// The IAM account-limit check of a stack, run by the program in every preview and up before
// any IAM object is declared to the engine: the listings it needs (the account's service IDs
// and policies, and the limits IAM Identity reports) are reads, so a preview that would cross a
// limit fails in seconds with the numbers and the way out, and an `up` creates nothing. The
// reading and counting are in ./accountLimitsProbe.ts and ../shared/iam/accountLimits.ts.
import * as pulumi from "@pulumi/pulumi";
import { iamProviderConfigFrom, resolveIamCredentials } from "../host/iam/credentials";
import type { IamAccountLimits, PlannedIdentity } from "../shared/iam/accountLimits";
import { ACCESS_GROUPS_SETTING } from "../shared/iam/accessGroupScope";
import {
    accountLimitsVerdict,
    accountLimitsVerdictSync,
    LimitsQuestion,
    LimitsVerdict,
    PlannedGroup,
} from "./accountLimitsProbe";
import type { IamCredentialsArgs } from "./credentials";
import type { IamCredentialsInputs } from "../shared/iam/credentialInputs";

/** What the check needs besides the planned identities. @internal */
export interface AccountLimitsCheckOptions {
    /** The identities' own credentials, if not the stack-wide ones. */
    readonly credentials?: pulumi.Input<IamCredentialsArgs>;
    /** Limits the account has instead of IBM's defaults, or false to skip the check. */
    readonly limits?: Partial<IamAccountLimits> | false;
    /** The setting that holds `limits`, as messages name it, e.g. `iamLimits`. */
    readonly limitsField: string;
    /** The ways out, as the component offers them, for the messages. */
    readonly ways: string;
}

/** What the stack declares, as the check counts it. */
export interface PlannedAccess {
    readonly identities: readonly PlannedIdentity[];
    /** The shared access groups its identities join (`accessGroups`), by name. */
    readonly groups: readonly PlannedGroup[];
}

/** A check that must be quick: a few attempts, then a warning that it could not be made. */
const CHECK_TUNING = { maxAttempts: 3, maxElapsedMs: 20_000, timeoutMs: 10_000 };

/** The question for `credentials` (or the stack-wide ones); undefined when there is no usable key. */
function question(
    planned: PlannedAccess,
    opts: AccountLimitsCheckOptions,
    credentials: IamCredentialsInputs | undefined,
    apiKey: string | undefined,
): LimitsQuestion | undefined {
    const stack = new pulumi.Config("ibmcloud");
    const config = iamProviderConfigFrom({
        get: (key) => (key === "ibmcloud:apiKey" ? apiKey : stack.get(key.split(":")[1])),
    });
    try {
        return {
            credentials: resolveIamCredentials(credentials, config, process.env),
            tuning: CHECK_TUNING,
            planned: planned.identities,
            groups: planned.groups,
            groupsField: ACCESS_GROUPS_SETTING,
            given: opts.limits ?? {},
            limitsField: opts.limitsField,
            ways: opts.ways,
        };
    } catch {
        return undefined; // no key or an unusable endpoint: the IAM providers' checks name it
    }
}

/**
 * Checks the planned identities against the account's limits before this returns: warns near
 * one, throws naming every crossed one. Only with the stack-wide credentials, which the program
 * can read now; false when it could not check (other credentials, or the check's process
 * failed), and the caller then checks later.
 * @internal
 */
export function checkAccountLimitsNow(
    parent: pulumi.Resource,
    planned: PlannedAccess,
    opts: AccountLimitsCheckOptions,
): boolean {
    if (opts.limits === false && planned.groups.length === 0) return true;
    if (opts.credentials !== undefined) return false;
    const q = question(planned, opts, undefined, new pulumi.Config("ibmcloud").get("apiKey"));
    if (q === undefined) return true;
    const verdict = accountLimitsVerdictSync(q);
    if (verdict === undefined) return false;
    report(parent, verdict, opts.limitsField, true);
    return true;
}

/**
 * The same check, inside the returned Output, which rejects over a limit: the engine then
 * reports after its minute of waiting, but before anything that waits on the Output is created.
 * @internal
 */
export function checkAccountLimitsLater(
    parent: pulumi.Resource,
    planned: PlannedAccess,
    opts: AccountLimitsCheckOptions,
): pulumi.Output<void> {
    if (opts.limits === false && planned.groups.length === 0) return pulumi.output(undefined);
    return pulumi
        .all([pulumi.output(opts.credentials), new pulumi.Config("ibmcloud").getSecret("apiKey")])
        .apply(async ([credentials, apiKey]) => {
            const q = question(planned, opts, credentials, apiKey);
            if (q !== undefined) report(parent, await accountLimitsVerdict(q), opts.limitsField, false);
        });
}

/** Warns about each near limit; throws naming every crossed one. */
function report(parent: pulumi.Resource, verdict: LimitsVerdict, limitsField: string, now: boolean): void {
    if ("unreadable" in verdict) {
        pulumi.log.warn(
            `IAM account limits not checked: ${verdict.unreadable}. The check lists the account's service IDs ` +
                `and policies; set ${limitsField}: false to skip it.`,
            parent,
        );
        return;
    }
    for (const warning of verdict.warnings) pulumi.log.warn(`IAM account limit near: ${warning}`, parent);
    const message = [
        ...verdict.foreignGroups,
        ...(verdict.refusals.length > 0
            ? [`IAM account limits: ${verdict.refusals.join(" ")} Nothing was created.`]
            : []),
    ].join("\n");
    if (message === "") return;
    // While the program starts, a RunError: the CLI shows its message alone, without the
    // component's innards; inside an Output, the error belongs to the component.
    throw now ? new pulumi.RunError(message) : new pulumi.ResourceError(message, parent, true);
}
