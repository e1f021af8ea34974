// ClusterRegistryAccess's plan when its namespaces depend on the live cluster (a selector, the
// token migration, the image report, or, with `migrateTokenSecrets: false`, what an earlier
// migration of this stack recorded): from the settings and the survey to each namespace to
// declare, with the access it gets, the secrets it will hold, the migration of its registry
// tokens and the image report's rows. Pure: the component (./clusterRegistryAccess.ts) reads
// the plan and declares every child itself.
import type { NamespaceAccess, RegistryAccess } from "./clusterRegistryAccessArgs";
import { DEFAULT_COMBINED_SECRET_NAME, planPullSecrets, PullSecretLayout } from "./k8s/namespacePullSecrets";
import { RegistryDomainError, resolveRegistryDomains } from "./shared/registry/registryDomains";
import type { ServiceAccountMigrationPlan, TokenSecretPlan } from "./shared/migration/migrationRecord";
import type { ClusterSurvey } from "./coverage/clusterSurvey";
import { imageReport, ImageReportRow } from "./coverage/imageReport";
import { NamespacePlan, planNamespaces, PlanSettings } from "./coverage/namespacePlan";
import { namespaceIdentityNames } from "./iam/namespaceIdentity";
import type { PlannedIdentity } from "./shared/iam/accountLimits";
import type { PlannedAccess } from "./iam/accountLimitsCheck";
import type { PlannedGroup } from "./iam/accountLimitsProbe";
import { accessGroupsOptions, accessScopeOf } from "./iam/sharedAccessGroups";
import { accessGroupName } from "./shared/iam/accessGroupScope";
import { policyLocations } from "./shared/registry/registryDomains";

/** The settings the plan reads. */
export interface CoverageSettings extends PlanSettings {
    readonly layout?: PullSecretLayout;
}

/** The TokenSecretMigration of one namespace, replacements filled in. */
export interface PlannedMigration {
    readonly tokenSecrets: TokenSecretPlan[];
    readonly serviceAccounts: ServiceAccountMigrationPlan[];
    readonly deleteSecrets: string[];
}

/** One namespace to declare. */
export interface PlannedNamespace {
    readonly namespace: string;
    readonly access: NamespaceAccess;
    readonly source: NamespacePlan["source"];
    /** Logged when the namespace is declared. */
    readonly notes: string[];
    /** Declared after the namespace's secrets and service-account patches. */
    readonly migration?: PlannedMigration;
}

/** Everything to declare, in order, and the image report. */
export interface CoveragePlan {
    readonly namespaces: PlannedNamespace[];
    readonly imageReport: ImageReportRow[];
}

/** The secret names and domains NamespacePullSecrets will write for this access. */
function plannedSecrets(
    namespace: string,
    access: NamespaceAccess,
    scope: RegistryAccess,
    layout: PullSecretLayout | undefined,
): { names: string[]; hosts: string[] } {
    try {
        const domains = resolveRegistryDomains({
            regions: scope.regions,
            includeGlobal: scope.includeGlobal,
            endpoints: access.endpoints,
        });
        const plans = planPullSecrets(
            namespace,
            domains,
            access.layout ?? layout ?? PullSecretLayout.PerDomain,
            access.secretName ?? DEFAULT_COMBINED_SECRET_NAME,
        );
        return { names: plans.map((p) => p.secretName), hosts: domains.map((d) => d.domain) };
    } catch (err) {
        if (err instanceof RegistryDomainError) return { names: [], hosts: [] }; // NamespacePullSecrets reports it
        throw err;
    }
}

/**
 * The namespaces to declare (./coverage/namespacePlan.ts decides which, with what access) and
 * what goes with each. `problems` are errors naming the field; with any, nothing is declared.
 */
export function planCoverage(
    settings: CoverageSettings,
    survey: ClusterSurvey,
    reportImages: boolean,
): { plan: CoveragePlan; problems: string[] } {
    const { plans, problems } = planNamespaces(settings, survey);
    const namespaces: PlannedNamespace[] = [];
    const rows: ImageReportRow[] = [];
    for (const plan of plans) {
        const scope =
            plan.access.identity === undefined
                ? plan.access
                : (settings.sharedIdentities?.[plan.access.identity] ?? {});
        const planned = plannedSecrets(plan.namespace, plan.access, scope, settings.layout);
        namespaces.push({
            namespace: plan.namespace,
            access: plan.access,
            source: plan.source,
            notes: plan.notes,
            ...(plan.migration !== undefined
                ? {
                      migration: {
                          tokenSecrets: plan.migration.tokenSecrets,
                          serviceAccounts: plan.migration.serviceAccounts.map((sa) => ({
                              ...sa,
                              replacements: planned.names,
                          })),
                          deleteSecrets: plan.migration.deleteSecrets,
                      },
                  }
                : {}),
        });
        const ns = survey.namespaces[plan.namespace];
        if (reportImages && ns !== undefined && plan.source !== "migration" && plan.source !== "recorded") {
            const hosts = [...planned.hosts, ...ns.pullSecretHosts];
            rows.push(...imageReport(ns.containers, () => hosts));
        }
    }
    return { plan: { namespaces, imageReport: rows }, problems };
}

/** A namespace the stack covers, for the IAM account-limit check, with the setting it comes from. */
export interface IdentityPlanEntry {
    readonly namespace: string;
    readonly access: NamespaceAccess;
    readonly field: string;
}

/**
 * The IAM identities the stack declares, as the account-limit check counts them
 * (./shared/iam/accountLimits.ts): each shared identity, and each covered namespace that has its
 * own. A service ID holds one policy per region asked for (one for all regions without `regions`),
 * none of its own with `accessGroups` (the shared groups' policies, a few per access scope and
 * usually made already by another stack, are not counted), and two API keys while one is renewed or
 * rotated (create before delete).
 */
export function plannedIdentities(
    settings: {
        readonly cluster: string;
        readonly sharedIdentities?: Record<string, RegistryAccess>;
        readonly accessGroups?: unknown;
    },
    namespaces: readonly IdentityPlanEntry[],
): PlannedIdentity[] {
    const identity = (name: string, field: string, access: RegistryAccess): PlannedIdentity => ({
        field,
        serviceIdName: namespaceIdentityNames(settings.cluster, name).serviceIdName,
        policies:
            settings.accessGroups === undefined || settings.accessGroups === false
                ? (policyLocations(access)?.length ?? 1)
                : 0,
        apiKeys: 2,
    });
    return [
        ...Object.entries(settings.sharedIdentities ?? {}).map(([name, access]) =>
            identity(name, `sharedIdentities.${name}`, access),
        ),
        ...namespaces
            .filter((n) => n.access.identity === undefined)
            .map((n) => identity(n.namespace, n.field, n.access)),
    ];
}

/**
 * What the account-limit check counts (./iam/accountLimitsCheck.ts): the identities, and with
 * `accessGroups` the shared group of each identity's access scope, by name.
 */
export function plannedAccess(
    settings: {
        readonly cluster: string;
        readonly sharedIdentities?: Record<string, RegistryAccess>;
        readonly accessGroups?: boolean | { readonly namePrefix?: string };
    },
    namespaces: readonly IdentityPlanEntry[],
): PlannedAccess {
    const identities = plannedIdentities(settings, namespaces);
    const options = accessGroupsOptions(settings.accessGroups);
    if (options === undefined) return { identities, groups: [] };
    const scopes = [
        ...Object.values(settings.sharedIdentities ?? {}),
        ...namespaces.filter((n) => n.access.identity === undefined).map((n) => n.access),
    ].map(accessScopeOf);
    const groups = new Map<string, PlannedGroup>();
    for (const scope of scopes) {
        const name = accessGroupName(scope, options.namePrefix);
        groups.set(name, { name, scope, policies: scope.locations?.length ?? 1 });
    }
    return { identities, groups: [...groups.values()] };
}
