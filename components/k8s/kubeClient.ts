// A small Kubernetes API client for the ServiceAccountPullSecrets dynamic provider: loads a
// kubeconfig the way kubectl does and sends JSON requests over axios.
//
// Why not @kubernetes/client-node: it is ESM-only since 2024 (f9dbafba) and large, and the
// provider must load fast in the engine's dynamic-provider host. No runtime `@pulumi/pulumi`
// import: the host loads this module through the provider shim (internal/providerShim.ts),
// and releases before the shims copied it by value into state, where such an import breaks.
// `import type` is fine.
//
// Supported kubeconfig features: current-context or a named context; several files in
// KUBECONFIG (first file wins per name, as kubectl merges); server with a path prefix;
// certificate-authority(-data), insecure-skip-tls-verify, tls-server-name; bearer token,
// tokenFile, client certificate and key (data or file), basic auth, impersonation
// (`as`, `as-groups`); `exec` credential plugins (client.authentication.k8s.io v1 and
// v1beta1, as `ibmcloud ks cluster config` and most managed clusters use); the legacy
// `oidc` auth-provider's id-token; in-cluster service-account credentials as a last resort.
// Not supported (an error says so): proxy-url and other auth-providers.
import axios, { AxiosRequestConfig } from "axios";
import { execFile } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { NamedError } from "../internal/namedError";
import { describeSecretValue } from "../internal/secretShape";

/** Where the kubeconfig came from, for error messages (never its content). */
type Origin = string;

interface NamedEntry {
    name: string;
    value: Record<string, unknown>;
    dir: string;
    origin: Origin;
}

/** A kubeconfig as loaded: its entries (each remembering its file's directory) and current context. */
export interface KubeconfigDocument {
    readonly clusters: readonly NamedEntry[];
    readonly users: readonly NamedEntry[];
    readonly contexts: readonly NamedEntry[];
    readonly currentContext?: string;
    /** Human description of the sources, e.g. `KUBECONFIG (/a:/b)`. */
    readonly origin: Origin;
}

/** An `exec` credential plugin configuration. */
export interface ExecConfig {
    readonly command: string;
    readonly args: readonly string[];
    readonly env: readonly { name: string; value: string }[];
    readonly apiVersion: string;
    readonly installHint?: string;
    readonly provideClusterInfo: boolean;
}

/** Everything needed to talk to one cluster as one user. */
export interface ResolvedKubeconfig {
    readonly contextName: string;
    readonly clusterName: string;
    readonly userName: string;
    /** Default namespace of the context, if any. */
    readonly namespace?: string;
    readonly server: string;
    readonly insecureSkipTlsVerify: boolean;
    readonly tlsServerName?: string;
    /** CA bundle: PEM text, or a file to read. */
    readonly ca?: { readonly data?: string; readonly file?: string };
    readonly clientCert?: { readonly data?: string; readonly file?: string };
    readonly clientKey?: { readonly data?: string; readonly file?: string };
    readonly token?: string;
    readonly tokenFile?: string;
    readonly basic?: { readonly username: string; readonly password: string };
    readonly exec?: ExecConfig;
    /** Directory relative exec commands and files are resolved against. */
    readonly dir: string;
    readonly impersonate?: { readonly user?: string; readonly groups: readonly string[] };
}

/** A kubeconfig that cannot be used; the message names the entry and never includes secrets. */
export class KubeconfigError extends NamedError {
    constructor(message: string) {
        super("KubeconfigError", message);
    }
}

/** A failed Kubernetes API call: method, path, status and the server's reason and message. */
export class KubeApiError extends NamedError {
    constructor(
        readonly method: string,
        readonly path: string,
        readonly status: number | undefined,
        readonly reason: string | undefined,
        detail: string,
    ) {
        super(
            "KubeApiError",
            `Kubernetes ${method} ${path} failed: ${status !== undefined ? `${status} ` : ""}${detail}`,
        );
    }
}

function asRecord(value: unknown): Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : {};
}

function str(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

function namedList(
    doc: Record<string, unknown>,
    key: string,
    inner: string,
    dir: string,
    origin: Origin,
): NamedEntry[] {
    const list = doc[key];
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) throw new KubeconfigError(`kubeconfig (${origin}): "${key}" must be a list`);
    return list.map((item, i) => {
        const entry = asRecord(item);
        const name = str(entry.name);
        if (name === undefined) throw new KubeconfigError(`kubeconfig (${origin}): ${key}[${i}] has no name`);
        return { name, value: asRecord(entry[inner]), dir, origin };
    });
}

/**
 * Parses one kubeconfig text (YAML or JSON).
 * @param dir directory that relative paths in the file are resolved against
 * @param origin where it came from, for messages
 */
export function parseKubeconfig(text: string, dir: string, origin: Origin): KubeconfigDocument {
    let raw: unknown;
    try {
        // logLevel "error": errors still throw, but warnings are not printed, because yaml
        // prints them with the offending line quoted, which may hold a token or a key.
        raw = parseYaml(text, { logLevel: "error" });
    } catch (err) {
        // YAML errors quote the offending line, which may hold a token: keep only the position.
        const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
        throw new KubeconfigError(
            `kubeconfig (${origin}) is not valid YAML${pos ? ` (line ${pos.line}, column ${pos.col})` : ""}`,
        );
    }
    const doc = asRecord(raw);
    if (Object.keys(doc).length === 0) {
        // A one-line value is most often a file path given where the file's content belongs.
        const oneLine =
            typeof raw === "string" && !text.trim().includes("\n")
                ? `: it is ${describeSecretValue(text.trim())} on one line. If that is a file path, pass the ` +
                  `file's content (e.g. fs.readFileSync(path, "utf8")) or set KUBECONFIG to the path instead`
                : "";
        throw new KubeconfigError(`kubeconfig (${origin}) is empty or not a mapping${oneLine}`);
    }
    return {
        clusters: namedList(doc, "clusters", "cluster", dir, origin),
        users: namedList(doc, "users", "user", dir, origin),
        contexts: namedList(doc, "contexts", "context", dir, origin),
        currentContext: str(doc["current-context"]),
        origin,
    };
}

/** Merges kubeconfigs as kubectl does for KUBECONFIG=a:b: the first definition of each name wins. */
export function mergeKubeconfigs(docs: readonly KubeconfigDocument[]): KubeconfigDocument {
    const firstWins = (lists: (readonly NamedEntry[])[]) => {
        const seen = new Map<string, NamedEntry>();
        for (const list of lists) for (const e of list) if (!seen.has(e.name)) seen.set(e.name, e);
        return [...seen.values()];
    };
    return {
        clusters: firstWins(docs.map((d) => d.clusters)),
        users: firstWins(docs.map((d) => d.users)),
        contexts: firstWins(docs.map((d) => d.contexts)),
        currentContext: docs.map((d) => d.currentContext).find((c) => c !== undefined),
        origin: docs.map((d) => d.origin).join(", "),
    };
}

function dataOrFile(entry: Record<string, unknown>, key: string, dir: string) {
    const data = str(entry[`${key}-data`]);
    if (data !== undefined) return { data: Buffer.from(data, "base64").toString("utf8") };
    const file = str(entry[key]);
    return file !== undefined ? { file: path.resolve(dir, file) } : undefined;
}

/** The auth-providers kubectl once had built in: names from this list may be shown in messages. */
const KNOWN_AUTH_PROVIDERS: readonly string[] = ["gcp", "azure", "oidc", "openstack"];

/**
 * Picks the context (the given one, else current-context) and resolves its cluster and user.
 * Pure apart from path resolution: files are read later, by {@link KubeClient.connect}.
 */
export function resolveKubeconfig(doc: KubeconfigDocument, context?: string): ResolvedKubeconfig {
    const contextName = context ?? doc.currentContext;
    const names = (list: readonly NamedEntry[]) => list.map((e) => `"${e.name}"`).join(", ") || "none";
    // Names of defined entries are identifiers and are shown. A reference that matches no entry
    // is described instead: it comes from the (secret) kubeconfig text, where a slip such as a
    // token under `user:` would otherwise be printed. The `context` input is not secret.
    if (contextName === undefined) {
        throw new KubeconfigError(
            `kubeconfig (${doc.origin}) has no current-context; set "context" to one of: ${names(doc.contexts)}`,
        );
    }
    const ctx = doc.contexts.find((c) => c.name === contextName);
    if (ctx === undefined) {
        const which =
            context !== undefined
                ? `context "${contextName}"`
                : `context named by its current-context (${describeSecretValue(contextName)})`;
        throw new KubeconfigError(
            `kubeconfig (${doc.origin}) has no ${which}; contexts: ${names(doc.contexts)}`,
        );
    }
    const clusterName = str(ctx.value.cluster);
    const cluster = doc.clusters.find((c) => c.name === clusterName);
    if (cluster === undefined) {
        throw new KubeconfigError(
            `kubeconfig (${doc.origin}): context "${contextName}" ` +
                (clusterName === undefined
                    ? "names no cluster"
                    : `names a cluster (${describeSecretValue(clusterName)}) that is not defined`) +
                `; clusters: ${names(doc.clusters)}`,
        );
    }
    const userName = str(ctx.value.user);
    const userEntry = userName === undefined ? undefined : doc.users.find((u) => u.name === userName);
    if (userName !== undefined && userEntry === undefined) {
        throw new KubeconfigError(
            `kubeconfig (${doc.origin}): context "${contextName}" names a user (${describeSecretValue(userName)}) ` +
                `that is not defined; users: ${names(doc.users)}`,
        );
    }
    const c = cluster.value;
    const server = str(c.server);
    if (server === undefined || !/^https?:\/\//.test(server)) {
        throw new KubeconfigError(
            `kubeconfig (${doc.origin}): cluster "${cluster.name}" needs a server URL starting with https:// or http://`,
        );
    }
    if (str(c["proxy-url"]) !== undefined) {
        throw new KubeconfigError(
            `kubeconfig (${doc.origin}): cluster "${cluster.name}" sets proxy-url, which the service-account patcher does not support; reach the API server directly`,
        );
    }
    const u = userEntry?.value ?? {};
    const udir = userEntry?.dir ?? cluster.dir;
    let token = str(u.token);
    const authProvider = asRecord(u["auth-provider"]);
    if (Object.keys(authProvider).length > 0) {
        const providerName = str(authProvider.name);
        const idToken = str(asRecord(authProvider.config)["id-token"]);
        if (providerName !== "oidc" || idToken === undefined) {
            const which =
                providerName === "oidc"
                    ? `auth-provider "oidc" without an id-token`
                    : providerName !== undefined && KNOWN_AUTH_PROVIDERS.includes(providerName)
                      ? `auth-provider "${providerName}"`
                      : `an auth-provider (${describeSecretValue(providerName)}) other than "oidc"`;
            throw new KubeconfigError(
                `kubeconfig (${doc.origin}): user "${userName}" uses ${which}, which is not supported; ` +
                    `use an exec credential plugin (for IBM Cloud: \`ibmcloud ks cluster config --cluster <name>\` writes one)`,
            );
        }
        token ??= idToken;
    }
    let exec: ExecConfig | undefined;
    const e = asRecord(u.exec);
    if (Object.keys(e).length > 0) {
        const command = str(e.command);
        const apiVersion = str(e.apiVersion);
        if (command === undefined)
            throw new KubeconfigError(`kubeconfig (${doc.origin}): user "${userName}" exec has no command`);
        if (
            apiVersion !== "client.authentication.k8s.io/v1" &&
            apiVersion !== "client.authentication.k8s.io/v1beta1"
        ) {
            throw new KubeconfigError(
                `kubeconfig (${doc.origin}): user "${userName}" exec apiVersion ` +
                    (apiVersion === "client.authentication.k8s.io/v1alpha1"
                        ? `"${apiVersion}" `
                        : `(${describeSecretValue(apiVersion)}) `) +
                    `is not supported; use client.authentication.k8s.io/v1 or v1beta1`,
            );
        }
        exec = {
            command,
            apiVersion,
            args: Array.isArray(e.args) ? e.args.map(String) : [],
            env: Array.isArray(e.env)
                ? e.env
                      .map((x) => asRecord(x))
                      .map((x) => ({ name: String(x.name), value: String(x.value ?? "") }))
                : [],
            installHint: str(e.installHint),
            provideClusterInfo: e.provideClusterInfo === true,
        };
    }
    const username = str(u.username);
    const asUser = str(u.as);
    const asGroups = Array.isArray(u["as-groups"]) ? u["as-groups"].map(String) : [];
    return {
        contextName,
        clusterName: cluster.name,
        userName: userName ?? "",
        namespace: str(ctx.value.namespace),
        server: server.replace(/\/+$/, ""),
        insecureSkipTlsVerify: c["insecure-skip-tls-verify"] === true,
        tlsServerName: str(c["tls-server-name"]),
        ca: dataOrFile(c, "certificate-authority", cluster.dir),
        clientCert: dataOrFile(u, "client-certificate", udir),
        clientKey: dataOrFile(u, "client-key", udir),
        token,
        tokenFile: str(u.tokenFile) !== undefined ? path.resolve(udir, str(u.tokenFile)!) : undefined,
        basic: username !== undefined ? { username, password: str(u.password) ?? "" } : undefined,
        exec,
        dir: udir,
        impersonate:
            asUser !== undefined || asGroups.length > 0 ? { user: asUser, groups: asGroups } : undefined,
    };
}

const IN_CLUSTER_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Where to look for a kubeconfig, in order. */
export interface KubeconfigSource {
    /** Kubeconfig text given as an input. Wins over everything else. */
    readonly kubeconfig?: string;
    /** The `kubernetes:kubeconfig` stack setting (text or a path), as the Kubernetes provider reads it. */
    readonly stackKubeconfig?: string;
    /** Context to use; default the kubeconfig's current-context. */
    readonly context?: string;
}

/**
 * Loads and resolves a kubeconfig: the `kubeconfig` text; else the `kubernetes:kubeconfig`
 * stack setting; else every file in `KUBECONFIG`; else `~/.kube/config`; else the in-cluster
 * service account. Reads the environment at call time: call it inside provider methods.
 */
export function loadKubeconfig(
    source: KubeconfigSource,
    env: NodeJS.ProcessEnv = process.env,
): ResolvedKubeconfig {
    const cwd = process.cwd();
    if (source.kubeconfig !== undefined && source.kubeconfig !== "") {
        return resolveKubeconfig(
            parseKubeconfig(source.kubeconfig, cwd, "the kubeconfig input"),
            source.context,
        );
    }
    const stack = source.stackKubeconfig;
    if (stack !== undefined && stack !== "") {
        // The Kubernetes provider accepts either a path or the content; so do we.
        const isPath = !stack.includes("\n") && !stack.trimStart().startsWith("{") && fs.existsSync(stack);
        const doc = isPath
            ? parseKubeconfig(fs.readFileSync(stack, "utf8"), path.dirname(path.resolve(stack)), stack)
            : parseKubeconfig(stack, cwd, "the kubernetes:kubeconfig stack setting");
        return resolveKubeconfig(doc, source.context);
    }
    const listed = (env.KUBECONFIG ?? "").split(path.delimiter).filter((p) => p !== "");
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

interface ExecCredentialStatus {
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
// runs. Kept on globalThis, created lazily, so nothing stateful is serialized with the provider.
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

    // As kubectl: a command with a path separator is relative to the kubeconfig's directory.
    const command =
        exec.command.includes("/") || exec.command.includes("\\")
            ? path.resolve(cfg.dir, exec.command)
            : exec.command;
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
                          ...(cfg.ca?.data
                              ? { "certificate-authority-data": Buffer.from(cfg.ca.data).toString("base64") }
                              : {}),
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

/** A response: status and parsed JSON body. */
export interface KubeResponse<T = unknown> {
    readonly status: number;
    readonly data: T;
}

// Arrays, not Sets: module-level values are serialized into the provider's closure, and the
// closure serializer turns a Set into a plain object whose `has` then fails.
const TRANSIENT: readonly number[] = [429, 500, 502, 503, 504];
const NETWORK_RETRY: readonly string[] = [
    "ECONNRESET",
    "ECONNREFUSED",
    "ETIMEDOUT",
    "EPIPE",
    "ECONNABORTED",
    "EAI_AGAIN",
];

/** Options for {@link KubeClient}. */
export interface KubeClientOptions {
    /** Retries for 429, 5xx and connection errors. @default 4 */
    readonly retries?: number;
    /** First backoff in ms, doubled each retry, capped at 5 s. @default 250 */
    readonly backoffMs?: number;
    /** Per-request timeout. @default 30000 */
    readonly timeoutMs?: number;
    /** Environment for exec plugins. @default process.env */
    readonly env?: NodeJS.ProcessEnv;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function readMaybe(
    v: { data?: string; file?: string } | undefined,
    what: string,
    origin: string,
): string | undefined {
    if (v === undefined) return undefined;
    if (v.data !== undefined) return v.data;
    try {
        return fs.readFileSync(v.file!, "utf8");
    } catch (err) {
        throw new KubeconfigError(
            `kubeconfig ${origin}: cannot read ${what} file ${v.file}: ${(err as Error).message}`,
        );
    }
}

/** A JSON client for one API server, authenticated as the kubeconfig's user. */
export class KubeClient {
    private constructor(
        readonly config: ResolvedKubeconfig,
        private readonly opts: KubeClientOptions,
        private agent: https.Agent | undefined,
        private authorization: string | undefined,
    ) {}

    /** Reads the files the kubeconfig points to, runs its exec plugin if any, and builds the client. */
    static async connect(config: ResolvedKubeconfig, opts: KubeClientOptions = {}): Promise<KubeClient> {
        const client = new KubeClient(config, opts, undefined, undefined);
        await client.authenticate(false);
        return client;
    }

    private async authenticate(refresh: boolean): Promise<void> {
        const c = this.config;
        const where = `context "${c.contextName}"`;
        let cert = readMaybe(c.clientCert, "client-certificate", where);
        let key = readMaybe(c.clientKey, "client-key", where);
        let authorization: string | undefined;
        if (c.exec !== undefined) {
            const status = await runExecPlugin(c, { refresh, env: this.opts.env });
            if (status.token) authorization = `Bearer ${status.token}`;
            if (status.clientCertificateData && status.clientKeyData) {
                cert = status.clientCertificateData;
                key = status.clientKeyData;
            }
        }
        if (authorization === undefined && c.token !== undefined) authorization = `Bearer ${c.token}`;
        if (authorization === undefined && c.tokenFile !== undefined) {
            const t = readMaybe({ file: c.tokenFile }, "tokenFile", where)!.trim();
            authorization = `Bearer ${t}`;
        }
        if (authorization === undefined && c.basic !== undefined) {
            authorization = `Basic ${Buffer.from(`${c.basic.username}:${c.basic.password}`).toString("base64")}`;
        }
        if (c.server.startsWith("https://")) {
            this.agent = new https.Agent({
                ca: readMaybe(c.ca, "certificate-authority", where),
                cert,
                key,
                rejectUnauthorized: !c.insecureSkipTlsVerify,
                servername: c.tlsServerName,
                keepAlive: true,
            });
        }
        this.authorization = authorization;
    }

    /** GET; resolves with 404 as a response rather than an error, so callers can test for absence. */
    get<T = unknown>(apiPath: string): Promise<KubeResponse<T>> {
        return this.request<T>("GET", apiPath, undefined, [404]);
    }

    /** PUT (replace). 404 and 409 come back as responses: the caller decides. */
    put<T = unknown>(apiPath: string, body: unknown): Promise<KubeResponse<T>> {
        return this.request<T>("PUT", apiPath, body, [404, 409]);
    }

    /** POST (create). 409 AlreadyExists comes back as a response. */
    post<T = unknown>(apiPath: string, body: unknown): Promise<KubeResponse<T>> {
        return this.request<T>("POST", apiPath, body, [409]);
    }

    /**
     * Sends a request with bounded retries on 429/5xx and connection errors (honouring
     * Retry-After) and one credential refresh on 401 when an exec plugin is configured.
     * Any other non-2xx status not in `passThrough` throws a {@link KubeApiError}, which
     * carries the server's Status reason and message and never request headers.
     */
    async request<T = unknown>(
        method: string,
        apiPath: string,
        body?: unknown,
        passThrough: readonly number[] = [],
    ): Promise<KubeResponse<T>> {
        const retries = this.opts.retries ?? 4;
        let backoff = this.opts.backoffMs ?? 250;
        let refreshed = false;
        for (let attempt = 0; ; attempt++) {
            const headers: Record<string, string | string[]> = { Accept: "application/json" };
            if (body !== undefined) headers["Content-Type"] = "application/json";
            if (this.authorization !== undefined) headers.Authorization = this.authorization;
            if (this.config.impersonate?.user) headers["Impersonate-User"] = this.config.impersonate.user;
            const req: AxiosRequestConfig = {
                method,
                url: this.config.server + apiPath,
                data: body === undefined ? undefined : JSON.stringify(body),
                headers,
                httpsAgent: this.agent,
                timeout: this.opts.timeoutMs ?? 30_000,
                validateStatus: () => true,
                transformResponse: (raw: unknown) => raw,
                responseType: "text",
                proxy: false,
            };
            if (this.config.impersonate && this.config.impersonate.groups.length > 0) {
                // One Impersonate-Group header line per group: axios sends an array that way.
                headers["Impersonate-Group"] = [...this.config.impersonate.groups];
            }
            let status: number;
            let text: string;
            let retryAfter: string | undefined;
            try {
                const res = await axios.request<string>(req);
                status = res.status;
                text = typeof res.data === "string" ? res.data : "";
                retryAfter = res.headers["retry-after"] as string | undefined;
            } catch (err) {
                const code = (err as NodeJS.ErrnoException).code ?? "";
                if (NETWORK_RETRY.includes(code) && attempt < retries) {
                    await sleep(backoff);
                    backoff = Math.min(backoff * 2, 5_000);
                    continue;
                }
                throw new KubeApiError(
                    method,
                    apiPath,
                    undefined,
                    undefined,
                    networkDetail(err as Error, code, this.config),
                );
            }
            const data = parseJson(text);
            if (status === 401 && this.config.exec !== undefined && !refreshed) {
                refreshed = true;
                await this.authenticate(true);
                continue;
            }
            if (TRANSIENT.includes(status) && attempt < retries) {
                const seconds = Number(retryAfter);
                await sleep(
                    Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 10_000) : backoff,
                );
                backoff = Math.min(backoff * 2, 5_000);
                continue;
            }
            if ((status >= 200 && status < 300) || passThrough.includes(status))
                return { status, data: data as T };
            const s = asRecord(data);
            const reason = str(s.reason);
            const message = str(s.message) ?? text.slice(0, 300);
            throw new KubeApiError(
                method,
                apiPath,
                status,
                reason,
                `${reason ? `${reason}: ` : ""}${message}${authHint(status, this.config)}`,
            );
        }
    }
}

function parseJson(text: string): unknown {
    try {
        return text === "" ? undefined : JSON.parse(text);
    } catch {
        return text;
    }
}

function authHint(status: number, c: ResolvedKubeconfig): string {
    if (status === 401)
        return ` (the credentials of kubeconfig user "${c.userName}" in context "${c.contextName}" were rejected; refresh them, e.g. \`ibmcloud ks cluster config --cluster <name>\`)`;
    if (status === 403)
        return ` (kubeconfig user "${c.userName}" needs get and update on serviceaccounts in this namespace)`;
    return "";
}

function networkDetail(err: Error, code: string, c: ResolvedKubeconfig): string {
    const tls = /certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_/i.test(`${code} ${err.message}`);
    return (
        `${code || err.name}: ${err.message} (server ${c.server}, context "${c.contextName}")` +
        (tls ? `; set certificate-authority-data for cluster "${c.clusterName}" in the kubeconfig` : "")
    );
}
