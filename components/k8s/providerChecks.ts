// Warnings about the Kubernetes provider a pull-secret component ends up with. They use the
// provider the component inherits (Resource.getProvider), so a provider passed to a parent
// counts too.
import * as pulumi from "@pulumi/pulumi";
import { KubeconfigError, loadKubeconfig } from "./kubeClient";
import { ServiceAccountOptions } from "./serviceAccountOptions";

const SECRET_TYPE = "kubernetes:core/v1:Secret";

/** Providers known to reach the cluster the service-account patch finds by itself. */
const ambientProviders = new WeakSet<pulumi.ProviderResource>();

/**
 * Records that `provider` was given no kubeconfig but the stack's `kubernetes:kubeconfig` and
 * `kubernetes:context` (else it reads KUBECONFIG), the settings the service-account patch reads
 * when it has no `kubeconfig`: both reach the same cluster, so no warning is due.
 * @internal
 */
export function readsAmbientKubeconfig(provider: pulumi.ProviderResource): void {
    ambientProviders.add(provider);
}

/**
 * Warns about the two ways a pull-secret component can silently misbehave because of the
 * Kubernetes provider:
 *
 * - An explicit provider but no `kubeconfig`: the service-account patch reads
 *   kubernetes:kubeconfig / KUBECONFIG, which may be another cluster than the secrets'.
 * - No `kubeconfig`, and the one the patch will read (kubernetes:kubeconfig, KUBECONFIG,
 *   ~/.kube/config) is one it cannot use: said at preview rather than at the first write.
 * - The default provider without `enableSecretMutable`: pulumi-kubernetes then *replaces* a
 *   Secret whose data changes (pulumi-kubernetes#2291, PR #3164), and a Secret with a fixed
 *   name is deleted before it is re-created, so a key rotation leaves a window without the
 *   pull secret. With the flag, rotation is an in-place update. (An explicit provider's
 *   settings cannot be read from here; its JSDoc says to set the flag.)
 * @internal
 */
export function warnAboutKubernetesProvider(
    component: pulumi.ComponentResource,
    name: string,
    type: string,
    args: ServiceAccountOptions,
    patchesServiceAccounts: boolean,
): void {
    const provider = component.getProvider(SECRET_TYPE);
    const explicit = provider !== undefined;
    if (
        explicit &&
        args.kubeconfig === undefined &&
        patchesServiceAccounts &&
        !ambientProviders.has(provider)
    ) {
        pulumi.log.warn(
            `${type} "${name}": a Kubernetes provider was passed in but "kubeconfig" was not; the service-account ` +
                `patch reads kubernetes:kubeconfig, KUBECONFIG or ~/.kube/config instead, which may be another cluster. ` +
                `Pass the provider's kubeconfig as "kubeconfig", or serviceAccounts: [] to skip the patch.`,
            component,
        );
    }
    if (args.kubeconfig === undefined && patchesServiceAccounts) {
        const problem = ambientKubeconfigProblem(typeof args.context === "string" ? args.context : undefined);
        if (problem !== undefined) {
            pulumi.log.warn(
                `${type} "${name}": the service-account patch reads its kubeconfig from the environment, and ${problem}`,
                component,
            );
        }
    }
    if (!explicit && !secretsMutable()) {
        pulumi.log.warn(
            `${type} "${name}": the Kubernetes provider replaces a Secret when its data changes unless enableSecretMutable ` +
                `is set, and a pull secret with a fixed name is deleted before it is re-created, so pods started in between ` +
                `cannot pull. Run \`pulumi config set kubernetes:enableSecretMutable true\` (or set ` +
                `PULUMI_K8S_ENABLE_SECRET_MUTABLE=true) so that a new key updates the secrets in place.`,
            component,
        );
    }
}

/**
 * Why the kubeconfig the patch will read from the environment cannot be used (a relative path in
 * kubeconfig text, a socks5 proxy-url, an unknown auth-provider, ...), or undefined. "None
 * found" is not reported here: in-cluster runs and programs that set KUBECONFIG later are common,
 * and the patch says so itself. KubeconfigError messages never quote the kubeconfig.
 */
function ambientKubeconfigProblem(context: string | undefined): string | undefined {
    const k8s = new pulumi.Config("kubernetes");
    try {
        loadKubeconfig({ stackKubeconfig: k8s.get("kubeconfig"), context, stackContext: k8s.get("context") });
        return undefined;
    } catch (err) {
        if (!(err instanceof KubeconfigError) || err.message.startsWith("no kubeconfig found"))
            return undefined;
        return err.message;
    }
}

function secretsMutable(): boolean {
    const fromConfig = new pulumi.Config("kubernetes").get("enableSecretMutable");
    const value = fromConfig ?? process.env.PULUMI_K8S_ENABLE_SECRET_MUTABLE;
    return value !== undefined && value.toLowerCase() === "true";
}
