// The IAM account-limit verdict: reads what the account holds and the limits IAM reports, and
// counts the planned identities against them (../shared/iam/accountLimits.ts); with shared access
// groups, also refuses a group of a planned group's name that the library did not make. A program can
// only fail fast synchronously (an error raised inside an Output reaches the user after the
// engine's minute of waiting, ../k8s/clusterProbe.ts), so `accountLimitsVerdictSync` runs this
// module as a child Node.js process, the credentials on its stdin, and waits for it.
// No Pulumi import: the child loads only this module, the IAM client and the counting rules.
import { spawnSync } from "child_process";
import * as fs from "fs";
import { IamClient, IamClientCredentials, IamClientTuning } from "../clients/iam";
import { AccessScope, carriesSharedGroupMark, foreignGroupReason } from "../shared/iam/accessGroupScope";
import {
    ACCOUNT_LIMIT_NAMES,
    accountLimitFindings,
    IamAccountLimits,
    IBM_DEFAULT_LIMITS,
    LimitSources,
    PlannedIdentity,
} from "../shared/iam/accountLimits";

/** What the verdict needs. @internal */
export interface LimitsQuestion {
    readonly credentials: IamClientCredentials;
    /** Kept short: the check must not hold the run for IAM's full retry budget. */
    readonly tuning?: Partial<IamClientTuning>;
    readonly planned: readonly PlannedIdentity[];
    /** The limits the user set, under `limitsField`; false: count nothing (`iamLimits: false`). */
    readonly given: Partial<IamAccountLimits> | false;
    readonly limitsField: string;
    readonly ways: string;
    /** With `accessGroups`: the shared groups the stack's identities join. */
    readonly groups?: readonly PlannedGroup[];
    /** The setting that turns the groups on, as messages name it. */
    readonly groupsField?: string;
}

/** A shared access group the stack's identities join: its name, scope and policies. */
export interface PlannedGroup {
    readonly name: string;
    readonly scope: AccessScope;
    /** One per location of the scope. */
    readonly policies: number;
}

/** Refusals and warnings; or why the account could not be read. @internal */
export type LimitsVerdict =
    | {
          readonly refusals: string[];
          readonly warnings: string[];
          /** Shared access groups of our names that the library did not make. */
          readonly foreignGroups: string[];
      }
    | { readonly unreadable: string };

/** Reads the account and counts. Never throws: an unreadable account is a verdict too. @internal */
export async function accountLimitsVerdict(q: LimitsQuestion): Promise<LimitsVerdict> {
    const limits: { -readonly [K in keyof IamAccountLimits]: number } = { ...IBM_DEFAULT_LIMITS };
    const sources: LimitSources = {};
    let holdings;
    const foreign: string[] = [];
    let groupPolicies = 0;
    try {
        const client = new IamClient(q.credentials, q.tuning);
        const accountId = await client.accountId();
        // A group of a shared group's name is the library's for that scope, or refused; one that
        // does not exist yet brings its policies.
        for (const group of q.groups ?? []) {
            const found = await client.findAccessGroupByName(accountId, group.name);
            if (found === undefined) groupPolicies += group.policies;
            else if (!carriesSharedGroupMark(found.description, group.scope))
                foreign.push(foreignGroupReason(found, group.scope, q.groupsField ?? "accessGroups"));
        }
        if (q.given === false) return { refusals: [], warnings: [], foreignGroups: foreign };
        const [serviceIds, policies, identity] = await Promise.all([
            client.listServiceIds({ accountId }),
            client.listPolicies({ accountId }),
            client.getIdentityLimits({ accountId }),
        ]);
        holdings = { serviceIds, policies: policies.length };
        const apiKeys = identity.apikeys_per_identity?.limit;
        if (typeof apiKeys === "number") {
            limits.apiKeysPerIdentity = apiKeys;
            sources.apiKeysPerIdentity = "as IAM reports it";
        }
    } catch (err) {
        return { unreadable: err instanceof Error ? err.message : String(err) };
    }
    for (const name of ACCOUNT_LIMIT_NAMES) {
        const given = q.given[name];
        if (given !== undefined) {
            limits[name] = given;
            sources[name] = `${q.limitsField}.${name}`;
        }
    }
    const { refusals, warnings } = accountLimitFindings(
        q.planned,
        holdings,
        limits,
        sources,
        q.ways,
        groupPolicies,
    );
    return { refusals, warnings, foreignGroups: foreign };
}

/**
 * {@link accountLimitsVerdict}, synchronously, in a child process (see the module comment).
 * Undefined when the compiled module is not there to run (tests that load the TypeScript
 * sources) or the child failed: the caller then asks asynchronously.
 * @internal
 */
export function accountLimitsVerdictSync(q: LimitsQuestion): LimitsVerdict | undefined {
    const self = __filename.replace(/\.ts$/, ".js");
    if (!fs.existsSync(self)) return undefined;
    const script =
        `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>require(${JSON.stringify(self)})` +
        `.accountLimitsVerdict(JSON.parse(s)).then(v=>process.stdout.write(JSON.stringify(v))))`;
    const child = spawnSync(process.execPath, ["-e", script], {
        input: JSON.stringify(q),
        encoding: "utf8",
        timeout: 120_000,
        env: process.env,
    });
    if (child.error !== undefined || child.status !== 0) return undefined;
    try {
        return JSON.parse(child.stdout) as LimitsVerdict;
    } catch {
        return undefined;
    }
}
