// Where the test bed's binaries are: asks scripts/toolchain.sh, the one place that
// knows the cache layout, KUBEBUILDER_ASSETS and a pulumi already on PATH.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** Paths of the binaries the test bed runs. */
export interface ToolchainPaths {
    pulumi: string;
    /** The Node.js language host, beside the CLI as a Pulumi install keeps it. */
    languageHost: string;
    /** A PULUMI_HOME whose plugin cache holds the Kubernetes provider under its exact version. */
    pulumiHome: string;
    kubernetesProvider: string;
    kubernetesProviderVersion: string;
    kubeApiserver: string;
    kubeControllerManager: string;
    etcd: string;
    cache: string;
}

export const repoRoot = path.resolve(__dirname, "..", "..");

let cached: ToolchainPaths | undefined;

/** Resolves the toolchain; throws with the command to run when a binary is missing. */
export function toolchain(): ToolchainPaths {
    if (cached) return cached;
    const out = execFileSync(path.join(repoRoot, "scripts", "toolchain.sh"), ["--paths"], {
        encoding: "utf8",
    });
    const paths = JSON.parse(out) as ToolchainPaths;
    const missing = (
        [
            "pulumi",
            "languageHost",
            "kubernetesProvider",
            "kubeApiserver",
            "kubeControllerManager",
            "etcd",
        ] as const
    ).filter((k) => !fs.existsSync(paths[k]));
    const pluginDir = path.join(
        paths.pulumiHome,
        "plugins",
        `resource-kubernetes-v${paths.kubernetesProviderVersion}`,
    );
    if (missing.length > 0 || !fs.existsSync(pluginDir)) {
        throw new Error(
            `the test bed is not built (${missing.join(", ") || "plugin cache"} missing): run \`npm run toolchain\``,
        );
    }
    cached = paths;
    return paths;
}
