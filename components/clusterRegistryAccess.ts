// ClusterRegistryAccess: the whole runbook for one cluster, read top-down as IBM's docs
// have it done by hand (https://cloud.ibm.com/docs/containers?topic=containers-registry). For each Kubernetes namespace: an IAM service ID, its Container
// Registry policy and an API key (in the registry's account), then image pull secrets
// for the chosen icr.io domains, then the namespace's service accounts patched to use
// them. One stack per cluster: the repository's own Pulumi.yaml drives this from config.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type {
    ClusterRegistryAccessArgs,
    CoveredNamespace,
    NamespaceAccess,
    NamespaceAccessOutputs,
    RegistryAccess,
} from "./clusterRegistryAccessArgs";
import { planCoverage, plannedAccess } from "./clusterRegistryAccessPlan";
import { clusterRegistryAccessProblems } from "./clusterRegistryAccessProblems";
import { NamespaceIdentity } from "./iam/namespaceIdentity";
import {
    ScopedIdentity,
    accessGroupsOptions,
    accessScopeOf,
    declareAccessGroupMemberships,
} from "./iam/sharedAccessGroups";
import { NamespaceRemovalGuard } from "./k8s/namespaceRemovalGuard";
import { NamespacePullSecrets } from "./k8s/namespacePullSecrets";
import { readsAmbientKubeconfig } from "./k8s/providerChecks";
import { joinProblems } from "./shared/k8sNames";
import { declareNamespaceImagePolicies } from "./portieris/namespaceImagePolicy";
import type { ImageReportRow } from "./coverage/imageReport";
import { surveyLiveCluster } from "./coverage/liveSurvey";
import { migrationOptions } from "./migration/migrationSettings";
import { migrationOwnerMark, TokenSecretMigration } from "./migration/tokenSecretMigration";
import { clusterSettingProblems } from "./stackSettings";
import { checkAccountLimitsLater, checkAccountLimitsNow } from "./iam/accountLimitsCheck";

/**
 * Lets a cluster's namespaces pull from IBM Cloud Container Registry: per namespace (or
 * shared) IAM identity with a Container Registry policy and an API key, image pull secrets
 * for the chosen `icr.io` domains, and service accounts patched to use them.
 */
export class ClusterRegistryAccess extends pulumi.ComponentResource {
    /** Per Kubernetes namespace: secret names, service ID and patched service accounts. */
    public readonly namespaces: Record<string, NamespaceAccessOutputs>;
    /** Per identity (namespace or shared identity name): the service ID's id. */
    public readonly serviceIds: pulumi.Output<Record<string, string>>;
    /** Every namespace covered (named, selected, or added to migrate), with what it got. */
    public readonly coveredNamespaces: pulumi.Output<Record<string, CoveredNamespace>>;
    /** With `reportImages`: the containers still on old domains or without a pull secret. */
    public readonly imageReport: pulumi.Output<ImageReportRow[]>;
    /** Per identity: when IAM stops accepting its API key (`yyyy-MM-ddTHH:mm+0000`), or `"never"`. */
    public readonly keyExpiries: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: ClusterRegistryAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        // {}: the kubeconfig and registry credentials must not reach component state.
        super("icr:index:ClusterRegistryAccess", name, {}, opts);

        // Stack settings too (plain-text credentials, the kubeconfig's context), before any child:
        // the first dynamic resource copies the stack config into state (./stackSettings.ts).
        const problems = [...clusterRegistryAccessProblems(args), ...clusterSettingProblems(args)];
        if (problems.length > 0)
            throw new pulumi.ResourceError(
                `ClusterRegistryAccess ${name}: ${joinProblems(problems)}`,
                this,
                true,
            );

        const kubeconfig = args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig);

        // The namespaces depend on the live cluster when a selector, a migration or the image
        // report asks for it: surveyed, then planned (./clusterRegistryAccessPlan.ts), then
        // declared below once it has been read, in preview as in up. This stack's migration
        // records are read on every run, so that what a migration replaced stays declared after
        // it is turned off (coverage/namespacePlan.ts).
        const migrate = migrationOptions(args.migrateTokenSecrets);
        const surveyed =
            args.namespaceSelector !== undefined ||
            args.migrateTokenSecrets !== undefined ||
            args.reportImages === true;
        const owner = migrationOwnerMark();
        const coverage = surveyed
            ? surveyLiveCluster(
                  this,
                  { kubeconfig, context: args.context },
                  {
                      explicit: Object.keys(args.namespaces),
                      selector: args.namespaceSelector,
                      migrate: migrate !== undefined,
                      kubeSystem: migrate?.kubeSystem ?? false,
                      images: args.reportImages ?? false,
                      owner,
                  },
                  args.namespaceSelector === undefined && migrate === undefined && !args.reportImages,
              ).apply((s) =>
                  planCoverage({ ...args, migrateTokenSecrets: migrate }, s, args.reportImages ?? false),
              )
            : undefined;

        // The IAM account-limit check (./iam/accountLimitsCheck.ts) holds back every identity,
        // the cluster's provider and the surveyed namespaces until it has passed, so that a
        // stack over a limit creates nothing, in `up --skip-preview` too. What is known now (the
        // named namespaces and shared identities) is checked now, so that a refusal comes in
        // seconds; namespaces the survey adds are checked once it has read the cluster.
        const limitOptions = {
            credentials: args.registryCredentials,
            limits: args.iamLimits,
            limitsField: "iamLimits",
            ways:
                "Ways out: let namespaces share one identity (sharedIdentities, and " +
                "namespaces.<ns>.identity), hold policies on shared access groups (accessGroups), " +
                "cover fewer namespaces, or ask IBM to raise the account's limit and set iamLimits to it.",
        };
        const named = plannedAccess(
            args,
            Object.entries(args.namespaces).map(([namespace, access]) => ({
                namespace,
                access,
                field: `namespaces.${namespace}`,
            })),
        );
        const checkedNow = checkAccountLimitsNow(this, named, limitOptions);
        const limitsChecked: pulumi.Output<void> =
            coverage === undefined
                ? checkedNow
                    ? pulumi.output(undefined)
                    : checkAccountLimitsLater(this, named, limitOptions)
                : coverage.apply(({ plan, problems }) => {
                      // Problems fail the run where the namespaces are declared.
                      if (problems.length > 0) return pulumi.output(undefined);
                      const all = plannedAccess(
                          args,
                          plan.namespaces.map((p) => ({
                              namespace: p.namespace,
                              access: p.access,
                              field:
                                  p.source === "selected"
                                      ? `namespaceSelector (namespace ${p.namespace})`
                                      : `namespaces.${p.namespace}`,
                          })),
                      );
                      const checked = new Set([
                          ...named.identities.map((p) => p.serviceIdName),
                          ...named.groups.map((g) => g.name),
                      ]);
                      return checkedNow &&
                          all.identities.every((p) => checked.has(p.serviceIdName)) &&
                          all.groups.every((g) => checked.has(g.name))
                          ? pulumi.output(undefined)
                          : checkAccountLimitsLater(this, all, limitOptions);
                  });
        const afterLimits = limitsChecked.apply((): pulumi.Resource[] => []);
        // The stack's own Kubernetes provider, so that the secrets and the service-account
        // patches reach the same cluster, and so that Secret data can change in place: without
        // enableSecretMutable, pulumi-kubernetes replaces a Secret whose data changes, and a
        // replace of a fixed name is delete-then-create, a window in which pods cannot pull
        // (pulumi-kubernetes#2291).
        //
        // Without a kubeconfig, the service-account patches read kubernetes:kubeconfig and
        // kubernetes:context, then KUBECONFIG, as the default Kubernetes provider does; but an
        // explicit provider reads no stack settings. Hand it the same ones, so that secrets
        // and patches reach the same cluster (the patches still read them themselves, since
        // the setting may be a path, which only providers accept as `kubeconfig`).
        const stackKubernetes = new pulumi.Config("kubernetes");
        const cluster = new k8s.Provider(
            `${name}-cluster`,
            {
                kubeconfig: kubeconfig ?? stackKubernetes.getSecret("kubeconfig"),
                context:
                    args.context ?? (kubeconfig === undefined ? stackKubernetes.get("context") : undefined),
                enableSecretMutable: true,
            },
            { parent: this, dependsOn: afterLimits },
        );
        if (kubeconfig === undefined) readsAmbientKubeconfig(cluster);
        // With `accessGroups`, the Container Registry policies are on one shared access group per
        // access scope and the identities are its members (iam/sharedAccessGroups.ts), declared
        // once every identity is; the pull secrets wait for them, as they wait for the policies.
        const groups = accessGroupsOptions(args.accessGroups);
        const scoped: ScopedIdentity[] = [];
        let membershipsDeclared: (declared: pulumi.Resource[]) => void = () => undefined;
        const memberships = new Promise<pulumi.Resource[]>((resolve) => (membershipsDeclared = resolve));
        const declareMemberships = (): void =>
            membershipsDeclared(
                groups === undefined
                    ? []
                    : declareAccessGroupMemberships(this, name, groups, scoped, args.registryCredentials),
            );
        const k8sOpts: pulumi.ComponentResourceOptions = {
            parent: this,
            providers: [cluster],
            ...(groups === undefined ? {} : { dependsOn: memberships }),
        };

        // 1-3. Identities: service ID, policy, key. Shared ones first, then one per namespace.
        const identities: Record<string, NamespaceIdentity> = {};
        const identity = (identityName: string, access: RegistryAccess): NamespaceIdentity => {
            const made = new NamespaceIdentity(
                `${name}-${identityName}`,
                {
                    cluster: args.cluster,
                    namespace: identityName,
                    role: access.role,
                    regions: access.regions,
                    includeGlobal: access.includeGlobal,
                    registryNamespace: access.registryNamespace,
                    credentials: args.registryCredentials,
                    rotation: args.rotation,
                    keyLifetime: access.keyLifetime ?? args.keyLifetime,
                    renewBefore: access.renewBefore ?? args.renewBefore,
                    actionWhenLeaked: args.actionWhenLeaked,
                    adoptExistingPolicies: args.adoptExistingPolicies,
                    accessPolicies: groups === undefined ? undefined : false,
                },
                { parent: this, dependsOn: afterLimits },
            );
            scoped.push({ identity: made, scope: accessScopeOf(access) });
            return made;
        };
        for (const [shared, access] of Object.entries(args.sharedIdentities ?? {})) {
            identities[shared] = identity(shared, access);
        }

        // 4-5. Per namespace: pull secrets for the identity's key, service accounts patched.
        const covered: Record<string, NamespaceAccessOutputs> = {};
        const pullSecretsOf: Record<string, NamespacePullSecrets> = {};
        const cover = (namespace: string, access: NamespaceAccess): NamespacePullSecrets => {
            const scope = access.identity === undefined ? access : args.sharedIdentities![access.identity];
            const id =
                access.identity === undefined
                    ? (identities[namespace] = identity(namespace, access))
                    : identities[access.identity];
            const secrets = new NamespacePullSecrets(
                `${name}-${namespace}`,
                {
                    namespace,
                    apiKey: id.apiKey,
                    regions: scope.regions,
                    includeGlobal: scope.includeGlobal,
                    endpoints: access.endpoints,
                    layout: access.layout ?? args.layout,
                    secretName: access.secretName,
                    createNamespace: access.createNamespace,
                    deleteNamespaceContents: args.deleteNamespaceContents,
                    serviceAccounts: access.serviceAccounts,
                    kubeconfig,
                    context: args.context,
                    argumentPath: `namespaces.${namespace}`,
                },
                k8sOpts,
            );
            covered[namespace] = {
                secretNames: secrets.secretNames,
                serviceId: id.serviceIdId,
                serviceAccounts: secrets.serviceAccounts,
            };
            pullSecretsOf[namespace] = secrets;
            return secrets;
        };
        const serviceIdsOf = (): pulumi.Output<Record<string, string>> =>
            pulumi
                .all(
                    Object.entries(identities).map(([k, v]) => v.serviceIdId.apply((id) => [k, id] as const)),
                )
                .apply((pairs) => Object.fromEntries(pairs));

        // `migrateTokenSecrets: false` still reads the cluster: for the replacements that an
        // earlier migration of this stack recorded, which stay declared (coverage/namespacePlan.ts).
        if (coverage === undefined) {
            for (const [namespace, access] of Object.entries(args.namespaces)) cover(namespace, access);
            declareMemberships();
            this.namespaces = covered;
            this.serviceIds = serviceIdsOf();
            this.coveredNamespaces = pulumi.output(covered) as pulumi.Output<
                Record<string, CoveredNamespace>
            >;
            this.imageReport = pulumi.output([]);
        } else {
            // The outputs hold the run open until the surveyed namespaces are declared.
            const declared = pulumi.all([coverage, limitsChecked]).apply(([{ plan, problems }]) => {
                if (problems.length > 0) throw new pulumi.ResourceError(joinProblems(problems), this, true);
                for (const planned of plan.namespaces) {
                    for (const note of planned.notes) pulumi.log.info(note, this);
                    const secrets = cover(planned.namespace, planned.access);
                    if (planned.migration !== undefined) {
                        new TokenSecretMigration(
                            `${name}-${planned.namespace}-token-migration`,
                            {
                                namespace: planned.namespace,
                                tokenSecrets: planned.migration.tokenSecrets,
                                serviceAccounts: planned.migration.serviceAccounts,
                                deleteSecrets: planned.migration.deleteSecrets,
                                kubeconfig,
                                context: args.context,
                                owner,
                            },
                            // After the secrets are written and the service accounts list them.
                            { parent: this, dependsOn: [secrets] },
                        );
                    }
                }
                declareMemberships();
                return pulumi.output({
                    namespaces: covered,
                    serviceIds: serviceIdsOf(),
                    rows: plan.imageReport,
                });
            });
            const live = {
                namespaces: declared.apply((d) => d.namespaces as Record<string, CoveredNamespace>),
                serviceIds: declared.apply((d) => d.serviceIds),
                imageReport: declared.apply((d) => d.rows),
            };
            this.namespaces = Object.fromEntries(
                Object.keys(args.namespaces).map((ns) => [
                    ns,
                    {
                        secretNames: live.namespaces.apply((n) => n[ns].secretNames),
                        serviceId: live.namespaces.apply((n) => n[ns].serviceId),
                        serviceAccounts: live.namespaces.apply((n) => n[ns].serviceAccounts),
                    },
                ]),
            );
            this.serviceIds = live.serviceIds;
            this.coveredNamespaces = live.namespaces;
            this.imageReport = live.imageReport;
        }
        // Every identity exists once the service ids are known (the live branch declares them late).
        this.keyExpiries = this.serviceIds.apply(() =>
            pulumi
                .all(
                    Object.entries(identities).map(([k, v]) =>
                        v.apiKeyExpiresAt.apply((at) => [k, at ?? "never"] as const),
                    ),
                )
                .apply((pairs) => Object.fromEntries(pairs)),
        );
        // Trusted content: each namespace's image policy, following its registry access.
        declareNamespaceImagePolicies(
            this,
            name,
            args.namespaces,
            args.sharedIdentities,
            { kubeconfig, context: args.context },
            k8sOpts,
            (namespace) => (pullSecretsOf[namespace] !== undefined ? [pullSecretsOf[namespace]] : []),
        );
        // The namespaces this stack creates, recorded, so that one that stops being asked for is
        // never deleted with things in it that are not the stack's (k8s/namespaceRemovalGuard.ts).
        const created = Object.entries(args.namespaces)
            .filter(([, access]) => access.createNamespace === true)
            .map(([ns]) => ns);
        new NamespaceRemovalGuard(
            `${name}-created-namespaces`,
            {
                namespaces: Object.fromEntries(
                    created.map((ns) => [ns, { field: `namespaces.${ns}.createNamespace` }]),
                ),
                ours: this.coveredNamespaces.apply((covered) =>
                    Object.fromEntries(
                        created.map((ns) => [ns, (covered[ns]?.secretNames ?? []).map((n) => `Secret/${n}`)]),
                    ),
                ),
                deleteContents: args.deleteNamespaceContents,
                deleteContentsField: "deleteNamespaceContents",
                kubeconfig,
                context: args.context,
            },
            {
                parent: this,
                dependsOn: this.coveredNamespaces.apply(() =>
                    created.flatMap((ns) => (pullSecretsOf[ns] !== undefined ? [pullSecretsOf[ns]] : [])),
                ),
            },
        );
        this.registerOutputs({
            namespaces: this.namespaces,
            serviceIds: this.serviceIds,
            coveredNamespaces: this.coveredNamespaces,
            imageReport: this.imageReport,
            keyExpiries: this.keyExpiries,
        });
    }
}
