// ServiceAccountPullSecrets: adds image pull secrets to a Kubernetes ServiceAccount without
// taking over its list, as IBM's docs have `kubectl patch serviceaccount default` do
// (https://cloud.ibm.com/docs/containers?topic=containers-registry), done safely. The resource
// class and its arguments; the dynamic provider that reads and writes the account runs in the
// engine's dynamic-provider host process (components/host/k8s/serviceAccountPullSecretsProvider.ts).
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { providerShim } from "../internal/providerShim";
import { withStoredProvider } from "../internal/storedProvider";
import { organizationName } from "../ownership/legacyStackMark";

/** Arguments for {@link ServiceAccountPullSecrets}. */
export interface ServiceAccountPullSecretsArgs {
    /** Namespace of the service account. Changing it replaces the resource. */
    readonly namespace: pulumi.Input<string>;
    /**
     * Service account to add the secrets to. Changing it replaces the resource.
     * @default "default" - the account pods use when they name none
     */
    readonly serviceAccount?: pulumi.Input<string>;
    /**
     * Secret names to add to the account's `imagePullSecrets`. Entries that are already
     * there, and every entry someone else added, are kept.
     */
    readonly secretNames: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Kubeconfig (YAML text) used to reach the API server. Stored in state as a secret,
     * whether or not you wrapped it, and kept so that `destroy` can reach the cluster.
     * @default - read when the dynamic provider runs, in its host process: the `kubernetes:kubeconfig` stack setting,
     * then `KUBECONFIG`, then `~/.kube/config`, then in-cluster credentials, as the
     * Kubernetes provider does
     */
    readonly kubeconfig?: pulumi.Input<string>;
    /**
     * Kubeconfig context to use.
     * @default - the `kubernetes:context` stack setting when the kubeconfig comes from the
     * environment, else the kubeconfig's current-context
     */
    readonly context?: pulumi.Input<string>;
    /**
     * How long create and update wait for a service account that does not exist yet before
     * failing. A new namespace's `default` account is created asynchronously by
     * kube-controller-manager, usually within a second. Any other account should be declared
     * in the program and passed in `dependsOn`.
     * @default 60
     */
    readonly waitTimeoutSeconds?: pulumi.Input<number>;
}

/** Type token of {@link ServiceAccountPullSecrets}, as the engine names it in URNs. */
const RESOURCE_TYPE = "pulumi-nodejs:dynamic/k8s:ServiceAccountPullSecrets";

/**
 * The origin of this resource's claims (rule 7 in components/shared/imagePullSecretList.ts):
 * a hash of organization, project, stack, type and name, the same on every run of the program.
 * Computed from plain values, not from the parent's URN: the library's components name their
 * patches `<component>-sa-<account>`, so two resources with one origin on one account would
 * need two components of the same name under different parents patching the same account.
 */
function claimOriginFor(name: string): string {
    return crypto
        .createHash("sha256")
        .update([organizationName(), pulumi.getProject(), pulumi.getStack(), RESOURCE_TYPE, name].join("\n"))
        .digest("hex")
        .slice(0, 16);
}

// The provider the SDK is handed; state stores the one-line text of withStoredProvider instead
// (../internal/storedProvider.ts), which loads the same implementation.
const serviceAccountPullSecretsProvider = providerShim("ServiceAccountPullSecrets");

/**
 * Adds image pull secrets to a Kubernetes service account, keeping every entry someone
 * else put there, and removes only its own entries on update and destroy.
 *
 * - Safe against concurrent writers: read-modify-write guarded by resourceVersion, retried
 *   on 409 Conflict.
 * - Ownership is recorded per resource in the account's
 *   `pulumi-icr-access/image-pull-secret-claims` annotation, bound to the account's UID, so
 *   two stacks (or a replace) adding the same name never remove each other's entry, a name
 *   that was already on the list before is never removed, an account deleted and re-created
 *   holds none of ours, and a name another field manager holds by server-side apply is given
 *   up (rules in components/shared/imagePullSecretList.ts).
 * - Waits up to `waitTimeoutSeconds` for an account that does not exist yet (a new
 *   namespace's `default` account appears asynchronously), then fails naming it.
 * - `pulumi refresh` reports entries that were removed behind its back; the next `up`
 *   adds them again.
 *
 * The service account only hands its pull secrets to pods created after the change
 * (ServiceAccount admission runs once, at pod creation); existing pods keep theirs.
 * The kubeconfig's user needs `get` and `update` on `serviceaccounts` in the namespace
 * (and `get` on the namespace for a precise error when it is missing).
 * Type: `pulumi-nodejs:dynamic/k8s:ServiceAccountPullSecrets`.
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#add-imagepullsecrets-to-a-service-account
 */
export class ServiceAccountPullSecrets extends pulumi.dynamic.Resource {
    /** Namespace of the service account. */
    declare public readonly namespace: pulumi.Output<string>;
    /** Name of the service account. */
    declare public readonly serviceAccount: pulumi.Output<string>;
    /** The wanted secret names that are on the account (after refresh: only those still there). */
    declare public readonly secretNames: pulumi.Output<string[]>;
    /** The names this resource added or shares, and so removes on destroy. */
    declare public readonly managedNames: pulumi.Output<string[]>;
    /** UID of the service account when last written. */
    declare public readonly serviceAccountUid: pulumi.Output<string>;

    constructor(name: string, args: ServiceAccountPullSecretsArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            serviceAccountPullSecretsProvider,
            name,
            {
                namespace: args.namespace,
                serviceAccount: args.serviceAccount ?? "default",
                secretNames: args.secretNames,
                // Secret in state whether or not the caller wrapped it; the echo under the same
                // key stays secret too (additionalSecretOutputs below makes sure).
                kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
                context: args.context,
                waitTimeoutSeconds: args.waitTimeoutSeconds,
                claimOrigin: claimOriginFor(name),
                claimId: undefined,
                managedNames: undefined,
                serviceAccountUid: undefined,
            },
            withStoredProvider(
                "ServiceAccountPullSecrets",
                pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }),
            ),
            "k8s",
            "ServiceAccountPullSecrets",
        );
    }
}
