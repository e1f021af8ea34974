// Whether the API server answers and accepts the kubeconfig's credentials, asked while the
// program starts. A program can only fail fast synchronously: an error raised later inside an
// Output makes the engine wait about a minute before it reports (measured with the CLI 3.248),
// and the per-cluster stack reads the cluster inside Outputs. So `probeClusterSync` runs this
// module as a child Node.js process and waits for it: one GET /api, one retry, 8 s per request.
// No Pulumi import: the child loads only this module, ./kubeClient and their helpers.
import { spawnSync } from "child_process";
import * as fs from "fs";
import { KubeApiError, KubeClient } from "../clients/kube/client";
import { KubeconfigError } from "../clients/kube/config";
import { KubeconfigSource, loadKubeconfig } from "../clients/kube/config_sources";

const PROBE_TIMEOUT_MS = 8_000;

/** Why the API server cannot be used with `source`, or undefined. Never shows credentials. */
export async function clusterProblem(source: KubeconfigSource): Promise<string | undefined> {
    let client: KubeClient;
    try {
        client = await KubeClient.connect(loadKubeconfig(source), {
            retries: 1,
            timeoutMs: PROBE_TIMEOUT_MS,
        });
    } catch (err) {
        if (err instanceof KubeconfigError) return err.message;
        throw err;
    }
    try {
        await client.get("/api");
        return undefined;
    } catch (err) {
        if (!(err instanceof KubeApiError)) throw err;
        const server = client.config.server;
        const what =
            err.status === undefined
                ? `the API server ${server} does not answer`
                : err.status === 401
                  ? `the API server ${server} refuses the credentials`
                  : `the API server ${server} fails`;
        return `${what}: ${err.message}`;
    }
}

/**
 * {@link clusterProblem}, synchronously, in a child process (see the module comment). Undefined
 * when the compiled module is not there to run (tests that load the TypeScript sources).
 */
export function probeClusterSync(source: KubeconfigSource): string | undefined {
    const self = __filename.replace(/\.ts$/, ".js");
    if (!fs.existsSync(self)) return undefined;
    const script =
        `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>require(${JSON.stringify(self)})` +
        `.clusterProblem(JSON.parse(s)).then(p=>process.stdout.write(JSON.stringify({p})),` +
        `e=>process.stdout.write(JSON.stringify({p:String(e&&e.message||e)}))))`;
    const child = spawnSync(process.execPath, ["-e", script], {
        input: JSON.stringify(source),
        encoding: "utf8",
        timeout: 3 * PROBE_TIMEOUT_MS,
        env: process.env,
    });
    if (child.error !== undefined || child.status !== 0) return undefined; // the patches' check reports it
    try {
        return (JSON.parse(child.stdout) as { p?: string }).p ?? undefined;
    } catch {
        return undefined;
    }
}
