// Kubeconfig parsing and resolution, as kubectl (client-go) does it: one or more kubeconfig
// documents merged, a context picked, its cluster and user resolved into what a request needs
// (./config_sources.ts says where the documents come from; ./client.ts sends the requests).
// Why this client is hand-written: docs/design/kubernetes-client.md.
//
// Supported: current-context or a named context; several files in KUBECONFIG (first file wins
// per name, as kubectl merges); server with a path prefix; certificate-authority(-data),
// insecure-skip-tls-verify, tls-server-name; proxy-url (http/https; ./proxy.ts); bearer token,
// tokenFile, client certificate and key (data or file), basic auth, impersonation (`as`,
// `as-uid`, `as-groups`, `as-user-extra`); `exec` credential plugins (client.authentication.k8s.io
// v1 and v1beta1, with provideClusterInfo; ./exec_auth.ts); the `oidc` auth-provider with
// id-token and refresh-token (./oidc_auth.ts). Not supported (an error says so at preview):
// socks5 proxies and other auth-providers.
//
// Relative paths: in a kubeconfig file they are relative to that file's directory, as in
// client-go. A kubeconfig given as text (the `kubeconfig` input, or the kubernetes:kubeconfig
// setting holding YAML) has no directory: it is stored in state and used again by refresh and
// destroy, maybe from another directory or machine, so a relative path in it is refused at
// preview, naming the field, rather than silently resolved against whatever directory the
// dynamic provider's host process happens to run in.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { NamedError } from "../../shared/namedError";
import { describeSecretValue } from "../../shared/secretShape";
import type { OidcConfig } from "./oidc_auth";
import { proxyUrlProblem } from "./proxy";

/** Where the kubeconfig came from, for error messages (never its content). */
export type Origin = string;

export interface NamedEntry {
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

/** The value as an object, or `{}`. @internal */
export function asRecord(value: unknown): Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : {};
}

/** A non-empty string, or undefined. @internal */
export function str(value: unknown): string | undefined {
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

/** The text of a `*-data` value or of the file a kubeconfig names; undefined when neither is set. */
export function readDataOrFile(
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
