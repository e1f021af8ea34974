// From the stack's settings and a survey of the live cluster to the namespaces the program
// declares: the explicit ones (they win), the selected ones with the selector's access, and,
// when migrating, kube-system if it holds registry-token secrets. A namespace whose token
// secrets served regions its access leaves out gets those regions, so that the API-key
// secrets written cover everything the tokens did. Pure: no Pulumi import.
//
// A migration's outcome outlives its setting. Each service account whose token entries the
// migration replaced carries its record (MIGRATED_ANNOTATION: token → icr.io domains) and this
// stack's owner label (MIGRATION_OWNER_LABEL), written when the entries were taken off. While
// such a record exists, the namespace is declared with the recorded domains and accounts, also
// with `migrateTokenSecrets` off and also when the namespace left `namespaces` (source
// "recorded"): turning the migration off never takes the replacements away again.
import type { NamespaceAccess, RegistryAccess } from "../clusterRegistryAccessArgs";
import type { MigrateTokenSecretsOptions } from "../migration/migrationSettings";
import { findRegion } from "../shared/registry/registryDomains";
import { REGISTRY_REGIONS } from "../shared/registry/registryRegions";
import type { NamespaceSelector } from "./namespaceSelector";
import type { ClusterSurvey, NamespaceSurvey, RecordedAccount } from "./clusterSurvey";
import type { ServiceAccountMigrationPlan, TokenSecretPlan } from "../shared/migration/migrationRecord";
/** The migration of one namespace. */
export interface NamespaceMigrationPlan {
    readonly tokenSecrets: TokenSecretPlan[];
    /** Per service account, the token names to remove (replacements are filled in by the component). */
    readonly serviceAccounts: Omit<ServiceAccountMigrationPlan, "replacements">[];
    readonly deleteSecrets: string[];
}

/** One namespace the program declares. */
export interface NamespacePlan {
    readonly namespace: string;
    readonly access: NamespaceAccess;
    /**
     * How it got in: named in `namespaces`, picked by the selector, added to migrate its tokens,
     * or kept because this stack's migration recorded replacements there.
     */
    readonly source: "explicit" | "selected" | "migration" | "recorded";
    readonly migration?: NamespaceMigrationPlan;
    /** Things the user should know (regions added, secrets left alone). */
    readonly notes: string[];
}

/** Everything the settings say, for planning. */
export interface PlanSettings {
    readonly namespaces: Readonly<Record<string, NamespaceAccess>>;
    readonly sharedIdentities?: Readonly<Record<string, RegistryAccess>>;
    readonly namespaceSelector?: NamespaceSelector<NamespaceAccess>;
    readonly migrateTokenSecrets?: MigrateTokenSecretsOptions;
}
/**
 * The access widened to cover these IAM regions (`global` for icr.io): missing regions are
 * appended, `includeGlobal` set when icr.io is needed, private-only endpoints made `both`
 * (token secrets served public domains). Unchanged when it already covers them.
 */
export function coveringAccess(
    access: NamespaceAccess,
    needed: readonly string[],
): { access: NamespaceAccess; added: string[] } {
    const needGlobal = needed.includes("global");
    const added: string[] = [];
    let next: NamespaceAccess = access;
    if (needGlobal && access.includeGlobal === false) {
        next = { ...next, includeGlobal: true };
        added.push("global");
    }
    if (access.regions !== undefined) {
        const have = new Set(access.regions.map((r) => findRegion(r)?.iamRegion ?? r));
        const regional = needed.filter((r) => r !== "global" && !have.has(r));
        if (regional.length > 0) {
            next = { ...next, regions: [...access.regions, ...regional] };
            added.push(...regional);
        }
        if (needGlobal && access.regions.length === 0 && access.includeGlobal === undefined) {
            next = { ...next, includeGlobal: true };
        }
    }
    if (access.endpoints === "private") next = { ...next, endpoints: "both" };
    return { access: next, added };
}

/** The IAM regions (`global` for icr.io) of the domains the records name, in table order. */
function recordedRegions(records: readonly RecordedAccount[]): string[] {
    const domains = new Set(records.flatMap((r) => Object.values(r.migrated).flat()));
    return REGISTRY_REGIONS.filter((r) => domains.has(r.domain)).map((r) => r.iamRegion);
}

function tableOrder(regions: Iterable<string>): string[] {
    const set = new Set(regions);
    return REGISTRY_REGIONS.map((r) => r.iamRegion).filter((r) => set.has(r));
}

function migrationOf(
    survey: NamespaceSurvey,
    options: MigrateTokenSecretsOptions,
): NamespaceMigrationPlan | undefined {
    if (survey.tokenSecrets.length === 0) return undefined;
    return {
        tokenSecrets: survey.tokenSecrets.map((t) => ({ name: t.name, domains: t.domains })),
        serviceAccounts: survey.serviceAccounts.map((sa) => ({ name: sa.name, remove: sa.tokens })),
        deleteSecrets: options.deleteSecrets ? survey.tokenSecrets.map((t) => t.name) : [],
    };
}

/**
 * The namespaces to declare, in order: explicit (config order), selected (sorted), then
 * kube-system when it is added only to migrate. `problems` are errors naming the field.
 */
export function planNamespaces(
    settings: PlanSettings,
    survey: ClusterSurvey,
): { plans: NamespacePlan[]; problems: string[] } {
    const options = settings.migrateTokenSecrets;
    const problems: string[] = [];
    const plans: NamespacePlan[] = [];
    const entries: [string, NamespaceAccess, NamespacePlan["source"]][] = [
        ...Object.entries(settings.namespaces).map(
            ([ns, a]) => [ns, a, "explicit"] as [string, NamespaceAccess, "explicit"],
        ),
        ...survey.selected.map(
            (ns) =>
                [ns, settings.namespaceSelector?.access ?? {}, "selected"] as [
                    string,
                    NamespaceAccess,
                    "selected",
                ],
        ),
    ];
    const kubeSystem = survey.namespaces["kube-system"];
    if (
        options?.kubeSystem &&
        !entries.some(([ns]) => ns === "kube-system") &&
        kubeSystem !== undefined &&
        kubeSystem.tokenSecrets.length > 0
    ) {
        const regions = tableOrder(kubeSystem.tokenSecrets.flatMap((t) => t.regions));
        entries.push([
            "kube-system",
            {
                regions: regions.filter((r) => r !== "global"),
                includeGlobal: regions.includes("global"),
                serviceAccounts: kubeSystem.serviceAccounts.map((sa) => sa.name),
            },
            "migration",
        ]);
    }
    // Namespaces this stack migrated that nothing else covers now: kept, with what was recorded.
    for (const [namespace, records] of Object.entries(survey.records ?? {}).sort(([a], [b]) =>
        a.localeCompare(b),
    )) {
        if (entries.some(([ns]) => ns === namespace)) continue;
        const regions = recordedRegions(records);
        entries.push([
            namespace,
            {
                regions: regions.filter((r) => r !== "global"),
                includeGlobal: regions.includes("global"),
                serviceAccounts: records.map((r) => r.name),
            },
            "recorded",
        ]);
    }
    for (const [namespace, given, source] of entries) {
        const field =
            source === "explicit"
                ? `namespaces.${namespace}`
                : source === "selected"
                  ? `namespaceSelector (namespace ${namespace})`
                  : source === "migration"
                    ? `migrateTokenSecrets.kubeSystem`
                    : `migrateTokenSecrets (recorded migration of namespace ${namespace})`;
        const notes: string[] = [];
        const survey1 = survey.namespaces[namespace];
        const migration =
            options !== undefined && survey1 !== undefined ? migrationOf(survey1, options) : undefined;
        const records = survey.records?.[namespace] ?? [];
        let access = given;
        for (const u of survey1?.unmapped ?? []) {
            notes.push(
                `${namespace}/${u.name} holds registry tokens for ${u.unknownDomains.join(", ")}, which has no icr.io ` +
                    `counterpart; it is left as it is.`,
            );
        }
        if (migration !== undefined || records.length > 0) {
            const needed = tableOrder([
                ...(migration !== undefined ? (survey1?.tokenSecrets ?? []).flatMap((t) => t.regions) : []),
                ...recordedRegions(records),
            ]);
            const tokenNames = [
                ...new Set([
                    ...(migration?.tokenSecrets.map((t) => t.name) ?? []),
                    ...records.flatMap((r) => Object.keys(r.migrated)),
                ]),
            ].sort();
            if (given.identity !== undefined) {
                const scope = settings.sharedIdentities?.[given.identity] ?? {};
                const { added } = coveringAccess(scope, needed);
                if (added.length > 0) {
                    problems.push(
                        `${field}.identity: the shared identity "${given.identity}" does not cover ${added.join(", ")}, ` +
                            `which the registry-token secrets ${tokenNames.map((t) => `"${t}"`).join(", ")} ` +
                            `served; add ${added.join(", ")} to sharedIdentities.${given.identity}.regions (global: includeGlobal).`,
                    );
                }
            } else {
                const covered = coveringAccess(given, needed);
                access = covered.access;
                if (covered.added.length > 0) {
                    notes.push(
                        `${field}: added ${covered.added.join(", ")} to cover what its registry-token secrets served.`,
                    );
                }
            }
            const accounts = [
                ...new Set([
                    ...(given.serviceAccounts ?? ["default"]),
                    ...(migration?.serviceAccounts.map((s) => s.name) ?? []),
                    ...records.map((r) => r.name),
                ]),
            ];
            if (accounts.join("\n") !== (given.serviceAccounts ?? ["default"]).join("\n"))
                access = { ...access, serviceAccounts: accounts };
            if (migration === undefined) {
                notes.push(
                    `${field}: keeps the API-key pull secrets that replaced the registry tokens ` +
                        `${tokenNames.map((t) => `"${t}"`).join(", ")} on ${records.map((r) => `${namespace}/${r.name}`).join(", ")} ` +
                        `(recorded there by this stack's migration; the migration itself is off or no longer covers it).`,
                );
            }
        }
        plans.push({ namespace, access, source, ...(migration ? { migration } : {}), notes });
    }
    return { plans, problems };
}
