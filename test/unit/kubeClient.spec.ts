import { expect } from "chai";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import {
    KubeApiError,
    KubeClient,
    KubeconfigError,
    loadKubeconfig,
    mergeKubeconfigs,
    parseKubeconfig,
    resolveKubeconfig,
} from "../../components/k8s/kubeClient";

const kubeconfig = (opts: { server?: string; user?: string; current?: string } = {}) => `
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster:
    server: ${opts.server ?? "https://10.0.0.1:6443/"}
    certificate-authority-data: ${Buffer.from("CA-PEM").toString("base64")}
    tls-server-name: kubernetes
- name: c2
  cluster:
    server: https://c2.example.com
    certificate-authority: ca.crt
    insecure-skip-tls-verify: true
users:
- name: u-token
  user:
    token: t0ken
- name: u-cert
  user:
    client-certificate: certs/client.crt
    client-key-data: ${Buffer.from("KEY-PEM").toString("base64")}
    as: alice
    as-groups: [devs, ops]
- name: u-exec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: ./plugin.sh
      args: ["--cluster", "c2"]
      env: [{ name: FOO, value: bar }]
      installHint: install the plugin
      provideClusterInfo: true
contexts:
- name: ctx1
  context: { cluster: c1, user: ${opts.user ?? "u-token"}, namespace: team-a }
- name: ctx2
  context: { cluster: c2, user: u-cert }
- name: ctx3
  context: { cluster: c2, user: u-exec }
- name: broken
  context: { cluster: nowhere, user: u-token }
current-context: ${opts.current ?? "ctx1"}
`;

const errorOf = (fn: () => unknown): string => {
    try {
        fn();
    } catch (err) {
        expect(err).to.be.instanceOf(KubeconfigError);
        return (err as Error).message;
    }
    throw new Error("expected a KubeconfigError");
};

describe("kubeconfig parsing", function () {
    const doc = () => parseKubeconfig(kubeconfig(), "/etc/kube", "test");

    it("resolves the current context: server, CA data, tls-server-name, token, namespace", function () {
        expect(resolveKubeconfig(doc())).to.deep.equal({
            contextName: "ctx1",
            clusterName: "c1",
            userName: "u-token",
            namespace: "team-a",
            server: "https://10.0.0.1:6443",
            insecureSkipTlsVerify: false,
            tlsServerName: "kubernetes",
            ca: { data: "CA-PEM" },
            clientCert: undefined,
            clientKey: undefined,
            token: "t0ken",
            tokenFile: undefined,
            basic: undefined,
            exec: undefined,
            dir: "/etc/kube",
            impersonate: undefined,
        });
    });

    it("honours a named context: files relative to the kubeconfig, key data, insecure, impersonation", function () {
        const r = resolveKubeconfig(doc(), "ctx2");
        expect(r.server).to.equal("https://c2.example.com");
        expect(r.ca).to.deep.equal({ file: "/etc/kube/ca.crt" });
        expect(r.clientCert).to.deep.equal({ file: "/etc/kube/certs/client.crt" });
        expect(r.clientKey).to.deep.equal({ data: "KEY-PEM" });
        expect(r.insecureSkipTlsVerify).to.equal(true);
        expect(r.impersonate).to.deep.equal({ user: "alice", groups: ["devs", "ops"] });
    });

    it("reads exec plugin settings", function () {
        expect(resolveKubeconfig(doc(), "ctx3").exec).to.deep.equal({
            command: "./plugin.sh",
            apiVersion: "client.authentication.k8s.io/v1beta1",
            args: ["--cluster", "c2"],
            env: [{ name: "FOO", value: "bar" }],
            installHint: "install the plugin",
            provideClusterInfo: true,
        });
    });

    it("rejects unknown contexts, dangling references and broken YAML without echoing content", function () {
        expect(errorOf(() => resolveKubeconfig(doc(), "nope"))).to.equal(
            `kubeconfig (test) has no context "nope"; contexts: "ctx1", "ctx2", "ctx3", "broken"`,
        );
        expect(errorOf(() => resolveKubeconfig(doc(), "broken"))).to.equal(
            `kubeconfig (test): context "broken" names a cluster (a 7-character string of letters) that is not defined; ` +
                `clusters: "c1", "c2"`,
        );
        expect(
            errorOf(() => resolveKubeconfig(parseKubeconfig(kubeconfig({ user: "ghost" }), "/", "test"))),
        ).to.equal(
            `kubeconfig (test): context "ctx1" names a user (a 5-character string of letters) that is not defined; ` +
                `users: "u-token", "u-cert", "u-exec"`,
        );
        const bad = errorOf(() =>
            parseKubeconfig("users:\n- name: x\n  user: {token: s3cret-value\n", "/", "test"),
        );
        expect(bad).to.match(/^kubeconfig \(test\) is not valid YAML/);
        expect(bad).not.to.contain("s3cret-value");
        expect(
            errorOf(() => resolveKubeconfig(parseKubeconfig(kubeconfig({ server: "10.0.0.1" }), "/", "t"))),
        ).to.equal(`kubeconfig (t): cluster "c1" needs a server URL starting with https:// or http://`);
    });

    it("accepts the legacy oidc id-token and rejects other auth-providers with the exec-plugin fix", function () {
        const withProvider = (name: string) =>
            parseKubeconfig(
                `clusters: [{name: c, cluster: {server: "https://x"}}]\n` +
                    `users: [{name: u, user: {auth-provider: {name: ${name}, config: {id-token: idt}}}}]\n` +
                    `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
                "/",
                "t",
            );
        expect(resolveKubeconfig(withProvider("oidc")).token).to.equal("idt");
        expect(errorOf(() => resolveKubeconfig(withProvider("gcp")))).to.equal(
            `kubeconfig (t): user "u" uses auth-provider "gcp", which is not supported; use an exec credential plugin ` +
                `(for IBM Cloud: \`ibmcloud ks cluster config --cluster <name>\` writes one)`,
        );
    });

    it("merges KUBECONFIG files first-wins per name and takes the first current-context", function () {
        const a = parseKubeconfig(
            `clusters: [{name: c, cluster: {server: "https://a"}}]\ncontexts: [{name: x, context: {cluster: c}}]\n`,
            "/a",
            "a",
        );
        const b = parseKubeconfig(
            `clusters: [{name: c, cluster: {server: "https://b"}}, {name: d, cluster: {server: "https://d"}}]\n` +
                `contexts: [{name: y, context: {cluster: d}}]\ncurrent-context: y\n`,
            "/b",
            "b",
        );
        const merged = mergeKubeconfigs([a, b]);
        expect(merged.currentContext).to.equal("y");
        expect(merged.clusters.map((c) => [c.name, c.value.server, c.dir])).to.deep.equal([
            ["c", "https://a", "/a"],
            ["d", "https://d", "/b"],
        ]);
        expect(resolveKubeconfig(merged, "x").server).to.equal("https://a");
    });

    it("loads the input first, then kubernetes:kubeconfig (path or text), then KUBECONFIG files", function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kc-"));
        try {
            const file = path.join(dir, "config");
            fs.writeFileSync(file, kubeconfig({ server: "https://from-file" }));
            const env = { KUBECONFIG: `${path.join(dir, "missing")}${path.delimiter}${file}` };
            expect(
                loadKubeconfig({ kubeconfig: kubeconfig({ server: "https://input" }) }, env).server,
            ).to.equal("https://input");
            expect(loadKubeconfig({ stackKubeconfig: file }, env).server).to.equal("https://from-file");
            expect(
                loadKubeconfig({ stackKubeconfig: kubeconfig({ server: "https://stack" }) }, env).server,
            ).to.equal("https://stack");
            const fromEnv = loadKubeconfig({ context: "ctx2" }, env);
            expect([fromEnv.server, fromEnv.ca]).to.deep.equal([
                "https://c2.example.com",
                { file: path.join(dir, "ca.crt") },
            ]);
            expect(errorOf(() => loadKubeconfig({}, { KUBECONFIG: path.join(dir, "missing") }))).to.equal(
                `no kubeconfig found: none of the KUBECONFIG files exist (${path.join(dir, "missing")}). ` +
                    `Pass "kubeconfig" (YAML text, as a secret), set the kubernetes:kubeconfig stack setting, or set KUBECONFIG.`,
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("KubeClient", function () {
    let server: http.Server;
    let url: string;
    let handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
    const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
    let dir: string;

    before(async function () {
        server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (c) => (body += c));
            req.on("end", () => {
                seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
                handler(req, body, res);
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "kc-exec-"));
    });
    after(function () {
        server.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(function () {
        seen.length = 0;
    });

    const config = (user: string) =>
        resolveKubeconfig(
            parseKubeconfig(
                `clusters: [{name: c, cluster: {server: "${url}/prefix"}}]\n` +
                    `users: [{name: u, user: ${user}}]\n` +
                    `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
                dir,
                "t",
            ),
        );
    const json = (
        res: http.ServerResponse,
        status: number,
        body: unknown,
        headers: Record<string, string> = {},
    ) => {
        res.writeHead(status, { "Content-Type": "application/json", ...headers });
        res.end(JSON.stringify(body));
    };

    it("sends the bearer token, impersonation headers and JSON under the server's path prefix", async function () {
        handler = (_req, _body, res) => json(res, 200, { ok: true });
        const client = await KubeClient.connect(config(`{token: abc, as: alice, as-groups: [g1, g2]}`));
        const res = await client.put("/api/v1/x", { a: 1 });
        expect(res).to.deep.equal({ status: 200, data: { ok: true } });
        expect(seen[0].url).to.equal("/prefix/api/v1/x");
        expect(seen[0].headers.authorization).to.equal("Bearer abc");
        expect(seen[0].headers["impersonate-user"]).to.equal("alice");
        expect(seen[0].headers["impersonate-group"]).to.equal("g1, g2");
        expect(seen[0].body).to.equal('{"a":1}');
    });

    it("retries 503 and 429 honouring Retry-After, then succeeds", async function () {
        let n = 0;
        handler = (_req, _body, res) =>
            ++n < 3 ? json(res, n === 1 ? 503 : 429, {}, { "Retry-After": "0" }) : json(res, 200, {});
        const client = await KubeClient.connect(config(`{token: abc}`), { backoffMs: 1 });
        expect((await client.get("/x")).status).to.equal(200);
        expect(seen).to.have.length(3);
    });

    it("returns 404 from get and 409 from put as responses, and throws a shaped error otherwise", async function () {
        handler = (req, _body, res) =>
            req.method === "GET"
                ? json(res, 404, {})
                : req.url!.endsWith("/conflict")
                  ? json(res, 409, { reason: "Conflict" })
                  : json(res, 403, {
                        kind: "Status",
                        reason: "Forbidden",
                        message: 'serviceaccounts "default" is forbidden',
                    });
        const client = await KubeClient.connect(config(`{token: sekret-token}`));
        expect((await client.get("/x")).status).to.equal(404);
        expect((await client.put("/conflict", {})).status).to.equal(409);
        let err: unknown;
        try {
            await client.put("/api/v1/namespaces/a/serviceaccounts/default", {});
        } catch (e) {
            err = e;
        }
        expect(err).to.be.instanceOf(KubeApiError);
        expect((err as Error).message).to.equal(
            `Kubernetes PUT /api/v1/namespaces/a/serviceaccounts/default failed: 403 Forbidden: serviceaccounts "default" is forbidden ` +
                `(kubeconfig user "u" needs get and update on serviceaccounts in this namespace)`,
        );
        expect(JSON.stringify(err)).not.to.contain("sekret-token");
    });

    it("runs an exec plugin with cluster info, caches its token, and re-runs it once on 401", async function () {
        const script = path.join(dir, "plugin.sh");
        const log = path.join(dir, "runs");
        fs.writeFileSync(
            script,
            `#!/bin/sh\necho run >> "${log}"\nn=$(wc -l < "${log}" | tr -d ' ')\n` +
                `printf '%s' "$KUBERNETES_EXEC_INFO" > "${dir}/info"\n` +
                `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-'$n'-'$FOO'"}}'\n`,
            { mode: 0o755 },
        );
        const user = `{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin.sh, env: [{name: FOO, value: bar}], provideClusterInfo: true}}`;
        let calls = 0;
        handler = (req, _body, res) =>
            json(res, ++calls === 2 ? 401 : 200, { auth: req.headers.authorization });
        const client = await KubeClient.connect(config(user));
        expect((await client.get("/a")).data).to.deep.equal({ auth: "Bearer tok-1-bar" });
        // A second client in the same process reuses the cached credential.
        const again = await KubeClient.connect(config(user));
        const after401 = await again.get("/b");
        expect(after401.data).to.deep.equal({ auth: "Bearer tok-2-bar" });
        expect(fs.readFileSync(log, "utf8").trim().split("\n")).to.have.length(2);
        expect(JSON.parse(fs.readFileSync(path.join(dir, "info"), "utf8"))).to.deep.equal({
            apiVersion: "client.authentication.k8s.io/v1",
            kind: "ExecCredential",
            spec: { interactive: false, cluster: { server: `${url}/prefix` } },
        });
    });

    it("explains a missing exec plugin with its install hint, and a failing one with its stderr", async function () {
        const missing = `{exec: {apiVersion: client.authentication.k8s.io/v1, command: no-such-plugin-xyz, installHint: "Install it from example.com"}}`;
        let message = "";
        await KubeClient.connect(config(missing)).catch((e: Error) => (message = e.message));
        expect(message).to.equal(
            `kubeconfig user "u": exec plugin "no-such-plugin-xyz" was not found. Install it from example.com`,
        );
        const failing = path.join(dir, "fail.sh");
        fs.writeFileSync(failing, `#!/bin/sh\necho "login required" >&2\nexit 3\n`, { mode: 0o755 });
        await KubeClient.connect(
            config(`{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./fail.sh}}`),
        ).catch((e: Error) => (message = e.message));
        expect(message).to.equal(
            `kubeconfig user "u": exec plugin "./fail.sh" failed (exit 3): login required`,
        );
    });

    it("reports a connection failure with the server and context, not the token", async function () {
        const closed = http.createServer();
        await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
        const port = (closed.address() as AddressInfo).port;
        closed.close();
        const cfg = resolveKubeconfig(
            parseKubeconfig(
                `clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: tkn-123}}]\n` +
                    `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
                "/",
                "t",
            ),
        );
        const client = await KubeClient.connect(cfg, { retries: 1, backoffMs: 1 });
        let message = "";
        await client.get("/x").catch((e: Error) => (message = e.message));
        expect(message).to.match(
            new RegExp(
                `^Kubernetes GET /x failed: ECONNREFUSED: .*\\(server http://127.0.0.1:${port}, context "x"\\)$`,
            ),
        );
        expect(message).not.to.contain("tkn-123");
    });
});
