// The settings of ClusterRegistryAccess, as types: what each namespace and identity may pull,
// the component's arguments and what it returns per namespace. A leaf: it imports types only,
// so that the component (./clusterRegistryAccess.ts), its planning
// (./clusterRegistryAccessPlan.ts, ./coverage/namespacePlan.ts) and its checks
// (./clusterRegistryAccessProblems.ts) all read it without importing one another.
import type * as pulumi from "@pulumi/pulumi";
import type { IamCredentialsArgs } from "./iam/credentials";
import type { LeakAction } from "./iam/apiKey";
import type { Role } from "./shared/iam/policyModel";
import type { IamAccountLimits } from "./shared/iam/accountLimits";
import type { PullSecretLayout } from "./k8s/namespacePullSecrets";
import type { RegistryEndpoints } from "./shared/registry/registryDomains";
import type { NamespaceImagePolicy } from "./portieris/namespaceImagePolicy";
import type { MigrateTokenSecretsOptions } from "./migration/migrationSettings";
import type { NamespaceSelector } from "./coverage/namespaceSelector";

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

/** Options of {@link ClusterRegistryAccessArgs.accessGroups}. */
export interface AccessGroupsOptions {
    /**
     * The start of the shared groups' names, `<prefix>-<role>-<locations>-<registry namespace>`
     * (e.g. `icr-reader-eu-de_global-shop`): letters, digits, `-` and `_`, at most 40 characters.
     * Stacks that should share groups use the same prefix; a different prefix gives separate groups.
     * @default "icr"
     */
    readonly namePrefix?: string;
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
     * Put the Container Registry policies on IAM access groups, one per access scope (role,
     * regions, registry namespace), and make the stack's service IDs members, instead of giving
     * each service ID policies of its own. Policies then grow with the scopes in use, not with
     * namespaces or clusters (IAM allows 4,020 policies per account). Stacks in one account with
     * the same scope share the group by its name, `<namePrefix>-<role>-<locations>-<registry namespace>`;
     * each adds and removes only its own service IDs, and the last to leave deletes the group and
     * its policies. A group of that name that this library did not make for the scope (it carries
     * no shared-group mark in its description) is refused at preview; nothing is created.
     * `true` for the default prefix `icr`, or `{ namePrefix }`. Turning it on or off moves the
     * access in one `up`: the new grant is made before the old one is removed.
     * @default false - one policy per service ID and region
     */
    readonly accessGroups?: boolean | AccessGroupsOptions;
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
    /**
     * The account's IAM limits, where they differ from IBM's defaults (3,000 service IDs and
     * 4,020 policies per account, 1,000 policies per subject; API keys per identity as IAM
     * reports it), e.g. after IBM raised one; or `false` to skip the check. Every preview and up
     * lists the account's service IDs and policies and counts what this stack would add: over a
     * limit, it fails before anything is created, with the numbers and the way out; from 90% of
     * one, it warns.
     * @default - IBM's defaults
     */
    readonly iamLimits?: Partial<IamAccountLimits> | false;
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

/** What one namespace got, resolved. */
export interface CoveredNamespace {
    /** The pull secrets' names, for a pod's `imagePullSecrets`. */
    readonly secretNames: string[];
    /** The id of the service ID the namespace pulls as. */
    readonly serviceId: string;
    /** The service accounts that list the secrets. */
    readonly serviceAccounts: string[];
}
