// The enforcement preview's reader over real HTTP on loopback: every page of a list is read,
// an API that is not served means "Portieris is not installed", and key secrets are told apart.
import { expect } from "chai";
import * as http from "http";
import { AddressInfo } from "net";
import { connect, keySecretState, readClusterSnapshot } from "../../components/portieris/clusterSnapshot";

type Handler = (url: URL) => { status: number; body: unknown };

async function serve(
    handler: Handler,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://x");
        requests.push(`${url.pathname}${url.search}`);
        const { status, body } = handler(url);
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((r) => server.close(() => r())),
    };
}

const kubeconfig = (server: string) =>
    [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{ name: c, cluster: { server: " + server + " } }]",
        "users: [{ name: u, user: { token: t } }]",
        "contexts: [{ name: x, context: { cluster: c, user: u } }]",
        "current-context: x",
    ].join("\n");

const list = (items: unknown[], next?: string) => ({
    status: 200,
    body: { items, metadata: next ? { continue: next } : {} },
});
const notFound = { status: 404, body: { kind: "Status", reason: "NotFound" } };

describe("enforcement preview: reading the cluster", function () {
    it("follows continue tokens until the last page", async function () {
        const bed = await serve((url) => {
            const token = url.searchParams.get("continue");
            if (token === null) return list([{ metadata: { name: "a" } }], "page-2");
            if (token === "page-2") return list([{ metadata: { name: "b" } }], "page-3");
            return list([{ metadata: { name: "c" } }]);
        });
        try {
            const client = await connect({ kubeconfig: kubeconfig(bed.url) });
            const items = (await client.list("/api/v1/pods")) as { metadata: { name: string } }[];
            expect(items.map((i) => i.metadata.name)).to.deep.equal(["a", "b", "c"]);
            expect(bed.requests).to.deep.equal([
                "/api/v1/pods?limit=500",
                "/api/v1/pods?limit=500&continue=page-2",
                "/api/v1/pods?limit=500&continue=page-3",
            ]);
        } finally {
            await bed.close();
        }
    });

    it("reads workloads and policies, and notices when Portieris's API is not served", async function () {
        const pods = [
            {
                metadata: { name: "p", namespace: "n" },
                spec: { containers: [{ name: "c", image: "de.icr.io/a/b:1" }] },
            },
        ];
        const policies = [
            {
                metadata: { name: "x", namespace: "n", labels: { k: "v" } },
                spec: { repositories: [{ name: "*" }] },
            },
        ];
        const bed = await serve((url) => {
            if (url.pathname === "/api/v1/pods") return list(pods);
            if (url.pathname === "/apis/portieris.cloud.ibm.com/v1/imagepolicies") return list(policies);
            if (url.pathname === "/apis/portieris.cloud.ibm.com/v1/clusterimagepolicies") return notFound;
            return list([]);
        });
        try {
            const snapshot = await readClusterSnapshot(await connect({ kubeconfig: kubeconfig(bed.url) }));
            expect(snapshot.workloads).to.deep.equal([
                {
                    kind: "Pod",
                    namespace: "n",
                    name: "p",
                    containers: [{ name: "c", image: "de.icr.io/a/b:1", init: false }],
                },
            ]);
            expect(snapshot.policies).to.deep.equal([
                {
                    kind: "ImagePolicy",
                    name: "x",
                    namespace: "n",
                    spec: { repositories: [{ name: "*" }] },
                    labels: { k: "v" },
                },
            ]);
            expect(snapshot.portierisServed).to.equal(false);
        } finally {
            await bed.close();
        }
    });

    it("tells a present key secret from a missing one and from one without the key", async function () {
        const bed = await serve((url) => {
            if (url.pathname.endsWith("/secrets/good"))
                return { status: 200, body: { data: { key: "S0VZ" } } };
            if (url.pathname.endsWith("/secrets/empty"))
                return { status: 200, body: { data: { other: "eA==" } } };
            return notFound;
        });
        try {
            const client = await connect({ kubeconfig: kubeconfig(bed.url) });
            expect(
                await Promise.all(
                    ["good", "empty", "absent"].map((n) => keySecretState(client, "team-a", n)),
                ),
            ).to.deep.equal(["present", "no-key", "missing"]);
        } finally {
            await bed.close();
        }
    });
});
