// The IAM account-limit check of a stack, run by the program in every preview and up before
// any IAM object is declared to the engine: the listings it needs (the account's service IDs
// and policies, and the limits IAM Identity reports) are reads, so a preview that would cross a
// limit fails in seconds with the numbers and the way out, and an `up` creates nothing. The
// counting rules are in ../shared/iam/accountLimits.ts.
import * as pulumi from "@pulumi/pulumi";
import { IamClient } from "../clients/iam";
import { iamProviderConfigFrom, resolveIamCredentials } from "../host/iam/credentials";
import { IAM_CONFIG_KEYS } from "../shared/iam/credentialInputs";
import {
    ACCOUNT_LIMIT_NAMES,
    accountLimitFindings,
    IamAccountLimits,
    IBM_DEFAULT_LIMITS,
    LimitSources,
    PlannedIdentity,
} from "../shared/iam/accountLimits";
import type { IamCredentialsArgs } from "./credentials";

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

/**
 * Checks the planned identities against the account's limits: warns near one, and rejects
 * (failing the run before any IAM object is declared) over one. Resolves once checked; a check
 * that cannot read the account warns and resolves, since the providers then report the cause.
 * @internal
 */
export function checkAccountLimits(
    parent: pulumi.Resource,
    planned: () => readonly PlannedIdentity[],
    opts: AccountLimitsCheckOptions,
): pulumi.Output<void> {
    if (opts.limits === false) return pulumi.output(undefined);
    const stack = new pulumi.Config("ibmcloud");
    const apiKeyName = IAM_CONFIG_KEYS.apiKey.split(":")[1];
    return pulumi
        .all([pulumi.output(opts.credentials), stack.getSecret(apiKeyName)])
        .apply(async ([credentials, apiKey]) => {
            const config = iamProviderConfigFrom({
                get: (key) => (key === IAM_CONFIG_KEYS.apiKey ? apiKey : stack.get(key.split(":")[1])),
            });
            let client: IamClient;
            try {
                client = new IamClient(resolveIamCredentials(credentials, config, process.env));
            } catch {
                return; // no key or an unusable endpoint: the IAM providers' checks name it
            }
            const reported: LimitSources = {};
            const limits: { -readonly [K in keyof IamAccountLimits]: number } = { ...IBM_DEFAULT_LIMITS };
            let holdings;
            try {
                const accountId = await client.accountId();
                const [serviceIds, policies, identity] = await Promise.all([
                    client.listServiceIds({ accountId }),
                    client.listPolicies({ accountId }),
                    client.getIdentityLimits({ accountId }),
                ]);
                holdings = { serviceIds, policies: policies.length };
                const apiKeys = identity.apikeys_per_identity?.limit;
                if (typeof apiKeys === "number") {
                    limits.apiKeysPerIdentity = apiKeys;
                    reported.apiKeysPerIdentity = "as IAM reports it";
                }
            } catch (err) {
                pulumi.log.warn(
                    `IAM account limits not checked: ${(err as Error).message}. The check lists the account's ` +
                        `service IDs and policies; set ${opts.limitsField}: false to skip it.`,
                    parent,
                );
                return;
            }
            for (const name of ACCOUNT_LIMIT_NAMES) {
                const given = opts.limits === false ? undefined : opts.limits?.[name];
                if (given !== undefined) {
                    limits[name] = given;
                    reported[name] = `${opts.limitsField}.${name}`;
                }
            }
            const found = accountLimitFindings(planned(), holdings, limits, reported, opts.ways);
            for (const warning of found.warnings)
                pulumi.log.warn(`IAM account limit near: ${warning}`, parent);
            if (found.refusals.length > 0) {
                throw new pulumi.ResourceError(
                    `IAM account limits: ${found.refusals.join(" ")} Nothing was created.`,
                    parent,
                );
            }
        });
}
