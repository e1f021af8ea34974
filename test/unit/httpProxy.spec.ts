import { expect } from "chai";
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { chooseProxy, noProxyMatches } from "../../components/clients/kube/proxy";
import { KubeClient } from "../../components/clients/kube/client";
import { loadKubeconfig } from "../../components/clients/kube/config_sources";
import { ConnectProxy, startConnectProxy } from "../bed/connectProxy";
import { issueCert, makeCa } from "../bed/pki";

describe("proxies for the Kubernetes client", function () {
    const choose = (url: string, env: NodeJS.ProcessEnv, proxyUrl?: string) =>
        chooseProxy(new URL(url), proxyUrl, env, "proxy-url")?.url.href;

    it("takes HTTPS_PROXY for https and HTTP_PROXY for http, upper case first, as Go does", function () {
        const env = { HTTPS_PROXY: "http://upper:1", https_proxy: "http://lower:2", http_proxy: "plain:3" };
        expect(choose("https://kube.example.com:6443", env)).to.equal("http://upper:1/");
        expect(choose("https://kube.example.com", { https_proxy: "http://lower:2" })).to.equal(
            "http://lower:2/",
        );
        // A proxy without a scheme is http://.
        expect(choose("http://kube.example.com", env)).to.equal("http://plain:3/");
        expect(choose("https://kube.example.com", {})).to.equal(undefined);
    });

    it("never sends localhost or loopback addresses to an environment proxy, but does to proxy-url", function () {
        const env = { HTTPS_PROXY: "http://p:1" };
        for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "[::1]"])
            expect(choose(`https://${host}:6443`, env), host).to.equal(undefined);
        expect(choose("https://127.0.0.1:6443", env, "http://cluster-proxy:8080")).to.equal(
            "http://cluster-proxy:8080/",
        );
    });

    it("honours NO_PROXY: *, names with their subdomains, .subdomains only, IPs, CIDR ranges and ports", function () {
        const cases: [string, string, string, boolean][] = [
            ["*", "anything.example", "443", true],
            ["example.com", "example.com", "443", true],
            ["example.com", "api.example.com", "443", true],
            ["example.com", "badexample.com", "443", false],
            [".example.com", "api.example.com", "443", true],
            [".example.com", "example.com", "443", false],
            ["10.0.0.0/8", "10.1.2.3", "443", true],
            ["10.0.0.0/8", "11.1.2.3", "443", false],
            ["10.1.2.3", "10.1.2.3", "6443", true],
            ["example.com:6443", "example.com", "6443", true],
            ["example.com:6443", "example.com", "443", false],
            [" other.org , example.com ", "example.com", "443", true],
        ];
        for (const [noProxy, host, port, expected] of cases)
            expect(noProxyMatches(noProxy, host, port), `${noProxy} ~ ${host}:${port}`).to.equal(expected);
        expect(
            choose("https://api.example.com", { HTTPS_PROXY: "http://p:1", no_proxy: "example.com" }),
        ).to.equal(undefined);
    });

    it("names the variable, not its value, when a proxy URL is unusable", function () {
        expect(() => choose("https://kube.example.com", { HTTPS_PROXY: "socks5://user:pw@p:1080" })).to.throw(
            /^the HTTPS_PROXY environment variable uses socks5, which the service-account patcher does not support/,
        );
        try {
            choose("https://kube.example.com", { HTTPS_PROXY: "socks5://user:pw@p:1080" });
        } catch (err) {
            expect((err as Error).message).not.to.contain("pw");
        }
    });

    describe("through a CONNECT tunnel to an HTTPS API server", function () {
        let dir: string;
        let server: https.Server;
        let port: number;
        let proxy: ConnectProxy;
        let caFile: string;
        const seen: string[] = [];

        before(async function () {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "kc-proxy-"));
            const ca = makeCa(dir, "test-ca");
            caFile = ca.certFile;
            const cert = issueCert(ca, dir, "kube", { cn: "kube", dns: ["kube.test"], usage: "server" });
            server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
                seen.push(`${req.headers.host} ${req.headers.authorization}`);
                res.writeHead(200, { "Content-Type": "application/json" });
                res.end("{}");
            });
            await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
            port = (server.address() as AddressInfo).port;
            // Only the proxy knows where kube.test is: a request that arrives came through it.
            proxy = await startConnectProxy({ "kube.test": "127.0.0.1" });
        });
        after(async function () {
            await proxy.close();
            server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        });
        beforeEach(function () {
            seen.length = 0;
            proxy.connects.length = 0;
            proxy.authorizations.length = 0;
        });

        const kubeconfig = (clusterExtra: string) => {
            const file = path.join(dir, "config");
            fs.writeFileSync(
                file,
                `clusters: [{name: c, cluster: {server: "https://kube.test:${port}", certificate-authority: ${caFile}${clusterExtra}}}]\n` +
                    `users: [{name: u, user: {token: tok}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
            );
            return loadKubeconfig({}, { KUBECONFIG: file });
        };

        it("goes through HTTPS_PROXY, verifying the server's certificate inside the tunnel", async function () {
            const client = await KubeClient.connect(kubeconfig(""), { env: { HTTPS_PROXY: proxy.url } });
            expect((await client.get("/api")).status).to.equal(200);
            expect((await client.get("/api/v1")).status).to.equal(200);
            expect(proxy.connects).to.deep.equal([`kube.test:${port}`]); // one tunnel, kept alive
            expect(seen).to.deep.equal([`kube.test:${port} Bearer tok`, `kube.test:${port} Bearer tok`]);
        });

        it("goes through the cluster's proxy-url, with its credentials, even when NO_PROXY lists the server", async function () {
            const withAuth = proxy.url.replace("http://", "http://robot:s%3Acret@");
            const client = await KubeClient.connect(kubeconfig(`, proxy-url: "${withAuth}"`), {
                env: { NO_PROXY: "kube.test" },
            });
            expect((await client.get("/api")).status).to.equal(200);
            expect(proxy.connects).to.deep.equal([`kube.test:${port}`]);
            expect(proxy.authorizations).to.deep.equal([
                `Basic ${Buffer.from("robot:s:cret").toString("base64")}`,
            ]);
        });

        it("skips HTTPS_PROXY for a server NO_PROXY lists", async function () {
            const client = await KubeClient.connect(kubeconfig(""), {
                env: { HTTPS_PROXY: proxy.url, NO_PROXY: ".test" },
                retries: 0,
            });
            let message = "";
            await client.get("/api").catch((e: Error) => (message = e.message));
            // Directly, kube.test does not resolve: the proxy was not used.
            expect(message).to.match(/ENOTFOUND|EAI_AGAIN/);
            expect(proxy.connects).to.deep.equal([]);
        });
    });
});
