// Every kind of kubeconfig a real cluster hands out, through the real engine against a real
// kube-apiserver: a static token, a client certificate (from a kubeconfig file with relative
// paths), an exec credential plugin, OIDC as IKS does it (the IAM emulator over HTTPS as the
// issuer; an expired id-token and a valid refresh-token), and an HTTP CONNECT proxy, chosen
// by HTTPS_PROXY and by the cluster's proxy-url. One cluster and one stack hold every case, a
// service-account patch each in its own namespace; after up, refresh and destroy, neither the
// exported state, the state files nor the CLI output holds any of the kubeconfigs' credentials.
import axios from "axios";
import { expect } from "chai";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { LocalCluster, startLocalCluster } from "../bed/cluster";
import { ConnectProxy, startConnectProxy } from "../bed/connectProxy";
import { serviceAccountPullSecrets } from "../bed/kubeView";
import { issueCert, makeCa, TestCa, TestCert } from "../bed/pki";
import { ProgramStack, PulumiSandbox, RunResult } from "../bed/pulumi";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ADMIN_KEY = "admin-key-of-the-kubeconfig-matrix-5e4d3c2b1a";
const EXEC_TOKEN = `exec-user-token-${Math.random().toString(36).slice(2)}`;
const CASES = ["token", "cert", "exec", "oidc", "env-proxy", "url-proxy"] as const;
type Case = (typeof CASES)[number];
const namespaceOf = (c: Case) => `kc-${c}`;

/** Every JWT-shaped string in `text`. */
const jwtsIn = (text: string) => text.match(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]+/g) ?? [];

describe("kubeconfigs of real clusters, through the engine", function () {
    let dir: string;
    let ca: TestCa;
    let clientCert: TestCert;
    let iam: IamEmulator;
    let cluster: LocalCluster;
    let envProxy: ConnectProxy;
    let urlProxy: ConnectProxy;
    let sandbox: PulumiSandbox;
    let stack: ProgramStack;
    let apiPort: number;
    let login: { id_token: string; refresh_token: string };
    let expiredIdToken: string;
    let oidcUser: string;
    /** Each credential that must never appear in plain text. */
    let secrets: Record<string, string>;
    let up: RunResult;
    let upError: Error | undefined;

    before(async function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "icr-kubeconfigs-"));
        // One CA for the servers (API server, IAM); another for client certificates.
        ca = makeCa(dir, "bed-ca");
        const clientCa = makeCa(dir, "client-ca");
        const apiCert = issueCert(ca, dir, "apiserver", {
            cn: "kube-apiserver",
            ips: ["127.0.0.1"],
            dns: ["localhost", "kube-via-env.test", "kube-via-url.test"],
            usage: "server",
        });
        const iamCert = issueCert(ca, dir, "iam", { cn: "iam", ips: ["127.0.0.1"], usage: "server" });
        clientCert = issueCert(clientCa, dir, "cert-user", { cn: "cert-user", usage: "client" });

        // IAM over HTTPS, the issuer kube-apiserver trusts, as IKS trusts IBM IAM.
        iam = await startIamEmulator({
            port: 0,
            accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }],
            tls: { cert: iamCert.certPem, key: iamCert.keyPem },
        });
        cluster = await startLocalCluster({
            tokenUsers: [{ token: EXEC_TOKEN, user: "exec-user" }],
            apiServerArgs: [
                `--tls-cert-file=${apiCert.certFile}`,
                `--tls-private-key-file=${apiCert.keyFile}`,
                `--client-ca-file=${clientCa.certFile}`,
                `--oidc-issuer-url=${iam.url}/identity`,
                "--oidc-client-id=kube",
                `--oidc-ca-file=${ca.certFile}`,
                `--oidc-username-claim=sub_${ACCOUNT}`,
                "--oidc-username-prefix=IAM#",
                `--oidc-groups-claim=groups_${ACCOUNT}`,
            ],
        });
        apiPort = Number(new URL(cluster.server).port);

        // The tokens `ibmcloud ks cluster config` would write: IAM's, for client "kube".
        const res = await axios.post(
            `${iam.url}/identity/token`,
            new URLSearchParams({
                grant_type: "urn:ibm:params:oauth:grant-type:apikey",
                apikey: ADMIN_KEY,
            }).toString(),
            {
                headers: {
                    "Content-Type": "application/x-www-form-urlencoded",
                    Authorization: `Basic ${Buffer.from("kube:kube").toString("base64")}`,
                },
                httpsAgent: new https.Agent({ ca: ca.certPem }),
            },
        );
        login = res.data;
        const [header, payload, signature] = login.id_token.split(".");
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
        oidcUser = `IAM#${claims[`sub_${ACCOUNT}`]}`;
        // The same token as it looks 20 minutes on: expired (and so no longer valid anywhere).
        const expiredClaims = {
            ...claims,
            iat: claims.iat - 3600,
            exp: Math.floor(Date.now() / 1000) - 1200,
        };
        expiredIdToken = `${header}.${Buffer.from(JSON.stringify(expiredClaims)).toString("base64url")}.${signature}`;

        // RBAC as a cluster admin would give it: what the patcher needs, to each user.
        const rules = [
            { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["get", "update"] },
            { apiGroups: [""], resources: ["namespaces"], verbs: ["get"] },
        ];
        expect(
            (
                await cluster.api.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", {
                    metadata: { name: "sa-patcher" },
                    rules,
                })
            ).status,
        ).to.equal(201);
        const subjects = ["cert-user", "exec-user", oidcUser].map((name) => ({
            kind: "User",
            apiGroup: "rbac.authorization.k8s.io",
            name,
        }));
        expect(
            (
                await cluster.api.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
                    metadata: { name: "sa-patcher" },
                    roleRef: {
                        apiGroup: "rbac.authorization.k8s.io",
                        kind: "ClusterRole",
                        name: "sa-patcher",
                    },
                    subjects,
                })
            ).status,
        ).to.equal(201);
        for (const c of CASES)
            expect(
                (await cluster.api.post("/api/v1/namespaces", { metadata: { name: namespaceOf(c) } })).status,
            ).to.equal(201);

        // Names only the proxies resolve: a request that reaches the API server came through one.
        envProxy = await startConnectProxy({ "kube-via-env.test": "127.0.0.1" });
        urlProxy = await startConnectProxy({ "kube-via-url.test": "127.0.0.1" });

        const caData = Buffer.from(ca.certPem).toString("base64");
        const kubeconfig = (clusterFields: string[], userFields: string[]) =>
            [
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: bed",
                "  cluster:",
                ...clusterFields.map((l) => `    ${l}`),
                "users:",
                "- name: me",
                "  user:",
                ...userFields.map((l) => `    ${l}`),
                "contexts:",
                "- name: bed",
                "  context: { cluster: bed, user: me }",
                "current-context: bed",
                "",
            ].join("\n");
        const local = [`server: https://127.0.0.1:${apiPort}`, `certificate-authority-data: ${caData}`];

        // The exec plugin: a node script that insists on the cluster info, CA included.
        const plugin = path.join(dir, "credential-plugin.js");
        fs.writeFileSync(
            plugin,
            [
                `const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO || "{}");`,
                `const cluster = (info.spec || {}).cluster || {};`,
                `const ca = Buffer.from(cluster["certificate-authority-data"] || "", "base64").toString();`,
                `if (!cluster.server || !ca.includes("BEGIN CERTIFICATE")) {`,
                `  console.error("no cluster info with the CA in KUBERNETES_EXEC_INFO"); process.exit(2);`,
                `}`,
                `console.log(JSON.stringify({ apiVersion: info.apiVersion, kind: "ExecCredential",`,
                `  status: { token: ${JSON.stringify(EXEC_TOKEN)}, expirationTimestamp: new Date(Date.now() + 600000).toISOString() } }));`,
                "",
            ].join("\n"),
        );

        // The client-certificate case is a kubeconfig file with paths relative to it, given as
        // the stack's kubernetes:kubeconfig setting.
        const certDir = path.join(dir, "cert-kubeconfig");
        fs.mkdirSync(certDir);
        fs.copyFileSync(ca.certFile, path.join(certDir, "ca.crt"));
        fs.copyFileSync(clientCert.certFile, path.join(certDir, "client.crt"));
        fs.copyFileSync(clientCert.keyFile, path.join(certDir, "client.key"));
        fs.writeFileSync(
            path.join(certDir, "config"),
            kubeconfig(
                [`server: https://127.0.0.1:${apiPort}`, "certificate-authority: ca.crt"],
                ["client-certificate: client.crt", "client-key: client.key"],
            ),
        );

        const kubeconfigs: Record<Exclude<Case, "cert">, string> = {
            token: kubeconfig(local, [`token: ${cluster.token}`]),
            exec: kubeconfig(
                [`server: https://127.0.0.1:${apiPort}`, `certificate-authority: ${ca.certFile}`],
                [
                    "exec:",
                    "  apiVersion: client.authentication.k8s.io/v1",
                    `  command: ${process.execPath}`,
                    `  args: [${JSON.stringify(plugin)}]`,
                    "  provideClusterInfo: true",
                    "  interactiveMode: Never",
                ],
            ),
            oidc: kubeconfig(local, [
                "auth-provider:",
                "  name: oidc",
                "  config:",
                "    client-id: kube",
                "    client-secret: kube",
                `    idp-issuer-url: ${iam.url}/identity`,
                `    idp-certificate-authority-data: ${caData}`,
                `    id-token: ${expiredIdToken}`,
                `    refresh-token: ${login.refresh_token}`,
            ]),
            "env-proxy": kubeconfig(
                [`server: https://kube-via-env.test:${apiPort}`, `certificate-authority-data: ${caData}`],
                [`token: ${cluster.token}`],
            ),
            "url-proxy": kubeconfig(
                [
                    `server: https://kube-via-url.test:${apiPort}`,
                    `certificate-authority-data: ${caData}`,
                    `proxy-url: ${urlProxy.url}`,
                ],
                [`token: ${cluster.token}`],
            ),
        };
        secrets = {
            "admin token": cluster.token,
            "exec plugin's token": EXEC_TOKEN,
            "oidc refresh-token": login.refresh_token,
            "oidc id-token (as logged in)": login.id_token,
            "oidc id-token (expired)": expiredIdToken,
            "client key": clientCert.keyPem.split("\n")[1],
            "IAM API key": ADMIN_KEY,
        };

        sandbox = new PulumiSandbox({ HTTPS_PROXY: envProxy.url, KUBECONFIG: "" });
        stack = await sandbox.stack("test/e2e/programs/kubeconfig-matrix", "matrix", {
            cases: { value: JSON.stringify(CASES.map((name) => ({ name, namespace: namespaceOf(name) }))) },
            "kubernetes:kubeconfig": { value: path.join(certDir, "config") },
            ...Object.fromEntries(
                Object.entries(kubeconfigs).map(([name, text]) => [
                    `kubeconfig-${name}`,
                    { value: text, secret: true },
                ]),
            ),
        });
        iam.resetLog();
        try {
            up = await stack.up();
        } catch (err) {
            // Each case is judged on its own below; the failure's output says which failed.
            upError = err as Error;
            up = (err as Error & { result?: RunResult }).result ?? {
                events: [],
                stdout: "",
                changes: {},
                steps: [],
            };
        }
    });
    after(async function () {
        sandbox?.dispose();
        await envProxy?.close();
        await urlProxy?.close();
        await cluster?.stop();
        await iam?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("the API server really checks OIDC: IAM's ID token is accepted, the expired one refused", async function () {
        const get = (token: string) =>
            cluster.api.get(`/api/v1/namespaces/${namespaceOf("oidc")}/serviceaccounts/default`, {
                headers: { Authorization: `Bearer ${token}` },
            });
        expect((await get(login.id_token)).status).to.equal(200);
        expect((await get(expiredIdToken)).status).to.equal(401);
    });

    for (const c of CASES) {
        it(`patches the service account with a ${c} kubeconfig`, async function () {
            // When up failed, its output (which names the failing resources) explains why.
            const why = upError
                ? upError.message
                      .split("\n")
                      .filter((l) => /error/i.test(l))
                      .join("\n")
                : "";
            expect(await serviceAccountPullSecrets(cluster, namespaceOf(c)), why).to.deep.equal([
                `${c}-pull`,
            ]);
        });
    }

    it("refreshed the expired OIDC id-token at the issuer with the refresh-token", function () {
        const grants = iam.requests().filter((r) => r.operation === "getToken");
        expect(grants.length, "refresh_token grants during up").to.be.greaterThan(0);
        expect(grants.every((g) => g.status === 200)).to.equal(true);
        process.stdout.write(
            `      oidc refresh_token grants during up: ${grants.length} (for ${CASES.length} patches)\n`,
        );
    });

    it("went through HTTPS_PROXY for its server, through proxy-url for the other, and direct for loopback", function () {
        expect(envProxy.connects.length).to.be.greaterThan(0);
        expect(new Set(envProxy.connects)).to.deep.equal(new Set([`kube-via-env.test:${apiPort}`]));
        expect(urlProxy.connects.length).to.be.greaterThan(0);
        expect(new Set(urlProxy.connects)).to.deep.equal(new Set([`kube-via-url.test:${apiPort}`]));
        process.stdout.write(
            `      tunnels during up: HTTPS_PROXY ${envProxy.connects.length}, proxy-url ${urlProxy.connects.length}\n`,
        );
    });

    it("keeps every kubeconfig credential out of state and output through up, refresh and destroy", async function () {
        const check = async (when: string, output: string) => {
            const texts = {
                "CLI output": output,
                "stack export": await stack.exportText(),
                "state files": stack.backendText(),
            };
            for (const [where, text] of Object.entries(texts)) {
                for (const [what, value] of Object.entries(secrets))
                    expect(text, `${what} in ${where} after ${when}`).not.to.contain(value);
                // Nor any token the patcher got by refreshing (no JWT at all is in plain text).
                expect(jwtsIn(text), `JWTs in ${where} after ${when}`).to.deep.equal([]);
            }
        };
        await check("up", up.stdout);
        const envConnects = envProxy.connects.length;
        const refreshed = await stack.refresh();
        expect(refreshed.stdout).not.to.match(/error/i);
        await check("refresh", refreshed.stdout);
        const destroyed = await stack.destroy();
        await check("destroy", destroyed.stdout);
        // refresh and destroy reached the cluster through the proxy again
        expect(envProxy.connects.length).to.be.greaterThan(envConnects);
        for (const c of CASES)
            expect(
                await serviceAccountPullSecrets(cluster, namespaceOf(c)),
                `${c} after destroy`,
            ).to.deep.equal([]);
    });
});
