// Where a kubeconfig comes from, in kubectl's order with the Kubernetes provider's stack
// settings first: the `kubeconfig` input, the kubernetes:kubeconfig stack setting (text or a
// path), every file in KUBECONFIG, ~/.kube/config, then in-cluster service-account credentials;
// and which setting a message should name when the result cannot be used.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    expandHome,
    KubeconfigError,
    mergeKubeconfigs,
    parseKubeconfig,
    ResolvedKubeconfig,
    resolveKubeconfig,
} from "./config";

const IN_CLUSTER_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Where to look for a kubeconfig, in order. */
export interface KubeconfigSource {
    /** Kubeconfig text given as an input. Wins over everything else. */
    readonly kubeconfig?: string;
    /** The `kubernetes:kubeconfig` stack setting (text or a path), as the Kubernetes provider reads it. */
    readonly stackKubeconfig?: string;
    /** Context to use; default the kubeconfig's current-context. */
    readonly context?: string;
    /**
     * The `kubernetes:context` stack setting, the default for `context` when no `kubeconfig`
     * input is given. A kubeconfig input brings its own current-context, which the stack's
     * setting (written for the stack's cluster) must not override.
     */
    readonly stackContext?: string;
}

/** The settings a kubeconfig and its context came from, as messages name them. */
export interface KubeconfigSourceNames {
    /** e.g. `icr-access:kubeconfig`, `kubernetes:kubeconfig`, `KUBECONFIG`, `~/.kube/config`. */
    readonly kubeconfig: string;
    /** e.g. `icr-access:context`, `kubernetes:context`, `the current-context of KUBECONFIG`. */
    readonly context: string;
}

/**
 * Which settings {@link loadKubeconfig} takes the kubeconfig and the context from, by the same
 * rules. `labels` name the `kubeconfig` and `context` inputs (e.g. the stack settings a program
 * read them from); without them they are "the kubeconfig input" and "context".
 */
export function kubeconfigSourceNames(
    source: KubeconfigSource,
    labels: { readonly kubeconfig?: string; readonly context?: string } = {},
    env: NodeJS.ProcessEnv = process.env,
): KubeconfigSourceNames {
    const input = source.kubeconfig !== undefined && source.kubeconfig !== "";
    const kubeconfig = input
        ? (labels.kubeconfig ?? "the kubeconfig input")
        : source.stackKubeconfig !== undefined && source.stackKubeconfig !== ""
          ? "kubernetes:kubeconfig"
          : (env.KUBECONFIG ?? "") !== ""
            ? "KUBECONFIG"
            : "~/.kube/config";
    const context =
        source.context !== undefined && source.context !== ""
            ? (labels.context ?? "context")
            : !input && source.stackContext !== undefined && source.stackContext !== ""
              ? "kubernetes:context"
              : `the current-context of ${kubeconfig}`;
    return { kubeconfig, context };
}

/**
 * A {@link KubeconfigError}'s message led by the setting to change: the context's when the
 * kubeconfig has no such context (with the command that fixes a stack setting), else the
 * kubeconfig's.
 */
export function blameSetting(message: string, names: KubeconfigSourceNames): string {
    if (/ has no (current-)?context/.test(message)) {
        const fix = /^[\w.-]+:[\w.-]+$/.test(names.context)
            ? ` Set ${names.context} to one of them (\`pulumi config set ${names.context} <context>\`), or remove it ` +
              `(\`pulumi config rm ${names.context}\`) to use the kubeconfig's current-context.`
            : "";
        return `${names.context}: ${message}.${fix}`;
    }
    return `${names.kubeconfig}: ${message}`;
}

/**
 * Loads and resolves a kubeconfig: the `kubeconfig` text; else the `kubernetes:kubeconfig`
 * stack setting; else every file in `KUBECONFIG`; else `~/.kube/config`; else the in-cluster
 * service account. Reads the environment at call time: call it inside the dynamic provider's methods, which run in its host process.
 */
export function loadKubeconfig(
    source: KubeconfigSource,
    env: NodeJS.ProcessEnv = process.env,
): ResolvedKubeconfig {
    // Text has no directory: relative paths in it are refused (see the module comment).
    if (source.kubeconfig !== undefined && source.kubeconfig !== "") {
        return resolveKubeconfig(
            parseKubeconfig(source.kubeconfig, undefined, "the kubeconfig input"),
            source.context,
        );
    }
    source = { ...source, context: source.context ?? source.stackContext };
    const stack = source.stackKubeconfig;
    if (stack !== undefined && stack !== "") {
        // The Kubernetes provider accepts either a path (`~` expanded) or the content; so do we.
        const file = expandHome(stack.trim());
        const isPath = !stack.includes("\n") && !stack.trimStart().startsWith("{") && fs.existsSync(file);
        const doc = isPath
            ? parseKubeconfig(fs.readFileSync(file, "utf8"), path.dirname(path.resolve(file)), stack.trim())
            : parseKubeconfig(stack, undefined, "the kubernetes:kubeconfig stack setting");
        return resolveKubeconfig(doc, source.context);
    }
    const listed = (env.KUBECONFIG ?? "")
        .split(path.delimiter)
        .filter((p) => p !== "")
        .map(expandHome);
    const files =
        listed.length > 0
            ? listed.filter((p) => fs.existsSync(p))
            : [path.join(os.homedir(), ".kube", "config")].filter((p) => fs.existsSync(p));
    if (files.length > 0) {
        const docs = files.map((f) =>
            parseKubeconfig(fs.readFileSync(f, "utf8"), path.dirname(path.resolve(f)), f),
        );
        return resolveKubeconfig(mergeKubeconfigs(docs), source.context);
    }
    const host = env.KUBERNETES_SERVICE_HOST;
    if (
        host !== undefined &&
        fs.existsSync(path.join(IN_CLUSTER_DIR, "token")) &&
        source.context === undefined
    ) {
        const hostPart = host.includes(":") ? `[${host}]` : host;
        return {
            contextName: "in-cluster",
            clusterName: "in-cluster",
            userName: "in-cluster",
            server: `https://${hostPart}:${env.KUBERNETES_SERVICE_PORT ?? "443"}`,
            insecureSkipTlsVerify: false,
            ca: { file: path.join(IN_CLUSTER_DIR, "ca.crt") },
            tokenFile: path.join(IN_CLUSTER_DIR, "token"),
            dir: IN_CLUSTER_DIR,
        };
    }
    throw new KubeconfigError(
        `no kubeconfig found: ${listed.length > 0 ? `none of the KUBECONFIG files exist (${listed.join(path.delimiter)})` : "KUBECONFIG is not set and ~/.kube/config does not exist"}. ` +
            `Pass "kubeconfig" (YAML text, as a secret), set the kubernetes:kubeconfig stack setting, or set KUBECONFIG.`,
    );
}
