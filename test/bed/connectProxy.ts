// An HTTP proxy on loopback that tunnels CONNECT requests and records each one, so tests can
// show that a client really went through it. Host names can be mapped to addresses, which
// lets a test give the API server a name that only the proxy can resolve: a request that
// arrives at all has then come through the tunnel.
import * as http from "http";
import { AddressInfo } from "net";
import * as net from "net";

/** A running proxy. */
export interface ConnectProxy {
    /** http://127.0.0.1:<port> */
    readonly url: string;
    /** `host:port` of every CONNECT, in order (as the client asked, before mapping). */
    readonly connects: string[];
    /** Proxy-Authorization header of each CONNECT ("" when none). */
    readonly authorizations: string[];
    close(): Promise<void>;
}

/**
 * Starts the proxy.
 * @param hosts names the proxy resolves itself, e.g. `{ "kube.test": "127.0.0.1" }`
 */
export async function startConnectProxy(hosts: Record<string, string> = {}): Promise<ConnectProxy> {
    const connects: string[] = [];
    const authorizations: string[] = [];
    const sockets = new Set<net.Socket>();
    const server = http.createServer((_req, res) => {
        res.writeHead(405, { "Content-Type": "text/plain" });
        res.end("this proxy only tunnels CONNECT\n");
    });
    server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
        const target = req.url ?? "";
        connects.push(target);
        authorizations.push(String(req.headers["proxy-authorization"] ?? ""));
        const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
        if (!m) {
            client.end("HTTP/1.1 400 Bad Request\r\n\r\n");
            return;
        }
        const host = hosts[m[1]] ?? m[1].replace(/^\[|\]$/g, "");
        const upstream = net.connect(Number(m[2]), host, () => {
            client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            if (head.length > 0) upstream.write(head);
            upstream.pipe(client);
            client.pipe(upstream);
        });
        for (const s of [client, upstream]) {
            sockets.add(s);
            s.on("close", () => sockets.delete(s));
        }
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}`,
        connects,
        authorizations,
        close: () =>
            new Promise<void>((resolve) => {
                for (const s of sockets) s.destroy();
                server.close(() => resolve());
            }),
    };
}
