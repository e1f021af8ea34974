// Checks of the stack's own settings that must run while the program runs, before its first
// resource: credentials set without `--secret` (./internal/plaintextConfig.ts says why they
// cannot wait), and the kubeconfig and context the service-account patches will use.
import * as pulumi from "@pulumi/pulumi";
import { plaintextSecretProblems, SecretSettingKind, SettingValue } from "./internal/plaintextConfig";
import { probeClusterSync } from "./k8s/clusterProbe";
import { KubeconfigSource, kubeconfigSourceNames, loadKubeconfig } from "./clients/kube/config_sources";
import { kubeconfigSettingProblem, KubeconfigSettings } from "./k8s/providerChecks";

/** A stack setting that holds a credential. */
export interface SecretSetting {
    /** The full key, e.g. `myproject:registryApiKey`. */
    readonly key: string;
    /** `apiKey` for an IAM API key; `kubeconfig` for kubeconfig text (refused only when it holds credentials). */
    readonly kind: SecretSettingKind;
}

/** The settings the library itself reads: the IAM key and the Kubernetes provider's kubeconfig. */
const LIBRARY_SECRET_SETTINGS: readonly SecretSetting[] = [
    { key: "ibmcloud:apiKey", kind: "apiKey" },
    { key: "kubernetes:kubeconfig", kind: "kubeconfig" },
];

/**
 * Whether the stack holds `key` as a secret. The SDK knows it from the engine's list of secret
 * keys (PULUMI_CONFIG_SECRET_KEYS, which `Config.getSecret` does not consult; it wraps any value).
 */
function isSecretSetting(key: string): boolean {
    const sdk = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    if (typeof sdk === "function") return sdk(key);
    try {
        const keys: unknown = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]");
        return Array.isArray(keys) && keys.includes(key);
    } catch {
        return false;
    }
}

function settingValue(setting: SecretSetting): SettingValue {
    const at = setting.key.indexOf(":");
    const value = new pulumi.Config(setting.key.slice(0, at)).get(setting.key.slice(at + 1));
    return { ...setting, value, secret: isSecretSetting(setting.key) };
}

/**
 * Problems with credentials in the stack's config that are not secrets: `ibmcloud:apiKey`,
 * `kubernetes:kubeconfig` when it holds credentials, and `extra`. Each names the setting and
 * the command that makes it a secret, never the value.
 * @internal
 */
export function plaintextSecretSettingProblems(extra: readonly SecretSetting[] = []): string[] {
    const seen = new Set<string>();
    const settings = [...LIBRARY_SECRET_SETTINGS, ...extra].filter(
        (s) => !seen.has(s.key) && seen.add(s.key) !== undefined,
    );
    return plaintextSecretProblems(settings.map(settingValue), pulumi.getStack());
}

/**
 * Stops the program when a credential is set in the stack's config without `--secret`:
 * `ibmcloud:apiKey`, `kubernetes:kubeconfig` holding credentials, and the program's own
 * settings in `extra`. Call it first, before any resource: the engine copies the whole stack
 * config into state when the program's first dynamic resource is registered, and a plain-text
 * value would be stored there unencrypted.
 *
 * ```ts
 * refusePlaintextSecrets([{ key: "myproject:registryApiKey", kind: "apiKey" }]);
 * ```
 */
export function refusePlaintextSecrets(extra: readonly SecretSetting[] = []): void {
    const problems = plaintextSecretSettingProblems(extra);
    if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));
}

/**
 * Stops the program when the kubeconfig the service-account patches will use cannot be used:
 * a context that the kubeconfig does not define, a kubeconfig that does not parse, a relative
 * path in kubeconfig text, an unsupported auth-provider, .... The message names the setting
 * responsible (`settings.contextSetting`, `kubernetes:context`, `settings.kubeconfigSetting`,
 * `kubernetes:kubeconfig`, `KUBECONFIG`); then, when it loads, an API server that does not
 * answer or refuses its credentials (one GET /api, waited for in a child process).
 */
export function refuseUnusableKubeconfig(settings: KubeconfigSettings): void {
    const problem = kubeconfigSettingProblem(settings);
    if (problem !== undefined) throw new pulumi.RunError(problem);
    // The API server itself, now: later, inside the Outputs that read the cluster, a failure
    // would reach the user only after the engine's minute of waiting (./k8s/clusterProbe.ts).
    const k8s = new pulumi.Config("kubernetes");
    const source: KubeconfigSource = {
        kubeconfig: settings.kubeconfig,
        stackKubeconfig: k8s.get("kubeconfig"),
        context: settings.context === "" ? undefined : settings.context,
        stackContext: k8s.get("context"),
    };
    try {
        loadKubeconfig(source);
    } catch {
        return; // none found (in-cluster credentials, or none at all): the patches' check says so
    }
    const unreachable = probeClusterSync(source);
    if (unreachable !== undefined) {
        const names = kubeconfigSourceNames(source, {
            kubeconfig: settings.kubeconfigSetting,
            context: settings.contextSetting,
        });
        const setting = names.context.startsWith("the current-context")
            ? names.kubeconfig
            : `${names.kubeconfig} (with ${names.context})`;
        throw new pulumi.RunError(`${setting}: ${unreachable}`);
    }
}

/**
 * What a component that reaches the cluster checks of the stack's settings before it declares
 * anything: credentials in plain text, and the kubeconfig (`kubeconfig` when it is a plain
 * value, else the ambient one) with `context`. An Output kubeconfig is checked by the
 * service-account patches' `check` instead.
 * @internal
 */
export function clusterSettingProblems(args: {
    readonly kubeconfig?: pulumi.Input<string>;
    readonly context?: string;
}): string[] {
    const problems = plaintextSecretSettingProblems();
    if (args.kubeconfig === undefined || typeof args.kubeconfig === "string") {
        const problem = kubeconfigSettingProblem({
            kubeconfig: args.kubeconfig,
            kubeconfigSetting: "kubeconfig",
            context: args.context,
            contextSetting: "context",
        });
        if (problem !== undefined) problems.push(problem);
    }
    return problems;
}
