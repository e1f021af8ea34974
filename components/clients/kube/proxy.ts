// HTTP proxies for the Kubernetes client (./client.ts, ./oidc_auth.ts), chosen as client-go
// chooses them: a cluster's `proxy-url` wins; otherwise HTTPS_PROXY / HTTP_PROXY (upper case
// first, then lower case) unless NO_PROXY matches, and never for localhost or a loopback
// address (Go's golang.org/x/net/http/httpproxy rules, which kubectl and the Kubernetes
// provider, pulumi-kubernetes, use). HTTPS goes through an HTTP CONNECT tunnel, plain HTTP as an absolute-URI
// request. socks5 proxies, which client-go also takes in `proxy-url`, are refused by name.
//
// Written by hand rather than with https-proxy-agent and proxy-from-env:
// docs/design/kubernetes-client.md.
import * as http from "http";
import * as https from "https";
import * as net from "net";
import type { Duplex } from "stream";
import * as tls from "tls";

/** Where a proxy came from, for messages: never the URL itself, which may hold a password. */
export interface ChosenProxy {
    readonly url: URL;
    readonly source: string;
}

/** Why a proxy URL cannot be used, or undefined when it can. */
export function proxyUrlProblem(value: string): string | undefined {
    let url: URL;
    try {
        url = new URL(value.includes("://") ? value : `http://${value}`);
    } catch {
        return "is not a URL";
    }
    if (url.protocol === "http:" || url.protocol === "https:") return undefined;
    if (url.protocol.startsWith("socks")) {
        return `uses ${url.protocol.replace(/:$/, "")}, which the service-account patcher does not support; use an http:// or https:// proxy (HTTP CONNECT)`;
    }
    return `has the scheme "${url.protocol.replace(/:$/, "")}"; use an http:// or https:// proxy`;
}

function parseProxy(value: string, source: string): ChosenProxy {
    const problem = proxyUrlProblem(value);
    if (problem !== undefined) throw new Error(`${source} ${problem}`);
    // A proxy without a scheme is an http:// proxy, as Go reads it.
    return { url: new URL(value.includes("://") ? value : `http://${value}`), source };
}

function stripBrackets(host: string): string {
    return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function isLoopback(host: string): boolean {
    const h = stripBrackets(host).toLowerCase();
    if (h === "localhost" || h.endsWith(".localhost")) return true;
    if (net.isIPv4(h)) return h.startsWith("127.");
    return h === "::1";
}

function inCidr(ip: string, cidr: string): boolean {
    const [base, bitsText] = cidr.split("/");
    const bits = Number(bitsText);
    const family = net.isIPv4(ip) ? "ipv4" : "ipv6";
    if (!net.isIP(base) || (net.isIPv4(base) ? "ipv4" : "ipv6") !== family || !Number.isInteger(bits))
        return false;
    const list = new net.BlockList();
    list.addSubnet(base, bits, family);
    return list.check(ip, family);
}

/**
 * Whether NO_PROXY exempts `host:port`: `*`; an IP address or CIDR range; a domain name,
 * which matches itself and its subdomains (a leading "." matches subdomains only); each
 * optionally with `:port`.
 */
export function noProxyMatches(noProxy: string, host: string, port: string): boolean {
    const h = stripBrackets(host).toLowerCase();
    for (const raw of noProxy.split(",")) {
        let entry = raw.trim().toLowerCase();
        if (entry === "") continue;
        if (entry === "*") return true;
        if (entry.includes("/")) {
            if (net.isIP(h) && inCidr(h, entry)) return true;
            continue;
        }
        let entryPort: string | undefined;
        const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
        if (m) [entry, entryPort] = [m[1], m[2]];
        entry = stripBrackets(entry);
        if (entryPort !== undefined && entryPort !== port) continue;
        if (net.isIP(entry)) {
            if (entry === h) return true;
            continue;
        }
        if (entry.startsWith(".")) {
            if (h.endsWith(entry)) return true;
        } else if (h === entry || h.endsWith(`.${entry}`)) {
            return true;
        }
    }
    return false;
}

/**
 * The proxy for requests to `target`: `proxyUrl` (the cluster's `proxy-url`) if set, else the
 * environment's, else none.
 */
export function chooseProxy(
    target: URL,
    proxyUrl: string | undefined,
    env: NodeJS.ProcessEnv,
    proxyUrlSource: string,
): ChosenProxy | undefined {
    if (proxyUrl !== undefined) return parseProxy(proxyUrl, proxyUrlSource);
    const https = target.protocol === "https:";
    const [upper, lower] = https ? ["HTTPS_PROXY", "https_proxy"] : ["HTTP_PROXY", "http_proxy"];
    const name = env[upper] ? upper : env[lower] ? lower : undefined;
    if (name === undefined) return undefined;
    if (isLoopback(target.hostname)) return undefined;
    const port = target.port || (https ? "443" : "80");
    const noProxy = env.NO_PROXY ?? env.no_proxy ?? "";
    if (noProxyMatches(noProxy, target.hostname, port)) return undefined;
    return parseProxy(env[name]!, `the ${name} environment variable`);
}

/** `Proxy-Authorization` for a proxy URL with a user name, else nothing. */
function proxyAuthorization(url: URL): Record<string, string> {
    if (url.username === "") return {};
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    return { "Proxy-Authorization": `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` };
}

/** axios's `proxy` setting for a plain-http target. */
export function axiosProxy(p: ChosenProxy): {
    protocol: string;
    host: string;
    port: number;
    auth?: { username: string; password: string };
} {
    const u = p.url;
    return {
        protocol: u.protocol.replace(/:$/, ""),
        host: stripBrackets(u.hostname),
        port: Number(u.port || (u.protocol === "https:" ? 443 : 80)),
        ...(u.username !== ""
            ? { auth: { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } }
            : {}),
    };
}

type ConnectOptions = tls.ConnectionOptions & { host?: string; port?: number | string; servername?: string };

/**
 * An https.Agent that reaches each server through an HTTP CONNECT tunnel at `proxy`, then runs
 * TLS to the server inside it with the agent's own TLS options (CA, client certificate,
 * server name), so the proxy sees neither the credentials nor the traffic. (An instance with
 * its own createConnection rather than a subclass: code that copies the dynamic provider by value
 * cannot serialize a subclass of a built-in class.)
 */
export function tunnelingAgent(proxy: ChosenProxy, options: https.AgentOptions): https.Agent {
    const agent = new https.Agent(options);
    // Node's Agent accepts an asynchronous createConnection that reports through the callback.
    const createConnection = (
        connectOptions: ConnectOptions,
        callback: (err: Error | null, socket?: Duplex) => void,
    ): undefined => {
        const target = `${connectOptions.host}:${connectOptions.port}`;
        const p = proxy.url;
        const request = p.protocol === "https:" ? https.request : http.request;
        const req = request({
            host: stripBrackets(p.hostname),
            port: p.port || (p.protocol === "https:" ? 443 : 80),
            method: "CONNECT",
            path: target,
            headers: { Host: target, ...proxyAuthorization(p) },
            agent: false,
            timeout: 30_000,
        });
        req.once("connect", (res, socket) => {
            if (res.statusCode !== 200) {
                socket.destroy();
                callback(
                    new Error(
                        `the proxy from ${proxy.source} refused CONNECT ${target}: HTTP ${res.statusCode}`,
                    ),
                );
                return;
            }
            callback(null, tls.connect({ ...connectOptions, socket }));
        });
        req.once("timeout", () =>
            req.destroy(new Error(`the proxy from ${proxy.source} did not answer CONNECT ${target}`)),
        );
        req.once("error", (err) => callback(err));
        req.end();
        return undefined;
    };
    (agent as unknown as { createConnection: typeof createConnection }).createConnection = createConnection;
    return agent;
}
