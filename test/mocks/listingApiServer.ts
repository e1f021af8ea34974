// A small API server on loopback for construction tests whose components read the cluster
// (the enforcement preview lists workloads): it lists the given Deployments, and empty lists for
// everything else.
import * as http from "http";
import { AddressInfo } from "net";

/** Starts the server; resolves to a kubeconfig that reaches it, and how to stop it. */
export async function apiServer(
    deployments: unknown[],
): Promise<{ kubeconfig: string; close: () => Promise<void> }> {
    const server = http.createServer((req, res) => {
        const path = new URL(req.url ?? "/", "http://x").pathname;
        const items = path === "/apis/apps/v1/deployments" ? deployments : [];
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ items, metadata: {} }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const kubeconfig = [
        "apiVersion: v1",
        "kind: Config",
        `clusters: [{ name: c, cluster: { server: "${url}" } }]`,
        "users: [{ name: u, user: { token: t } }]",
        "contexts: [{ name: x, context: { cluster: c, user: u } }]",
        "current-context: x",
    ].join("\n");
    return { kubeconfig, close: () => new Promise((r) => server.close(() => r())) };
}

/** A Deployment of one container, as the API server lists it. */
export const deployment = (namespace: string, name: string, image: string) => ({
    metadata: { namespace, name },
    spec: { template: { spec: { containers: [{ name: "c", image }] } } },
});
