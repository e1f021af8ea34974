// ClusterRegistryAccess's namespaces when they depend on the live cluster (a selector, the
// token migration, the image report, or, with `migrateTokenSecrets: false`, what an earlier
// migration of this stack recorded): survey, plan, then declare each namespace with the
// component's own `cover`, and a TokenSecretMigration after the patches that list the
// replacements. The children are declared when the survey answers, in preview as in up; the
// outputs returned here hold the run open until they are.
import * as pulumi from "@pulumi/pulumi";
import type {
    CoveredNamespace,
    NamespaceAccess,
    NamespaceAccessOutputs,
    RegistryAccess,
} from "../clusterRegistryAccess";
import { joinProblems } from "../internal/k8sNames";
import {
    DEFAULT_COMBINED_SECRET_NAME,
    NamespacePullSecrets,
    planPullSecrets,
    PullSecretLayout,
} from "../k8s/namespacePullSecrets";
import { RegistryDomainError, resolveRegistryDomains } from "../shared/registry/registryDomains";
import type { NamespaceSelector } from "../coverage/namespaceSelector";
import { imageReport, ImageReportRow } from "../coverage/imageReport";
import { surveyLiveCluster } from "../coverage/liveSurvey";
import { MigrateTokenSecretsOptions, planNamespaces } from "../coverage/namespacePlan";
import { migrationOwnerMark, TokenSecretMigration } from "./tokenSecretMigration";

/** What the component hands over. */
export interface LiveCoverageRequest {
    readonly settings: {
        readonly namespaces: Readonly<Record<string, NamespaceAccess>>;
        readonly sharedIdentities?: Readonly<Record<string, RegistryAccess>>;
        readonly namespaceSelector?: NamespaceSelector<NamespaceAccess>;
        readonly migrateTokenSecrets?: MigrateTokenSecretsOptions;
        readonly layout?: PullSecretLayout;
    };
    readonly kubeconfig?: pulumi.Input<string>;
    readonly context?: string;
    readonly reportImages: boolean;
    /** Declares one namespace's identity, secrets and patches (the component's own code). */
    readonly cover: (namespace: string, access: NamespaceAccess) => NamespacePullSecrets;
    /** Filled by `cover`. */
    readonly covered: Record<string, NamespaceAccessOutputs>;
    /** The component's identities' service IDs, once declared. */
    readonly serviceIds: () => pulumi.Output<Record<string, string>>;
}

/** What the component exposes. */
export interface LiveCoverage {
    readonly namespaces: pulumi.Output<Record<string, CoveredNamespace>>;
    readonly serviceIds: pulumi.Output<Record<string, string>>;
    readonly imageReport: pulumi.Output<ImageReportRow[]>;
}

/** The secret names and domains `cover` will write for this access (as NamespacePullSecrets plans them). */
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

/** Surveys the cluster and declares its namespaces; see the file comment. */
export function liveCoverage(
    parent: pulumi.ComponentResource,
    name: string,
    req: LiveCoverageRequest,
): LiveCoverage {
    const { settings } = req;
    const migrate = settings.migrateTokenSecrets;
    // This stack's migration records are read on every run, so that what a migration replaced
    // stays declared after the migration is turned off (./namespacePlan.ts).
    const owner = migrationOwnerMark();
    const survey = surveyLiveCluster(
        parent,
        { kubeconfig: req.kubeconfig, context: req.context },
        {
            explicit: Object.keys(settings.namespaces),
            selector: settings.namespaceSelector,
            migrate: migrate !== undefined,
            kubeSystem: migrate?.kubeSystem ?? false,
            images: req.reportImages,
            owner,
        },
        settings.namespaceSelector === undefined && migrate === undefined && !req.reportImages,
    );
    const declared = survey.apply((s) => {
        const { plans, problems } = planNamespaces(settings, s);
        if (problems.length > 0) throw new pulumi.ResourceError(joinProblems(problems), parent);
        const rows: ImageReportRow[] = [];
        for (const plan of plans) {
            for (const note of plan.notes) pulumi.log.info(note, parent);
            const scope =
                plan.access.identity === undefined
                    ? plan.access
                    : (settings.sharedIdentities?.[plan.access.identity] ?? {});
            const planned = plannedSecrets(plan.namespace, plan.access, scope, settings.layout);
            const secrets = req.cover(plan.namespace, plan.access);
            if (plan.migration !== undefined) {
                new TokenSecretMigration(
                    `${name}-${plan.namespace}-token-migration`,
                    {
                        namespace: plan.namespace,
                        tokenSecrets: plan.migration.tokenSecrets,
                        serviceAccounts: plan.migration.serviceAccounts.map((sa) => ({
                            ...sa,
                            replacements: planned.names,
                        })),
                        deleteSecrets: plan.migration.deleteSecrets,
                        kubeconfig: req.kubeconfig,
                        context: req.context,
                        owner,
                    },
                    // After the secrets are written and the service accounts list them.
                    { parent, dependsOn: [secrets] },
                );
            }
            const ns = s.namespaces[plan.namespace];
            if (
                req.reportImages &&
                ns !== undefined &&
                plan.source !== "migration" &&
                plan.source !== "recorded"
            ) {
                const hosts = [...planned.hosts, ...ns.pullSecretHosts];
                rows.push(...imageReport(ns.containers, () => hosts));
            }
        }
        return pulumi.output({ namespaces: req.covered, serviceIds: req.serviceIds(), rows });
    });
    return {
        namespaces: declared.apply((d) => d.namespaces as Record<string, CoveredNamespace>),
        serviceIds: declared.apply((d) => d.serviceIds),
        imageReport: declared.apply((d) => d.rows),
    };
}
