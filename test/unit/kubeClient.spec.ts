import { expect } from "chai";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { impersonationHeaders, KubeApiError, KubeClient } from "../../components/clients/kube/client";
import {
    KubeconfigError,
    mergeKubeconfigs,
    parseKubeconfig,
    resolveKubeconfig,
} from "../../components/clients/kube/config";
import { loadKubeconfig } from "../../components/clients/kube/config_sources";

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
        expect(r.impersonate).to.deep.equal({ user: "alice", groups: ["devs", "ops"], extra: {} });
    });

    it("reads exec plugin settings", function () {
        expect(resolveKubeconfig(doc(), "ctx3").exec).to.deep.equal({
            command: "/etc/kube/plugin.sh",
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

    it("accepts the oidc auth-provider and rejects other auth-providers with the exec-plugin fix", function () {
        const withProvider = (name: string) =>
            parseKubeconfig(
                `clusters: [{name: c, cluster: {server: "https://x"}}]\n` +
                    `users: [{name: u, user: {auth-provider: {name: ${name}, config: {id-token: idt}}}}]\n` +
                    `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
                "/",
                "t",
            );
        expect(resolveKubeconfig(withProvider("oidc")).oidc?.idToken).to.equal("idt");
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
            `kubeconfig user "u": exec plugin "${path.join(dir, "fail.sh")}" failed (exit 3): login required`,
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

describe("kubeconfigs of real clusters", function () {
    let dir: string;
    let home: string | undefined;
    before(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "kc-real-"));
    });
    after(function () {
        fs.rmSync(dir, { recursive: true, force: true });
    });
    afterEach(function () {
        if (home !== undefined) process.env.HOME = home;
        home = undefined;
    });
    const withHome = (h: string) => {
        home = process.env.HOME;
        process.env.HOME = h;
    };
    const text = (cluster: string, user: string) =>
        `clusters: [{name: c, cluster: ${cluster}}]\nusers: [{name: u, user: ${user}}]\n` +
        `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;

    it("expands ~ in a kubernetes:kubeconfig path and in KUBECONFIG entries", function () {
        fs.mkdirSync(path.join(dir, ".kube"), { recursive: true });
        fs.writeFileSync(
            path.join(dir, ".kube", "config"),
            text(`{server: "https://home", certificate-authority: ca.crt}`, `{token: t}`),
        );
        withHome(dir);
        const fromSetting = loadKubeconfig({ stackKubeconfig: "~/.kube/config" }, {});
        expect([fromSetting.server, fromSetting.ca]).to.deep.equal([
            "https://home",
            { file: path.join(dir, ".kube", "ca.crt") },
        ]);
        expect(
            loadKubeconfig({}, { KUBECONFIG: `~/missing${path.delimiter}~/.kube/config` }).server,
        ).to.equal("https://home");
    });

    it("refuses relative paths in a kubeconfig given as text, naming the field but not the path", function () {
        const cases: [string, string, string][] = [
            [
                `{server: "https://x", certificate-authority: certs/ca.crt}`,
                `{token: t}`,
                `cluster "c" certificate-authority`,
            ],
            [
                `{server: "https://x"}`,
                `{client-certificate: me.crt, client-key-data: a2V5}`,
                `user "u" client-certificate`,
            ],
            [`{server: "https://x"}`, `{tokenFile: token.txt}`, `user "u" tokenFile`],
            [
                `{server: "https://x"}`,
                `{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/get-token}}`,
                `user "u" exec command`,
            ],
        ];
        for (const [cluster, user, field] of cases) {
            const message = errorOf(() => loadKubeconfig({ kubeconfig: text(cluster, user) }, {}));
            expect(message).to.match(
                new RegExp(`^kubeconfig \\(the kubeconfig input\\): ${field} is a relative path`),
            );
            expect(message).to.contain("Use an absolute path");
            for (const p of ["certs/ca.crt", "me.crt", "token.txt", "./bin/get-token"])
                expect(message).not.to.contain(p);
            // The same text in a file resolves against the file's directory, as client-go does.
            const file = path.join(dir, "config-with-relative-paths");
            fs.writeFileSync(file, text(cluster, user));
            expect(() => loadKubeconfig({}, { KUBECONFIG: file })).not.to.throw();
        }
        // Absolute paths and bare commands on PATH are fine in text.
        const ok = loadKubeconfig(
            {
                kubeconfig: text(
                    `{server: "https://x", certificate-authority: /etc/ca.crt}`,
                    `{exec: {apiVersion: client.authentication.k8s.io/v1, command: ibmcloud}}`,
                ),
            },
            {},
        );
        expect([ok.ca, ok.exec?.command]).to.deep.equal([{ file: "/etc/ca.crt" }, "ibmcloud"]);
    });

    it("reads proxy-url, refuses socks5 by name, and reads as-uid and as-user-extra", function () {
        const r = resolveKubeconfig(
            parseKubeconfig(
                text(
                    `{server: "https://x", proxy-url: "http://proxy:3128"}`,
                    `{token: t, as: alice, as-uid: "1234", as-groups: [g], as-user-extra: {scopes.example.com/team: [a, b], reason: x}}`,
                ),
                "/",
                "t",
            ),
        );
        expect(r.proxyUrl).to.equal("http://proxy:3128");
        expect(r.impersonate).to.deep.equal({
            user: "alice",
            uid: "1234",
            groups: ["g"],
            extra: { "scopes.example.com/team": ["a", "b"], reason: ["x"] },
        });
        expect(impersonationHeaders(r.impersonate)).to.deep.equal({
            "Impersonate-User": "alice",
            "Impersonate-Uid": "1234",
            "Impersonate-Group": ["g"],
            "Impersonate-Extra-scopes.example.com%2Fteam": ["a", "b"],
            "Impersonate-Extra-reason": ["x"],
        });
        expect(
            errorOf(() =>
                resolveKubeconfig(
                    parseKubeconfig(
                        text(`{server: "https://x", proxy-url: "socks5://p:1080"}`, `{token: t}`),
                        "/",
                        "t",
                    ),
                ),
            ),
        ).to.equal(
            `kubeconfig (t): cluster "c" proxy-url uses socks5, which the service-account patcher does not support; ` +
                `use an http:// or https:// proxy (HTTP CONNECT)`,
        );
    });

    it("refuses an oidc user that cannot get a token, and a refresh-token bound for plain http", function () {
        const oidc = (config: string) =>
            errorOf(() =>
                resolveKubeconfig(
                    parseKubeconfig(
                        text(`{server: "https://x"}`, `{auth-provider: {name: oidc, config: ${config}}}`),
                        "/",
                        "t",
                    ),
                ),
            );
        expect(oidc(`{client-id: kube}`)).to.match(
            /user "u" auth-provider "oidc" has neither an id-token nor a refresh-token/,
        );
        expect(oidc(`{refresh-token: r3fresh, client-id: kube}`)).to.equal(
            `kubeconfig (t): user "u" auth-provider "oidc" has a refresh-token but no idp-issuer-url`,
        );
        const plain = oidc(
            `{refresh-token: r3fresh, client-id: kube, idp-issuer-url: "http://iam.example.com/identity"}`,
        );
        expect(plain).to.match(/idp-issuer-url must be an https:\/\/ URL/);
        expect(plain).not.to.contain("r3fresh");
    });
});

describe("KubeClient with real clusters' credentials", function () {
    let api: http.Server;
    let apiUrl: string;
    let issuer: http.Server;
    let issuerUrl: string;
    const apiSeen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
    const issuerSeen: { method: string; url: string; authorization?: string; body: string }[] = [];
    let validIdTokens: Set<string>;
    let issued = 0;
    let dir: string;

    const jwt = (claims: Record<string, unknown>) =>
        `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;
    const now = () => Math.floor(Date.now() / 1000);

    before(async function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "kc-auth-"));
        api = http.createServer((req, res) => {
            apiSeen.push({ url: req.url!, headers: req.headers });
            const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
            const ok = validIdTokens.has(token) || token === "static";
            res.writeHead(ok ? 200 : 401, { "Content-Type": "application/json" });
            res.end(
                JSON.stringify(
                    ok ? { ok: true } : { kind: "Status", reason: "Unauthorized", message: "Unauthorized" },
                ),
            );
        });
        issuer = http.createServer((req, res) => {
            let body = "";
            req.on("data", (c) => (body += c));
            req.on("end", () => {
                issuerSeen.push({
                    method: req.method!,
                    url: req.url!,
                    authorization: req.headers.authorization,
                    body,
                });
                if (req.url === "/identity/.well-known/openid-configuration") {
                    res.writeHead(200, { "Content-Type": "application/json" });
                    res.end(
                        JSON.stringify({
                            issuer: `${issuerUrl}/identity`,
                            token_endpoint: `${issuerUrl}/identity/token`,
                        }),
                    );
                    return;
                }
                const form = new URLSearchParams(body);
                if (req.url === "/identity/token" && form.get("refresh_token") === "good-refresh") {
                    const idToken = jwt({ exp: now() + 1200, n: ++issued });
                    validIdTokens.add(idToken);
                    res.writeHead(200, { "Content-Type": "application/json" });
                    res.end(
                        JSON.stringify({
                            access_token: "a",
                            id_token: idToken,
                            refresh_token: "good-refresh",
                        }),
                    );
                    return;
                }
                res.writeHead(400, { "Content-Type": "application/json" });
                res.end(
                    JSON.stringify({
                        errorCode: "BXNIM0407E",
                        errorMessage: "Provided refresh token is invalid.",
                    }),
                );
            });
        });
        for (const s of [api, issuer]) await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
        apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
        issuerUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
    });
    after(function () {
        api.close();
        issuer.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(function () {
        apiSeen.length = 0;
        issuerSeen.length = 0;
        validIdTokens = new Set();
        (globalThis as { __icrAccessOidcTokens?: Map<string, unknown> }).__icrAccessOidcTokens?.clear();
    });

    const oidcConfig = (idToken: string, refreshToken?: string) =>
        resolveKubeconfig(
            parseKubeconfig(
                `clusters: [{name: c, cluster: {server: "${apiUrl}"}}]\n` +
                    `users: [{name: u, user: {auth-provider: {name: oidc, config: {client-id: kube, client-secret: kube, ` +
                    `idp-issuer-url: "${issuerUrl}/identity", id-token: "${idToken}"` +
                    `${refreshToken ? `, refresh-token: ${refreshToken}` : ""}}}}}]\n` +
                    `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
                dir,
                "t",
            ),
        );

    it("uses a valid oidc id-token as it is, without asking the issuer", async function () {
        const idToken = jwt({ exp: now() + 600 });
        validIdTokens.add(idToken);
        const client = await KubeClient.connect(oidcConfig(idToken, "good-refresh"));
        expect((await client.get("/api")).status).to.equal(200);
        expect(apiSeen[0].headers.authorization).to.equal(`Bearer ${idToken}`);
        expect(issuerSeen).to.deep.equal([]);
    });

    it("refreshes an expired oidc id-token with the refresh-token as client-go does, once per process", async function () {
        const expired = jwt({ exp: now() - 60 });
        const client = await KubeClient.connect(oidcConfig(expired, "good-refresh"));
        expect((await client.get("/api")).status).to.equal(200);
        expect(apiSeen.map((r) => r.headers.authorization)).to.deep.equal([
            `Bearer ${[...validIdTokens][0]}`,
        ]);
        expect(issuerSeen.map((r) => `${r.method} ${r.url}`)).to.deep.equal([
            "GET /identity/.well-known/openid-configuration",
            "POST /identity/token",
        ]);
        expect(issuerSeen[1].authorization).to.equal(`Basic ${Buffer.from("kube:kube").toString("base64")}`);
        expect(Object.fromEntries(new URLSearchParams(issuerSeen[1].body))).to.deep.equal({
            grant_type: "refresh_token",
            refresh_token: "good-refresh",
        });
        // A second client in the same process (the next resource) reuses the refreshed token.
        await (await KubeClient.connect(oidcConfig(expired, "good-refresh"))).get("/api");
        expect(issuerSeen).to.have.length(2);
    });

    it("refreshes once more when the API server refuses a token that looked valid", async function () {
        const revoked = jwt({ exp: now() + 600 }); // not in validIdTokens: the API server says 401
        const client = await KubeClient.connect(oidcConfig(revoked, "good-refresh"));
        expect((await client.get("/api")).status).to.equal(200);
        expect(apiSeen.map((r) => r.headers.authorization)).to.deep.equal([
            `Bearer ${revoked}`,
            `Bearer ${[...validIdTokens][0]}`,
        ]);
    });

    it("explains an expired id-token it cannot refresh, and a refused refresh, without the tokens", async function () {
        const expired = jwt({ exp: now() - 60 });
        let message = "";
        await KubeClient.connect(oidcConfig(expired)).catch((e: Error) => (message = e.message));
        expect(message).to.equal(
            `kubeconfig user "u": the oidc id-token has expired and there is no refresh-token to renew it; ` +
                `write a new kubeconfig (for IBM Cloud: \`ibmcloud ks cluster config --cluster <name>\`)`,
        );
        let err: unknown;
        await KubeClient.connect(oidcConfig(expired, "stale-refresh")).catch((e: unknown) => (err = e));
        expect(err).to.be.instanceOf(KubeconfigError);
        expect((err as Error).message).to.equal(
            `kubeconfig user "u": refreshing the oidc id-token at ${issuerUrl}/identity failed: HTTP 400 BXNIM0407E: ` +
                `Provided refresh token is invalid.; the refresh-token may have expired: write a new kubeconfig ` +
                `(for IBM Cloud: \`ibmcloud ks cluster config --cluster <name>\`)`,
        );
        expect(JSON.stringify(err) + String(err)).not.to.contain("stale-refresh");
    });

    it("sends as-uid and as-user-extra as Impersonate-Uid and Impersonate-Extra-* headers", async function () {
        const cfg = resolveKubeconfig(
            parseKubeconfig(
                `clusters: [{name: c, cluster: {server: "${apiUrl}"}}]\n` +
                    `users: [{name: u, user: {token: static, as: alice, as-uid: "42", as-user-extra: {team: [a, b]}}}]\n` +
                    `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
                dir,
                "t",
            ),
        );
        await (await KubeClient.connect(cfg)).get("/api");
        const h = apiSeen[0].headers;
        expect([h["impersonate-user"], h["impersonate-uid"], h["impersonate-extra-team"]]).to.deep.equal([
            "alice",
            "42",
            "a, b",
        ]);
    });

    it("hands an exec plugin the cluster's CA from a certificate-authority file (provideClusterInfo)", async function () {
        fs.writeFileSync(path.join(dir, "ca.crt"), "CA FROM FILE\n");
        const script = path.join(dir, "info-plugin.sh");
        fs.writeFileSync(
            script,
            `#!/bin/sh\nprintf '%s' "$KUBERNETES_EXEC_INFO" > "${dir}/exec-info"\n` +
                `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"static"}}'\n`,
            { mode: 0o755 },
        );
        const kubeconfigFile = path.join(dir, "exec-config");
        fs.writeFileSync(
            kubeconfigFile,
            `clusters: [{name: c, cluster: {server: "${apiUrl}", certificate-authority: ca.crt, proxy-url: "http://proxy.example:3128", ` +
                `extensions: [{name: client.authentication.k8s.io/exec, extension: {audience: kube}}]}}]\n` +
                `users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./info-plugin.sh, provideClusterInfo: true}}}]\n` +
                `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
        );
        const { runExecPlugin } = await import("../../components/clients/kube/exec_auth");
        await runExecPlugin(loadKubeconfig({}, { KUBECONFIG: kubeconfigFile }), { refresh: true });
        expect(JSON.parse(fs.readFileSync(path.join(dir, "exec-info"), "utf8")).spec.cluster).to.deep.equal({
            server: apiUrl,
            "certificate-authority-data": Buffer.from("CA FROM FILE\n").toString("base64"),
            "proxy-url": "http://proxy.example:3128",
            config: { audience: "kube" },
        });
    });
});
