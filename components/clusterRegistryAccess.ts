// ClusterRegistryAccess: the whole runbook for one cluster, read top-down as the seed
// does it by hand. For each Kubernetes namespace: an IAM service ID, its Container
// Registry policy and an API key (in the registry's account), then image pull secrets
// for the chosen icr.io domains, then the namespace's service accounts patched to use
// them. One stack per cluster: the repository's own Pulumi.yaml drives this from config.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IamCredentialsArgs } from "./iam/credentials";
import { keyLifetimeProblems, LeakAction } from "./iam/apiKey";
import { NamespaceIdentity } from "./iam/namespaceIdentity";
import { plainCredentialsProblems } from "./iam/plainCredentialsProblems";
import { checkRegistryNamespace, Role, ROLES } from "./iam/policyModel";
import { NamespaceRemovalGuard } from "./k8s/namespaceRemovalGuard";
import { NamespacePullSecrets, PullSecretLayout } from "./k8s/namespacePullSecrets";
import { iksOwnedNameProblems } from "./k8s/iksOwnedNames";
import { readsAmbientKubeconfig } from "./k8s/providerChecks";
import { checkRegionList, RegistryEndpoints } from "./shared/registry/registryDomains";
import { checkNamespaceName, joinProblems } from "./internal/k8sNames";
import { didYouMean } from "./internal/suggest";
import {
    declareNamespaceImagePolicies,
    NamespaceImagePolicy,
    namespaceImagePolicyProblems,
} from "./portieris/namespaceImagePolicy";
import type { ImageReportRow } from "./coverage/imageReport";
import { liveCoverage } from "./migration/liveCoverage";
import {
    migrationOptions,
    migrationSettingProblems,
    MigrateTokenSecretsOptions,
} from "./coverage/namespacePlan";
import { NamespaceSelector, namespaceSelectorProblems } from "./coverage/namespaceSelector";
import { clusterSettingProblems } from "./stackSettings";

/** What an IAM identity may pull (or push): the scope of its Container Registry policy. */
export interface RegistryAccess {
    /**
     * Container Registry service role: `Reader` pulls, `Writer` also pushes.
     * @default "Reader"
     */
    readonly role?: Role;
    /**
     * IAM regions the identity can pull from (`us-south`, `eu-de`, ...; the short `us`, `uk`,
     * ... too). Pull secrets are written for these regions' `icr.io` domains, and one policy is
     * made per region. Name each region once (`[us-south, us]` is an error). An empty list is an
     * error, because it would silently mean "the global icr.io only": omit `regions` for every
     * region, list regions, or write `[]` with `includeGlobal: true` (or `[global]`) for icr.io only.
     * @default - every region: one unscoped policy, and secrets for every domain
     */
    readonly regions?: string[];
    /**
     * Also grant and write credentials for the global registry `icr.io` (IBM-provided images)
     * when `regions` is given. Set to `true` explicitly, it also makes `regions: []` mean
     * "icr.io only".
     * @default true - as IKS does
     */
    readonly includeGlobal?: boolean;
    /**
     * Restrict the access to one Container Registry namespace.
     * @default - every registry namespace of the account
     */
    readonly registryNamespace?: string;
    /**
     * Lifetime of this identity's API key (`"90d"`, `"12h"`, `"2w"`), instead of the stack's `keyLifetime`.
     * @default - the stack's `keyLifetime`
     */
    readonly keyLifetime?: string;
    /**
     * How long before its expiry this identity's key is renewed, instead of the stack's `renewBefore`.
     * @default - the stack's `renewBefore`
     */
    readonly renewBefore?: string;
}

/** Registry access of one Kubernetes namespace. */
export interface NamespaceAccess extends RegistryAccess {
    /**
     * Use the shared identity of this name (from `sharedIdentities`) instead of one of the
     * namespace's own; the identity's scope then applies and this entry's role, regions and
     * registry namespace must be left out.
     * @default - the namespace gets its own identity, `<cluster>-<namespace>-id`
     */
    readonly identity?: string;
    /**
     * Service accounts to patch. `[]` writes the secrets only.
     * @default ["default"]
     */
    readonly serviceAccounts?: string[];
    /**
     * `perDomain` (the runbook's `<namespace>-<region>-icr-io`) or `combined` (one secret).
     * @default - the stack's `layout`
     */
    readonly layout?: PullSecretLayout;
    /**
     * Name of the `combined` secret.
     * @default "all-icr-io"
     */
    readonly secretName?: string;
    /**
     * Public or private (service endpoint) registry domains, or both.
     * @default "public"
     */
    readonly endpoints?: RegistryEndpoints;
    /**
     * Create the Kubernetes namespace too.
     * @default false - it must exist
     */
    readonly createNamespace?: boolean;
    /**
     * A Portieris ImagePolicy for the namespace (`true` for the defaults): it admits the images
     * the namespace can pull (its domains and registry namespace), plus any `repositories`
     * given, previewed against the namespace's running workloads.
     * @default - no image policy
     */
    readonly imagePolicy?: boolean | NamespaceImagePolicy;
}

/** Arguments of {@link ClusterRegistryAccess}. */
export interface ClusterRegistryAccessArgs {
    /** The cluster's name, as in the IAM names `<cluster>-<namespace>-id` and `-key`. */
    readonly cluster: string;
    /** Kubernetes namespaces and what each may pull. Keys are namespace names. */
    readonly namespaces: Record<string, NamespaceAccess>;
    /**
     * Identities several namespaces share (`identity: "<name>"` in a namespace), named
     * `<cluster>-<name>-id`: one service ID, policy and key instead of one per namespace.
     * @default - none
     */
    readonly sharedIdentities?: Record<string, RegistryAccess>;
    /**
     * Kubeconfig of the cluster (YAML). Used for the Kubernetes provider and the
     * service-account patches. Stored as a secret.
     * @default - the ambient kubeconfig (`kubernetes:kubeconfig`, `KUBECONFIG`, `~/.kube/config`)
     */
    readonly kubeconfig?: pulumi.Input<string>;
    /**
     * Kubeconfig context.
     * @default - the kubeconfig's current-context
     */
    readonly context?: string;
    /**
     * IAM credentials of the registry's account, when it is not the account of the stack's
     * `ibmcloud:apiKey` (cross-account). The identities are made in that account.
     * @default - `ibmcloud:apiKey` / `IBMCLOUD_API_KEY`
     */
    readonly registryCredentials?: pulumi.Input<IamCredentialsArgs>;
    /**
     * Secret layout for namespaces that do not choose one.
     * @default "perDomain"
     */
    readonly layout?: PullSecretLayout;
    /**
     * Key rotation trigger for every identity, e.g. `"2026-11"`. A new value makes new keys,
     * updates the secrets in place, then deletes the old keys.
     * @default - never rotated
     */
    readonly rotation?: pulumi.Input<string>;
    /**
     * Lifetime of every identity's API key, e.g. `"90d"` (also `"12h"`, `"2w"`): keys are created
     * with IAM's `expires_at` that far ahead, and renewed by `preview`/`up` inside `renewBefore`
     * (new key, secrets updated in place, old key deleted). A shared identity or namespace may
     * set its own `keyLifetime`.
     * @default - keys never expire
     */
    readonly keyLifetime?: string;
    /**
     * How long before its expiry a key is renewed.
     * @default - one third of the key's lifetime
     */
    readonly renewBefore?: string;
    /**
     * What IAM does with a key it finds leaked: `"none"`, `"disable"` or `"delete"`. A disabled or
     * deleted key is replaced by the next `pulumi up --refresh` (or `up` alone, for keys with a lifetime).
     * @default "disable"
     */
    readonly actionWhenLeaked?: LeakAction;
    /**
     * When IAM already has a Container Registry policy for one of the identities' subjects and
     * scopes that this stack did not make (it carries no owner mark of this stack), take it
     * over: its roles and description become ours, and destroy deletes it. Without this, such a
     * policy is refused by name. Policies an earlier, interrupted run of this stack made are
     * always taken back, without this setting (they carry this stack's mark).
     * @default false
     */
    readonly adoptExistingPolicies?: pulumi.Input<boolean>;
    /**
     * Let a namespace this stack created (`createNamespace`) be deleted, when it is no longer
     * asked for or on destroy, even though it holds objects that are not this stack's; they are
     * deleted with it. Without this, `preview` refuses, naming those objects, and nothing is
     * deleted.
     * @default false
     */
    readonly deleteNamespaceContents?: pulumi.Input<boolean>;
    /**
     * Namespaces to cover by label, besides those in `namespaces` (which win), with the access
     * each gets. Resolved against the live cluster every time the program runs, so a namespace
     * labelled since the last run is covered by the next `preview`/`up`, and one that stops
     * matching is cleaned up (our secrets and entries go, everyone else's stay).
     * @default - only the namespaces in `namespaces`
     */
    readonly namespaceSelector?: NamespaceSelector<NamespaceAccess>;
    /**
     * Migrate registry-token pull secrets (clusters made before 2019-02-25): found by content
     * in the managed namespaces (and kube-system with `kubeSystem`), replaced by API-key
     * secrets for the same regions, then taken off the service accounts that list them once
     * ours are listed; deleted only with `deleteSecrets`. What a migration replaced stays:
     * with `false` (or without the namespace in `namespaces`), the accounts it migrated keep
     * their API-key secrets, found by the record the migration wrote on each account. Leaving
     * the argument out reads no cluster and keeps nothing.
     * @default - off, and no records read
     */
    readonly migrateTokenSecrets?: boolean | MigrateTokenSecretsOptions;
    /**
     * List the managed namespaces' workloads whose images still name registry.*.bluemix.net
     * (with the icr.io reference to use), or an icr.io domain the namespace has no pull secret
     * for, as the `imageReport` output. Read-only.
     * @default false
     */
    readonly reportImages?: boolean;
}

/** What one namespace got. */
export interface NamespaceAccessOutputs {
    /** The secrets' names, for a pod's `imagePullSecrets`. */
    readonly secretNames: pulumi.Output<string[]>;
    /** The service ID the namespace pulls as. */
    readonly serviceId: pulumi.Output<string>;
    /** The service accounts that list the secrets. */
    readonly serviceAccounts: pulumi.Output<string[]>;
}

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
            throw new pulumi.ResourceError(`ClusterRegistryAccess ${name}: ${joinProblems(problems)}`, this);

        const kubeconfig = args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig);
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
            { parent: this },
        );
        if (kubeconfig === undefined) readsAmbientKubeconfig(cluster);
        const k8sOpts: pulumi.ComponentResourceOptions = { parent: this, providers: [cluster] };

        // 1-3. Identities: service ID, policy, key. Shared ones first, then one per namespace.
        const identities: Record<string, NamespaceIdentity> = {};
        const identity = (identityName: string, access: RegistryAccess): NamespaceIdentity =>
            new NamespaceIdentity(
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
                },
                { parent: this },
            );
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

        const migrate = migrationOptions(args.migrateTokenSecrets);
        // `migrateTokenSecrets: false` still reads the cluster: for the replacements that an
        // earlier migration of this stack recorded, which stay declared (migration/namespacePlan.ts).
        if (
            args.namespaceSelector === undefined &&
            args.migrateTokenSecrets === undefined &&
            !args.reportImages
        ) {
            for (const [namespace, access] of Object.entries(args.namespaces)) cover(namespace, access);
            this.namespaces = covered;
            this.serviceIds = serviceIdsOf();
            this.coveredNamespaces = pulumi.output(covered) as pulumi.Output<
                Record<string, CoveredNamespace>
            >;
            this.imageReport = pulumi.output([]);
        } else {
            // The namespaces depend on the live cluster: declared once it has been read.
            const live = liveCoverage(this, name, {
                settings: { ...args, migrateTokenSecrets: migrate },
                kubeconfig,
                context: args.context,
                reportImages: args.reportImages ?? false,
                cover,
                covered,
                serviceIds: serviceIdsOf,
            });
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

/** What one namespace got, resolved. */
export interface CoveredNamespace {
    readonly secretNames: string[];
    readonly serviceId: string;
    readonly serviceAccounts: string[];
}

/**
 * Problems with one access scope, a namespace's own or a shared identity's, each under the path
 * the user wrote (`sharedIdentities.frontends.regions[1]`): the same checks for both.
 */
function registryAccessProblems(field: string, access: RegistryAccess): string[] {
    const problems: string[] = [];
    if (access.role !== undefined && !(ROLES as readonly string[]).includes(access.role)) {
        problems.push(
            `${field}.role: unknown role ${JSON.stringify(access.role)}. Container Registry service roles are ` +
                `${ROLES.join(", ")}.${typeof access.role === "string" ? didYouMean(access.role, ROLES) : ""}`,
        );
    }
    const includeGlobal = typeof access.includeGlobal === "boolean" ? access.includeGlobal : undefined;
    if (access.includeGlobal !== undefined && includeGlobal === undefined) {
        problems.push(
            `${field}.includeGlobal: must be true or false; got ${JSON.stringify(access.includeGlobal)}.`,
        );
    }
    problems.push(...checkRegionList(`${field}.regions`, access.regions, includeGlobal));
    for (const f of checkRegistryNamespace(
        `${field}.registryNamespace`,
        access.registryNamespace,
        () => false,
    )) {
        problems.push(`${f.property}: ${f.reason}`);
    }
    problems.push(...keyLifetimeProblems(`${field}.`, access));
    return problems;
}

/** Every problem with the plain arguments, before any child exists. @internal */
export function clusterRegistryAccessProblems(args: ClusterRegistryAccessArgs): string[] {
    const problems: string[] = [];
    if (typeof args.cluster !== "string" || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(args.cluster)) {
        problems.push(
            `cluster: ${JSON.stringify(args.cluster)} is not a usable cluster name; use lowercase letters, digits ` +
                `and "-" (it becomes part of the IAM names "<cluster>-<namespace>-id").`,
        );
    }
    const namespaces = Object.entries(args.namespaces ?? {});
    if (args.namespaceSelector !== undefined) {
        problems.push(...namespaceSelectorProblems("namespaceSelector", args.namespaceSelector));
        const access = args.namespaceSelector?.access;
        if (access !== undefined && access.identity === undefined) {
            problems.push(...registryAccessProblems("namespaceSelector.access", access));
        } else if (
            access?.identity !== undefined &&
            !Object.keys(args.sharedIdentities ?? {}).includes(access.identity)
        ) {
            problems.push(
                `namespaceSelector.access.identity: no shared identity "${access.identity}"; define it under sharedIdentities.`,
            );
        }
    }
    problems.push(...migrationSettingProblems("migrateTokenSecrets", args.migrateTokenSecrets));
    problems.push(...keyLifetimeProblems("", args));
    if (namespaces.length === 0 && args.namespaceSelector === undefined) {
        problems.push(
            `namespaces: give at least one Kubernetes namespace, e.g. { default: {} }, or a namespaceSelector.`,
        );
    }
    const shared = Object.keys(args.sharedIdentities ?? {});
    for (const [name, access] of Object.entries(args.sharedIdentities ?? {})) {
        const field = `sharedIdentities.${name}`;
        const p = checkNamespaceName(field, name);
        if (p) problems.push(p);
        if (args.namespaces?.[name] !== undefined && args.namespaces[name].identity === undefined) {
            problems.push(
                `${field}: namespace "${name}" has its own identity with the same IAM names ` +
                    `("${args.cluster}-${name}-id"); rename the shared identity.`,
            );
        }
        problems.push(...registryAccessProblems(field, access ?? {}));
    }
    for (const [namespace, access] of namespaces) {
        const field = `namespaces.${namespace}`;
        const p = checkNamespaceName(field, namespace);
        if (p) problems.push(p);
        if (access.identity !== undefined) {
            if (!shared.includes(access.identity)) {
                problems.push(
                    `${field}.identity: no shared identity "${access.identity}". ` +
                        (shared.length > 0
                            ? `Defined: ${shared.join(", ")}.${didYouMean(access.identity, shared)}`
                            : `Define it under sharedIdentities, or remove "identity".`),
                );
            }
            for (const key of ["role", "regions", "registryNamespace", "includeGlobal"] as const) {
                if (access[key] !== undefined) {
                    problems.push(
                        `${field}.${key}: set on the shared identity "${access.identity}", not on a namespace that uses it.`,
                    );
                }
            }
        } else {
            problems.push(...registryAccessProblems(field, access));
        }
        // IKS's own pull secrets and built-in namespaces are never this stack's (k8s/iksOwnedNames.ts).
        problems.push(
            ...iksOwnedNameProblems(field, {
                namespace,
                layout: access.layout ?? args.layout,
                secretName: access.secretName,
                createNamespace: access.createNamespace,
            }),
        );
    }
    // Checked here too (the IAM resources check it again) so that the message names the argument
    // the user wrote; the reasons never show a value, since the argument is a secret.
    problems.push(...plainCredentialsProblems("registryCredentials", args.registryCredentials));
    problems.push(...namespaceImagePolicyProblems(args.namespaces ?? {}, args.sharedIdentities));
    return problems;
}
