// The per-cluster stack: one stack = one cluster, configured in Pulumi.<cluster>.yaml.
//
//   icr-access:cluster            the cluster's name (IAM names <cluster>-<namespace>-id, -key)
//   icr-access:namespaces         { <namespace>: { regions, role, registryNamespace, ... } }
//   icr-access:sharedIdentities   { <identity>: { regions, role, registryNamespace } } (optional)
//   icr-access:kubeconfig         the cluster's kubeconfig (secret; default: KUBECONFIG)
//   icr-access:context            its context (default: its current-context; with KUBECONFIG,
//                                 kubernetes:context)
//   icr-access:registryApiKey     API key of the registry's account, when it is another account
//                                 than ibmcloud:apiKey's (secret; optional)
//   icr-access:namespaceSelector  { matchLabels, matchExpressions, exclude, access }: namespaces
//                                 covered by label, resolved against the cluster on every run
//   icr-access:migrateTokenSecrets  true, or { kubeSystem, deleteSecrets }: replace registry-token
//                                 pull secrets (clusters before 2019-02-25) with API-key ones
//   icr-access:imageReport        true: the imageReport output (workloads on old domains)
//   icr-access:adoptExistingPolicies  true: take over an identical Container Registry policy that
//                                 this stack did not make, instead of refusing it
//   icr-access:accessGroups       true, or { namePrefix }: Container Registry policies on IAM access
//                                 groups shared by scope, the service IDs their members (default false)
//   icr-access:deleteNamespaceContents  true: let a namespace the stack created be deleted with
//                                 objects in it that are not the stack's (default: refused)
//   icr-access:keyLifetime        e.g. 90d (also 12h, 2w): every API key expires that long after it is
//                                 made, and is renewed before then (default: keys never expire)
//   icr-access:renewBefore        how long before its expiry a key is renewed (default: a third of
//                                 the lifetime)
//   icr-access:actionWhenLeaked   none, disable or delete: what IAM does with a leaked key (default disable)
//   icr-access:iamLimits          { serviceIdsPerAccount, policiesPerAccount, policiesPerSubject,
//                                 apiKeysPerIdentity }: the account's IAM limits where IBM raised
//                                 them, or false to skip the check (default: IBM's defaults)
//   ibmcloud:apiKey               IAM API key (secret), or IBMCLOUD_API_KEY
import * as pulumi from "@pulumi/pulumi";
import {
    AccessGroupsOptions,
    ClusterRegistryAccess,
    ClusterRegistryAccessArgs,
    MigrateTokenSecretsOptions,
    NamespaceAccess,
    NamespaceSelector,
    PullSecretLayout,
    refusePlaintextSecrets,
    refuseUnusableKubeconfig,
    RegistryAccess,
} from "pulumi-icr-access";

const config = new pulumi.Config();
// Before anything is declared: a credential set without --secret would be copied into state
// unencrypted by the first dynamic resource, and an unusable kubeconfig or context would only
// fail at `up`, after the IAM identities exist. Both stop the preview, naming the setting.
refusePlaintextSecrets([
    { key: `${config.name}:registryApiKey`, kind: "apiKey" },
    { key: `${config.name}:kubeconfig`, kind: "kubeconfig" },
]);
refuseUnusableKubeconfig({
    kubeconfig: config.get("kubeconfig"),
    kubeconfigSetting: `${config.name}:kubeconfig`,
    context: config.get("context"),
    contextSetting: `${config.name}:context`,
});
const registryApiKey = config.getSecret("registryApiKey");

/** The selector, or undefined for the project default `{}` (no selector). */
function namespaceSelector(): NamespaceSelector<NamespaceAccess> | undefined {
    const selector = config.getObject<NamespaceSelector<NamespaceAccess>>("namespaceSelector");
    return selector === undefined ||
        (typeof selector === "object" && Object.keys(selector ?? {}).length === 0)
        ? undefined
        : selector;
}

const access = new ClusterRegistryAccess(config.require("cluster"), {
    cluster: config.require("cluster"),
    namespaces: config.getObject<Record<string, NamespaceAccess>>("namespaces") ?? {},
    namespaceSelector: namespaceSelector(),
    migrateTokenSecrets: config.getObject<boolean | MigrateTokenSecretsOptions>("migrateTokenSecrets"),
    reportImages: config.getBoolean("imageReport"),
    sharedIdentities: config.getObject<Record<string, RegistryAccess>>("sharedIdentities"),
    kubeconfig: config.getSecret("kubeconfig"),
    context: config.get("context"),
    registryCredentials:
        registryApiKey === undefined
            ? undefined
            : { apiKey: registryApiKey, iamEndpoint: config.get("registryIamEndpoint") },
    layout: config.get<PullSecretLayout>("layout"),
    rotation: config.get("rotation") || undefined,
    keyLifetime: config.get("keyLifetime") || undefined,
    renewBefore: config.get("renewBefore") || undefined,
    actionWhenLeaked:
        config.get<NonNullable<ClusterRegistryAccessArgs["actionWhenLeaked"]>>("actionWhenLeaked") ||
        undefined,
    adoptExistingPolicies: config.getBoolean("adoptExistingPolicies"),
    accessGroups: config.getObject<boolean | AccessGroupsOptions>("accessGroups"),
    deleteNamespaceContents: config.getBoolean("deleteNamespaceContents"),
    iamLimits: config.getObject<ClusterRegistryAccessArgs["iamLimits"]>("iamLimits"),
});

/** Per namespace: the pull secrets' names (for pod specs), the service ID and the patched service accounts. */
export const namespaces = access.coveredNamespaces;
/** Per identity: its service ID. */
export const serviceIds = access.serviceIds;
/** With icr-access:imageReport: containers whose images name registry.*.bluemix.net, or an icr.io domain without a pull secret. */
export const imageReport = access.imageReport;
/** Per identity: when IAM stops accepting its API key, or "never" (icr-access:keyLifetime). */
export const keyExpiries = access.keyExpiries;
