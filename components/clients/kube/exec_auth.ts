// `exec` credential plugins (client.authentication.k8s.io v1 and v1beta1), run as client-go
// runs them: KUBERNETES_EXEC_INFO with the cluster's details when provideClusterInfo is set,
// the ExecCredential read from stdout, cached per process until shortly before it expires.
// https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins
import { execFile } from "child_process";
import { asRecord, KubeconfigError, readDataOrFile, ResolvedKubeconfig } from "./config";

/** What an exec plugin returns. */
export interface ExecCredentialStatus {
    token?: string;
    clientCertificateData?: string;
    clientKeyData?: string;
    expirationTimestamp?: string;
}

interface CachedCredential {
    status: ExecCredentialStatus;
    expiresAt: number;
}

// Credentials from exec plugins, per process: 200 namespaces must not mean 200 `ibmcloud`
// runs. Kept on globalThis, created lazily, so nothing stateful is serialized with the dynamic provider.
function execCache(): Map<string, CachedCredential> {
    const g = globalThis as { __icrAccessExecCredentials?: Map<string, CachedCredential> };
    g.__icrAccessExecCredentials ??= new Map();
    return g.__icrAccessExecCredentials;
}

const EXEC_TIMEOUT_MS = 120_000;
const EXEC_CACHE_WITHOUT_EXPIRY_MS = 5 * 60_000;

/** Runs an exec credential plugin and returns its ExecCredential status. */
export async function runExecPlugin(
    cfg: ResolvedKubeconfig,
    opts: { refresh?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<ExecCredentialStatus> {
    const exec = cfg.exec!;
    const key = JSON.stringify([exec.command, exec.args, exec.env, exec.apiVersion, cfg.server, cfg.dir]);
    const cache = execCache();
    const hit = cache.get(key);
    if (!opts.refresh && hit !== undefined && hit.expiresAt > Date.now()) return hit.status;

    // Made absolute by resolveKubeconfig when it has a path separator; else looked up on PATH.
    const command = exec.command;
    // The Cluster object client-go hands the plugin: the CA as data even when the kubeconfig
    // names a file (client-go reads it), and the cluster's exec extension as `config`.
    const ca = readDataOrFile(cfg.ca, "certificate-authority", `context "${cfg.contextName}"`);
    const info: Record<string, unknown> = {
        apiVersion: exec.apiVersion,
        kind: "ExecCredential",
        spec: {
            interactive: false,
            ...(exec.provideClusterInfo
                ? {
                      cluster: {
                          server: cfg.server,
                          ...(cfg.tlsServerName ? { "tls-server-name": cfg.tlsServerName } : {}),
                          ...(cfg.insecureSkipTlsVerify ? { "insecure-skip-tls-verify": true } : {}),
                          ...(ca !== undefined
                              ? { "certificate-authority-data": Buffer.from(ca).toString("base64") }
                              : {}),
                          ...(cfg.proxyUrl ? { "proxy-url": cfg.proxyUrl } : {}),
                          ...(cfg.execClusterConfig !== undefined ? { config: cfg.execClusterConfig } : {}),
                      },
                  }
                : {}),
        },
    };
    const env: NodeJS.ProcessEnv = {
        ...(opts.env ?? process.env),
        KUBERNETES_EXEC_INFO: JSON.stringify(info),
    };
    for (const { name, value } of exec.env) env[name] = value;
    const who = `kubeconfig user "${cfg.userName}": exec plugin "${exec.command}"`;
    const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
            command,
            [...exec.args],
            { env, timeout: EXEC_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, windowsHide: true },
            (err, out, errOut) => {
                if (err === null) return resolve(out);
                const code = (err as NodeJS.ErrnoException).code;
                if (code === "ENOENT") {
                    return reject(
                        new KubeconfigError(
                            `${who} was not found${exec.installHint ? `. ${exec.installHint.trim()}` : ""}`,
                        ),
                    );
                }
                // stderr is the plugin's diagnostics (stdout would hold the credential): keep a short tail.
                const tail = String(errOut).trim().slice(-500);
                reject(
                    new KubeconfigError(
                        `${who} failed (${err.killed ? "timed out" : `exit ${String(err.code)}`})${tail ? `: ${tail}` : ""}`,
                    ),
                );
            },
        );
    });
    let cred: Record<string, unknown>;
    try {
        cred = asRecord(JSON.parse(stdout));
    } catch {
        throw new KubeconfigError(`${who} did not print an ExecCredential JSON object`);
    }
    if (cred.kind !== "ExecCredential" || cred.apiVersion !== exec.apiVersion) {
        throw new KubeconfigError(
            `${who} printed kind "${String(cred.kind)}", apiVersion "${String(cred.apiVersion)}"; expected ExecCredential, ${exec.apiVersion}`,
        );
    }
    const status = asRecord(cred.status) as ExecCredentialStatus;
    if (!status.token && !(status.clientCertificateData && status.clientKeyData)) {
        throw new KubeconfigError(`${who} returned neither a token nor a client certificate and key`);
    }
    const expiry = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : NaN;
    // Renew 30 s before expiry, as client-go does with a small margin.
    const expiresAt = Number.isNaN(expiry) ? Date.now() + EXEC_CACHE_WITHOUT_EXPIRY_MS : expiry - 30_000;
    cache.set(key, { status, expiresAt });
    return status;
}
