// A small Kubernetes API client for the ServiceAccountPullSecrets dynamic provider: loads a
// kubeconfig the way kubectl (client-go) does and sends JSON requests over axios.
//
// Why hand-written and not @kubernetes/client-node: the patcher makes three kinds of call
// (GET, PUT, POST on one object), so the client's weight is all in the kubeconfig, and
// client-node would not remove that work. Its 2.x release is an ES module with sixteen direct
// runtime dependencies (undici, ws, tar-fs, openid-client, jsonpath-plus, socks, even
// @types/node 26, ...) that every user's program would install, and it still differs from
// client-go where this client must not (HTTPS_PROXY/NO_PROXY with Go's loopback rule,
// `as-uid`/`as-user-extra`, provideClusterInfo with a CA file), so each of those would need a
// workaround and the same end-to-end tests anyway. (It would add socks5 proxies, refused here
// by name.) Serialization no longer constrains the choice (the provider
// is loaded through a shim), weight and fidelity do. No runtime `@pulumi/pulumi` import: the
// host loads this module through the provider shim (internal/providerShim.ts), and releases
// before the shims copied it by value into state, where such an import breaks.
//
// Supported kubeconfig features: current-context or a named context; several files in
// KUBECONFIG (first file wins per name, as kubectl merges); `~` in KUBECONFIG entries and in a
// kubernetes:kubeconfig path; server with a path prefix; certificate-authority(-data),
// insecure-skip-tls-verify, tls-server-name; proxy-url (http/https) and HTTPS_PROXY /
// HTTP_PROXY / NO_PROXY (./httpProxy.ts); bearer token, tokenFile, client certificate and key
// (data or file), basic auth, impersonation (`as`, `as-uid`, `as-groups`, `as-user-extra`);
// `exec` credential plugins (client.authentication.k8s.io v1 and v1beta1, with
// provideClusterInfo); the `oidc` auth-provider with id-token and refresh-token
// (./oidcToken.ts); in-cluster service-account credentials as a last resort.
// Not supported (an error says so at preview): socks5 proxies and other auth-providers.
//
// Relative paths: in a kubeconfig file they are relative to that file's directory, as in
// client-go. A kubeconfig given as text (the `kubeconfig` input, or the kubernetes:kubeconfig
// setting holding YAML) has no directory: it is stored in state and used again by refresh and
// destroy, maybe from another directory or machine, so a relative path in it is refused at
// preview, naming the field, rather than silently resolved against whatever directory the
// provider happens to run in.
import axios, { AxiosRequestConfig } from "axios";
import { execFile } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { NamedError } from "../../internal/namedError";
import { describeSecretValue } from "../../internal/secretShape";
import { axiosProxy, ChosenProxy, chooseProxy, proxyUrlProblem, tunnelingAgent } from "./proxy";
import { OidcConfig, oidcIdToken, OidcTokenError } from "./oidc_auth";

/** Where the kubeconfig came from, for error messages (never its content). */
type Origin = string;

interface NamedEntry {
    name: string;
    value: Record<string, unknown>;
    /** Directory of the entry's file; undefined for a kubeconfig given as text. */
    dir: string | undefined;
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

/** Impersonation settings of a kubeconfig user. */
export interface Impersonation {
    readonly user?: string;
    readonly uid?: string;
    readonly groups: readonly string[];
    readonly extra: Readonly<Record<string, readonly string[]>>;
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
    /** The cluster's proxy-url (http or https). */
    readonly proxyUrl?: string;
    /** CA bundle: PEM text, or a file to read. */
    readonly ca?: { readonly data?: string; readonly file?: string };
    readonly clientCert?: { readonly data?: string; readonly file?: string };
    readonly clientKey?: { readonly data?: string; readonly file?: string };
    readonly token?: string;
    readonly tokenFile?: string;
    readonly basic?: { readonly username: string; readonly password: string };
    readonly exec?: ExecConfig;
    /** The cluster's `client.authentication.k8s.io/exec` extension, passed to exec plugins. */
    readonly execClusterConfig?: unknown;
    /** The `oidc` auth-provider's settings. */
    readonly oidc?: OidcConfig;
    /** Directory of the user's kubeconfig file; undefined when the kubeconfig was given as text. */
    readonly dir?: string;
    readonly impersonate?: Impersonation;
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
    dir: string | undefined,
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
 * @param dir directory that relative paths in the file are resolved against; undefined for
 *   a kubeconfig given as text, where relative paths are refused
 * @param origin where it came from, for messages
 */
export function parseKubeconfig(text: string, dir: string | undefined, origin: Origin): KubeconfigDocument {
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

/** `~` and `~/…` as the user's home directory, as a shell would expand them. */
export function expandHome(p: string): string {
    if (p === "~") return os.homedir();
    if (p.startsWith("~/") || p.startsWith(`~${path.sep}`)) return path.join(os.homedir(), p.slice(2));
    return p;
}

/**
 * A file a kubeconfig names, made absolute against its file's directory; in a kubeconfig given
 * as text (no directory) a relative path is refused.
 * @param what e.g. `cluster "c" certificate-authority`
 */
function resolvePath(file: string, dir: string | undefined, what: string, origin: Origin): string {
    if (path.isAbsolute(file)) return file;
    if (dir !== undefined) return path.resolve(dir, file);
    // The path is not shown: it is part of the (secret) kubeconfig text.
    throw new KubeconfigError(
        `kubeconfig (${origin}): ${what} is a relative path, and a kubeconfig given as text has no directory to resolve it ` +
            `against (it is kept in state and used again by refresh and destroy). Use an absolute path, embed the file ` +
            `(\`kubectl config view --minify --flatten\` writes the *-data fields), or pass the kubeconfig as a file (KUBECONFIG).`,
    );
}

function dataOrFile(
    entry: Record<string, unknown>,
    key: string,
    dir: string | undefined,
    what: string,
    origin: Origin,
) {
    const data = str(entry[`${key}-data`]);
    if (data !== undefined) return { data: Buffer.from(data, "base64").toString("utf8") };
    const file = str(entry[key]);
    return file !== undefined ? { file: resolvePath(file, dir, `${what} ${key}`, origin) } : undefined;
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
    const proxyUrl = str(c["proxy-url"]);
    if (proxyUrl !== undefined) {
        const problem = proxyUrlProblem(proxyUrl);
        if (problem !== undefined)
            throw new KubeconfigError(
                `kubeconfig (${doc.origin}): cluster "${cluster.name}" proxy-url ${problem}`,
            );
    }
    const u = userEntry?.value ?? {};
    const udir = userEntry !== undefined ? userEntry.dir : cluster.dir;
    const userWhat = `user "${userName}"`;
    const token = str(u.token);
    let oidc: OidcConfig | undefined;
    const authProvider = asRecord(u["auth-provider"]);
    if (Object.keys(authProvider).length > 0) {
        const providerName = str(authProvider.name);
        if (providerName !== "oidc") {
            const which =
                providerName !== undefined && KNOWN_AUTH_PROVIDERS.includes(providerName)
                    ? `auth-provider "${providerName}"`
                    : `an auth-provider (${describeSecretValue(providerName)}) other than "oidc"`;
            throw new KubeconfigError(
                `kubeconfig (${doc.origin}): ${userWhat} uses ${which}, which is not supported; ` +
                    `use an exec credential plugin (for IBM Cloud: \`ibmcloud ks cluster config --cluster <name>\` writes one)`,
            );
        }
        oidc = resolveOidc(
            asRecord(authProvider.config),
            udir,
            `${userWhat} auth-provider "oidc"`,
            doc.origin,
        );
    }
    let exec: ExecConfig | undefined;
    const e = asRecord(u.exec);
    if (Object.keys(e).length > 0) {
        const command = str(e.command);
        const apiVersion = str(e.apiVersion);
        if (command === undefined)
            throw new KubeconfigError(`kubeconfig (${doc.origin}): ${userWhat} exec has no command`);
        if (
            apiVersion !== "client.authentication.k8s.io/v1" &&
            apiVersion !== "client.authentication.k8s.io/v1beta1"
        ) {
            throw new KubeconfigError(
                `kubeconfig (${doc.origin}): ${userWhat} exec apiVersion ` +
                    (apiVersion === "client.authentication.k8s.io/v1alpha1"
                        ? `"${apiVersion}" `
                        : `(${describeSecretValue(apiVersion)}) `) +
                    `is not supported; use client.authentication.k8s.io/v1 or v1beta1`,
            );
        }
        // As kubectl: a command with a path separator is relative to the kubeconfig's directory.
        const hasSeparator = command.includes("/") || command.includes("\\");
        exec = {
            command: hasSeparator
                ? resolvePath(command, udir, `${userWhat} exec command`, doc.origin)
                : command,
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
    const impersonate = resolveImpersonation(u);
    const execExtension = Array.isArray(c.extensions)
        ? c.extensions.map(asRecord).find((x) => x.name === "client.authentication.k8s.io/exec")
        : undefined;
    const tokenFile = str(u.tokenFile);
    return {
        contextName,
        clusterName: cluster.name,
        userName: userName ?? "",
        namespace: str(ctx.value.namespace),
        server: server.replace(/\/+$/, ""),
        insecureSkipTlsVerify: c["insecure-skip-tls-verify"] === true,
        tlsServerName: str(c["tls-server-name"]),
        ...(proxyUrl !== undefined ? { proxyUrl } : {}),
        ca: dataOrFile(c, "certificate-authority", cluster.dir, `cluster "${cluster.name}"`, doc.origin),
        clientCert: dataOrFile(u, "client-certificate", udir, userWhat, doc.origin),
        clientKey: dataOrFile(u, "client-key", udir, userWhat, doc.origin),
        token,
        tokenFile:
            tokenFile !== undefined
                ? resolvePath(tokenFile, udir, `${userWhat} tokenFile`, doc.origin)
                : undefined,
        basic: username !== undefined ? { username, password: str(u.password) ?? "" } : undefined,
        exec,
        ...(execExtension !== undefined && execExtension.extension !== undefined
            ? { execClusterConfig: execExtension.extension }
            : {}),
        ...(oidc !== undefined ? { oidc } : {}),
        dir: udir,
        impersonate,
    };
}

function resolveOidc(
    cfg: Record<string, unknown>,
    dir: string | undefined,
    what: string,
    origin: Origin,
): OidcConfig {
    const idToken = str(cfg["id-token"]);
    const refreshToken = str(cfg["refresh-token"]);
    const issuerUrl = str(cfg["idp-issuer-url"]);
    const clientId = str(cfg["client-id"]);
    if (idToken === undefined && refreshToken === undefined) {
        throw new KubeconfigError(
            `kubeconfig (${origin}): ${what} has neither an id-token nor a refresh-token; write a new kubeconfig ` +
                `(for IBM Cloud: \`ibmcloud ks cluster config --cluster <name>\`)`,
        );
    }
    if (refreshToken !== undefined) {
        // What client-go's oidc plugin requires to refresh.
        const missing = [
            issuerUrl === undefined ? "idp-issuer-url" : "",
            clientId === undefined ? "client-id" : "",
        ]
            .filter((m) => m !== "")
            .join(" and ");
        if (missing !== "")
            throw new KubeconfigError(
                `kubeconfig (${origin}): ${what} has a refresh-token but no ${missing}`,
            );
        let issuer: URL | undefined;
        try {
            issuer = new URL(issuerUrl!);
        } catch {
            issuer = undefined;
        }
        const loopback =
            issuer !== undefined &&
            /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(issuer.host.replace(/:\d+$/, ""));
        if (
            issuer === undefined ||
            !(issuer.protocol === "https:" || (issuer.protocol === "http:" && loopback))
        ) {
            // The refresh token is a credential: it goes only to an https issuer (or loopback).
            throw new KubeconfigError(
                `kubeconfig (${origin}): ${what} idp-issuer-url must be an https:// URL ` +
                    `(plain http only on loopback), since the refresh-token is sent to it`,
            );
        }
    }
    const scopes = str(cfg["extra-scopes"]);
    return {
        issuerUrl,
        clientId,
        clientSecret: str(cfg["client-secret"]),
        idToken,
        refreshToken,
        issuerCa: dataOrFile(cfg, "idp-certificate-authority", dir, what, origin),
        extraScopes:
            scopes !== undefined
                ? scopes
                      .split(",")
                      .map((x) => x.trim())
                      .filter((x) => x !== "")
                : [],
    };
}

function resolveImpersonation(u: Record<string, unknown>): Impersonation | undefined {
    const user = str(u.as);
    const uid = str(u["as-uid"]);
    const groups = Array.isArray(u["as-groups"]) ? u["as-groups"].map(String) : [];
    const extra: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(asRecord(u["as-user-extra"]))) {
        extra[k] = Array.isArray(v) ? v.map(String) : [String(v)];
    }
    if (user === undefined && uid === undefined && groups.length === 0 && Object.keys(extra).length === 0)
        return undefined;
    return { ...(user !== undefined ? { user } : {}), ...(uid !== undefined ? { uid } : {}), groups, extra };
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
 * service account. Reads the environment at call time: call it inside provider methods.
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

    // Made absolute by resolveKubeconfig when it has a path separator; else looked up on PATH.
    const command = exec.command;
    // The Cluster object client-go hands the plugin: the CA as data even when the kubeconfig
    // names a file (client-go reads it), and the cluster's exec extension as `config`.
    const ca = readMaybe(cfg.ca, "certificate-authority", `context "${cfg.contextName}"`);
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
    /** Environment for exec plugins and the proxy variables. @default process.env */
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
/** Items per page of a list call. */
const LIST_PAGE_SIZE = 500;

export class KubeClient {
    private constructor(
        readonly config: ResolvedKubeconfig,
        private readonly opts: KubeClientOptions,
        private agent: https.Agent | undefined,
        private authorization: string | undefined,
        private readonly proxy: ChosenProxy | undefined,
    ) {}

    /**
     * Reads the files the kubeconfig points to, runs its exec plugin or refreshes its oidc
     * token if needed, picks the proxy, and builds the client.
     */
    static async connect(config: ResolvedKubeconfig, opts: KubeClientOptions = {}): Promise<KubeClient> {
        let proxy: ChosenProxy | undefined;
        try {
            proxy = chooseProxy(
                new URL(config.server),
                config.proxyUrl,
                opts.env ?? process.env,
                `cluster "${config.clusterName}" proxy-url`,
            );
        } catch (err) {
            throw new KubeconfigError(
                `kubeconfig context "${config.contextName}": ${(err as Error).message}`,
            );
        }
        const client = new KubeClient(config, opts, undefined, undefined, proxy);
        await client.authenticate(false);
        return client;
    }

    /** Where requests go through, for messages: e.g. ` through the proxy from HTTPS_PROXY`. */
    get via(): string {
        return this.proxy !== undefined ? ` through the proxy from ${this.proxy.source}` : "";
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
        if (authorization === undefined && c.oidc !== undefined) {
            try {
                const idToken = await oidcIdToken(c.oidc, `kubeconfig user "${c.userName}"`, {
                    force: refresh,
                    env: this.opts.env,
                    timeoutMs: this.opts.timeoutMs,
                });
                authorization = `Bearer ${idToken}`;
            } catch (err) {
                if (err instanceof OidcTokenError) throw new KubeconfigError(err.message);
                throw err;
            }
        }
        if (authorization === undefined && c.tokenFile !== undefined) {
            const t = readMaybe({ file: c.tokenFile }, "tokenFile", where)!.trim();
            authorization = `Bearer ${t}`;
        }
        if (authorization === undefined && c.basic !== undefined) {
            authorization = `Basic ${Buffer.from(`${c.basic.username}:${c.basic.password}`).toString("base64")}`;
        }
        if (c.server.startsWith("https://")) {
            const tlsOptions: https.AgentOptions = {
                ca: readMaybe(c.ca, "certificate-authority", where),
                cert,
                key,
                rejectUnauthorized: !c.insecureSkipTlsVerify,
                servername: c.tlsServerName,
                keepAlive: true,
            };
            this.agent?.destroy();
            this.agent =
                this.proxy !== undefined
                    ? tunnelingAgent(this.proxy, tlsOptions)
                    : new https.Agent(tlsOptions);
        }
        this.authorization = authorization;
    }

    /** GET; resolves with 404 as a response rather than an error, so callers can test for absence. */
    get<T = unknown>(apiPath: string): Promise<KubeResponse<T>> {
        return this.request<T>("GET", apiPath, undefined, [404]);
    }

    /**
     * Every item of a collection, following `continue` tokens (500 a page, as kubectl reads
     * large lists), or undefined when the collection is not served (404: a namespace that is
     * gone, an API group that is not installed). `query` (e.g. `labelSelector=…`) goes on every
     * page. A page that is not a list throws: an empty answer must only ever be a real one.
     */
    async list<T = unknown>(collectionPath: string, query = ""): Promise<T[] | undefined> {
        const items: T[] = [];
        let token: string | undefined;
        do {
            const page =
                `${collectionPath}?${query ? `${query}&` : ""}limit=${LIST_PAGE_SIZE}` +
                (token !== undefined ? `&continue=${encodeURIComponent(token)}` : "");
            const res = await this.get<{ items?: T[]; metadata?: { continue?: string } }>(page);
            if (res.status === 404) return undefined;
            const got = res.data?.items;
            if (!Array.isArray(got)) {
                throw new KubeApiError("GET", page, res.status, undefined, "the answer is not a list");
            }
            items.push(...got);
            token = res.data.metadata?.continue || undefined;
        } while (token !== undefined);
        return items;
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
            Object.assign(headers, impersonationHeaders(this.config.impersonate));
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
                // https goes through the agent's CONNECT tunnel; plain http through axios's proxy.
                proxy:
                    this.proxy !== undefined && this.config.server.startsWith("http://")
                        ? axiosProxy(this.proxy)
                        : false,
            };
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
                    networkDetail(err as Error, code, this.config) + this.via,
                );
            }
            const data = parseJson(text);
            const renewable =
                this.config.exec !== undefined ||
                (this.config.oidc?.refreshToken !== undefined && this.config.token === undefined);
            if (status === 401 && renewable && !refreshed) {
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

/**
 * Impersonation headers as client-go sends them: one `Impersonate-Group` line per group, and
 * `Impersonate-Extra-<key>` per extra key, the key percent-encoded where a header name may not
 * hold the character.
 */
export function impersonationHeaders(imp: Impersonation | undefined): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = {};
    if (imp === undefined) return headers;
    if (imp.user !== undefined) headers["Impersonate-User"] = imp.user;
    if (imp.uid !== undefined) headers["Impersonate-Uid"] = imp.uid;
    // axios sends an array as one header line per value.
    if (imp.groups.length > 0) headers["Impersonate-Group"] = [...imp.groups];
    for (const [key, values] of Object.entries(imp.extra)) {
        const escaped = [...Buffer.from(key, "utf8")]
            .map((b) =>
                /[A-Za-z0-9!#$&'*+.^_`|~-]/.test(String.fromCharCode(b)) && b < 0x80
                    ? String.fromCharCode(b)
                    : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
            )
            .join("");
        headers[`Impersonate-Extra-${escaped}`] = [...values];
    }
    return headers;
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
