// A real Kubernetes control plane on loopback: etcd, kube-apiserver and
// kube-controller-manager (without it new namespaces never get their `default`
// service account and namespace deletion never finishes). No kubelet or scheduler:
// pods are never run, so workloads in tests carry `pulumi.com/skipAwait`.
import axios, { AxiosInstance } from "axios";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { freePort, Managed, startProcess, waitFor } from "./processes";
import { toolchain } from "./toolchain";

/** A running control plane. */
export interface LocalCluster {
    /** Path of a kubeconfig for a cluster admin. */
    readonly kubeconfigPath: string;
    /** The same kubeconfig as YAML text. */
    readonly kubeconfig: string;
    /** https://127.0.0.1:<port> */
    readonly server: string;
    /** Admin bearer token. */
    readonly token: string;
    /** Bearer token of a user the API server knows but RBAC grants nothing (for 403s). */
    readonly unprivilegedToken: string;
    /** An HTTP client for the API server, authenticated as the admin. */
    readonly api: AxiosInstance;
    /** Where the processes' logs are. */
    readonly dir: string;
    stop(): Promise<void>;
}

export interface LocalClusterOptions {
    /** @default true - start kube-controller-manager as a real cluster has */
    readonly controllerManager?: boolean;
    /**
     * Extra kube-apiserver flags (e.g. `--oidc-issuer-url=…`, `--audit-log-path=…`). A function
     * gets the cluster's temporary directory, for flags that name files written there.
     */
    readonly apiServerArgs?: string[] | ((dir: string) => string[]);
    /** More bearer tokens the API server accepts (`--token-auth-file` lines), for users RBAC is given to. */
    readonly tokenUsers?: readonly { token: string; user: string; groups?: readonly string[] }[];
}

/** Starts etcd, kube-apiserver and kube-controller-manager in a temporary directory. */
export async function startLocalCluster(opts: LocalClusterOptions = {}): Promise<LocalCluster> {
    const tools = toolchain();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "icr-cluster-"));
    const started: Managed[] = [];
    const stop = async (): Promise<void> => {
        for (const p of started.reverse()) await p.stop();
        started.length = 0;
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
        const etcdUrl = `http://127.0.0.1:${etcdPort}`;
        const peerUrl = `http://127.0.0.1:${peerPort}`;
        const etcd = startProcess(
            "etcd",
            tools.etcd,
            [
                "--data-dir",
                path.join(dir, "etcd"),
                "--listen-client-urls",
                etcdUrl,
                "--advertise-client-urls",
                etcdUrl,
                "--listen-peer-urls",
                peerUrl,
                "--initial-advertise-peer-urls",
                peerUrl,
                "--initial-cluster",
                `default=${peerUrl}`,
                "--unsafe-no-fsync",
            ],
            path.join(dir, "etcd.log"),
        );
        started.push(etcd);
        await waitFor(
            "etcd",
            async () => (await axios.get(`${etcdUrl}/health`, { timeout: 1000 })).status === 200,
            60_000,
            etcd,
        );

        // A service-account signing key pair, and a static admin token in system:masters.
        const saKey = path.join(dir, "sa.key");
        const saPub = path.join(dir, "sa.pub");
        execFileSync("openssl", ["genrsa", "-out", saKey, "2048"], { stdio: "ignore" });
        execFileSync("openssl", ["rsa", "-in", saKey, "-pubout", "-out", saPub], { stdio: "ignore" });
        const token = `admin-${Math.random().toString(36).slice(2)}${Date.now()}`;
        const unprivilegedToken = `nobody-${Math.random().toString(36).slice(2)}${Date.now()}`;
        fs.writeFileSync(
            path.join(dir, "tokens.csv"),
            `${token},admin,admin,"system:masters"\n${unprivilegedToken},nobody,nobody\n` +
                (opts.tokenUsers ?? [])
                    .map(
                        (u) =>
                            `${u.token},${u.user},${u.user}${u.groups?.length ? `,"${u.groups.join(",")}"` : ""}\n`,
                    )
                    .join(""),
            { mode: 0o600 },
        );
        const server = `https://127.0.0.1:${apiPort}`;
        const apiserver = startProcess(
            "kube-apiserver",
            tools.kubeApiserver,
            [
                `--etcd-servers=${etcdUrl}`,
                `--cert-dir=${path.join(dir, "pki")}`,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                `--secure-port=${apiPort}`,
                "--service-cluster-ip-range=10.0.0.0/24",
                `--service-account-issuer=${server}`,
                `--service-account-key-file=${saPub}`,
                `--service-account-signing-key-file=${saKey}`,
                "--authorization-mode=RBAC",
                `--token-auth-file=${path.join(dir, "tokens.csv")}`,
                "--allow-privileged=true",
                "--endpoint-reconciler-type=none",
                ...(typeof opts.apiServerArgs === "function"
                    ? opts.apiServerArgs(dir)
                    : (opts.apiServerArgs ?? [])),
            ],
            path.join(dir, "kube-apiserver.log"),
        );
        started.push(apiserver);
        const httpsAgent = new https.Agent({ rejectUnauthorized: false });
        const api = axios.create({
            baseURL: server,
            httpsAgent,
            headers: { Authorization: `Bearer ${token}` },
            validateStatus: () => true,
            timeout: 15_000,
        });
        await waitFor(
            "kube-apiserver /readyz",
            async () => (await api.get("/readyz")).status === 200,
            120_000,
            apiserver,
        );

        const kubeconfig = [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: local",
            "  cluster:",
            `    server: ${server}`,
            "    insecure-skip-tls-verify: true",
            "users:",
            "- name: admin",
            "  user:",
            `    token: ${token}`,
            "contexts:",
            "- name: local",
            "  context:",
            "    cluster: local",
            "    user: admin",
            "current-context: local",
            "",
        ].join("\n");
        const kubeconfigPath = path.join(dir, "kubeconfig");
        fs.writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });

        if (opts.controllerManager ?? true) {
            const kcm = startProcess(
                "kube-controller-manager",
                tools.kubeControllerManager,
                [
                    `--kubeconfig=${kubeconfigPath}`,
                    `--service-account-private-key-file=${saKey}`,
                    "--leader-elect=false",
                    "--use-service-account-credentials=false",
                    // No nodes exist: the node controllers would only log noise.
                    "--controllers=*,-nodeipam,-nodelifecycle",
                    "--secure-port=0",
                ],
                path.join(dir, "kube-controller-manager.log"),
            );
            started.push(kcm);
            // Ready when the serviceaccount controller has given `default` its service account.
            await waitFor(
                "kube-controller-manager (default/default service account)",
                async () =>
                    (await api.get("/api/v1/namespaces/default/serviceaccounts/default")).status === 200,
                120_000,
                kcm,
            );
        }
        return { kubeconfigPath, kubeconfig, server, token, unprivilegedToken, api, dir, stop };
    } catch (err) {
        await stop().catch(() => undefined);
        throw err;
    }
}
