// Warnings about the Kubernetes provider a pull-secret component ends up with, and the error
// for an ambient kubeconfig the service-account patch could not use. They use the
// provider the component inherits (Resource.getProvider), so a provider passed to a parent
// counts too.
import * as pulumi from "@pulumi/pulumi";
import { blameSetting, kubeconfigSourceNames, loadKubeconfig } from "../clients/kube/config_sources";
import { KubeconfigError } from "../clients/kube/config";
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
 *   ~/.kube/config) is one it cannot use, such as a kubernetes:context it does not define:
 *   an error (thrown) at preview, naming the setting, rather than a warning and a failed `up`.
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
        // An error, not a warning: the patch would fail at `up` with the same kubeconfig.
        const problem = kubeconfigSettingProblem({
            context: typeof args.context === "string" ? args.context : undefined,
        });
        if (problem !== undefined)
            throw new pulumi.ResourceError(`${type} "${name}": ${problem}`, component, true);
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

/** A kubeconfig and context as a program has them, and the settings it read them from. */
export interface KubeconfigSettings {
    /** Kubeconfig text, when the program has it as a plain value; else the ambient kubeconfig is read. */
    readonly kubeconfig?: string;
    /** The setting `kubeconfig` came from, e.g. `icr-access:kubeconfig`. */
    readonly kubeconfigSetting?: string;
    /**
     * The context to use. Empty or absent: `kubernetes:context` (with the ambient kubeconfig),
     * else the kubeconfig's current-context.
     */
    readonly context?: string;
    /** The setting `context` came from, e.g. `icr-access:context`. */
    readonly contextSetting?: string;
}

/**
 * Why the kubeconfig the service-account patch will use cannot be used (a context it does not
 * define, a relative path in kubeconfig text, a socks5 proxy-url, an unknown auth-provider,
 * ...), led by the setting to change; or undefined. The sources and their order are the
 * patch's: `kubeconfig`, else kubernetes:kubeconfig, else KUBECONFIG, else ~/.kube/config, with
 * `context`, else kubernetes:context (for an ambient kubeconfig). "None found" is not reported
 * here: in-cluster runs have none, and the patch's `check` says so at preview where it applies.
 * KubeconfigError messages never quote the kubeconfig.
 * @internal
 */
export function kubeconfigSettingProblem(settings: KubeconfigSettings): string | undefined {
    const k8s = new pulumi.Config("kubernetes");
    const source = {
        kubeconfig: settings.kubeconfig,
        stackKubeconfig: k8s.get("kubeconfig"),
        context: settings.context === "" ? undefined : settings.context,
        stackContext: k8s.get("context"),
    };
    try {
        loadKubeconfig(source);
        return undefined;
    } catch (err) {
        if (!(err instanceof KubeconfigError) || err.message.startsWith("no kubeconfig found"))
            return undefined;
        const names = kubeconfigSourceNames(source, {
            kubeconfig: settings.kubeconfigSetting,
            context: settings.contextSetting,
        });
        return blameSetting(err.message, names);
    }
}

function secretsMutable(): boolean {
    const fromConfig = new pulumi.Config("kubernetes").get("enableSecretMutable");
    const value = fromConfig ?? process.env.PULUMI_K8S_ENABLE_SECRET_MUTABLE;
    return value !== undefined && value.toLowerCase() === "true";
}
