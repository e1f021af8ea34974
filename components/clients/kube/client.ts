// A small JSON client for one Kubernetes API server, authenticated as a resolved kubeconfig's
// user (./config.ts): GET, list, PUT and POST over axios, with bounded retries, one credential
// refresh on 401 for exec plugins and oidc, and errors that never carry credentials.
// Why it is hand-written: docs/design/kubernetes-client.md. No runtime `@pulumi/pulumi` import:
// the dynamic provider's host process loads it through the provider shim
// (components/internal/providerShim.ts).
import axios, { AxiosRequestConfig } from "axios";
import * as https from "https";
import { NamedError } from "../../shared/namedError";
import { asRecord, Impersonation, KubeconfigError, readDataOrFile, ResolvedKubeconfig, str } from "./config";
import { runExecPlugin } from "./exec_auth";
import { oidcIdToken, OidcTokenError } from "./oidc_auth";
import { axiosProxy, ChosenProxy, chooseProxy, tunnelingAgent } from "./proxy";

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

/** A response: status and parsed JSON body. */
export interface KubeResponse<T = unknown> {
    readonly status: number;
    readonly data: T;
}

// Arrays, not Sets: module-level values are serialized with the dynamic provider when it is
// copied by value (as releases before the shims stored it), and the closure serializer turns a
// Set into a plain object whose `has` then fails.
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
/** Items per page of a list call. */
const LIST_PAGE_SIZE = 500;

/** A JSON client for one API server, authenticated as the kubeconfig's user. */
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
        let cert = readDataOrFile(c.clientCert, "client-certificate", where);
        let key = readDataOrFile(c.clientKey, "client-key", where);
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
            const t = readDataOrFile({ file: c.tokenFile }, "tokenFile", where)!.trim();
            authorization = `Bearer ${t}`;
        }
        if (authorization === undefined && c.basic !== undefined) {
            authorization = `Basic ${Buffer.from(`${c.basic.username}:${c.basic.password}`).toString("base64")}`;
        }
        if (c.server.startsWith("https://")) {
            const tlsOptions: https.AgentOptions = {
                ca: readDataOrFile(c.ca, "certificate-authority", where),
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
