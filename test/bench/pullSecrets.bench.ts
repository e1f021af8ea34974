// Benchmark of the per-cluster stack at 1, 10 and 50 namespaces, through the real engine
// against the local kube-apiserver and the IAM emulator. Prints, per size: IAM calls by
// kind, Kubernetes objects written (the API server's own request counters), and `up` and
// `preview` wall time as a ratio to a plain program writing one bare Secret per namespace
// in the same run. Figures only; nothing here passes or fails on time.
//
//   npm run bench                 sizes 1, 10, 50
//   npm run bench -- 1 10         chosen sizes
import { startIamEmulator } from "../../emulator";
import { LocalCluster, startLocalCluster } from "../bed/cluster";
import { PulumiSandbox } from "../bed/pulumi";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ADMIN_KEY = "bench-admin-key-0123456789abcdef";
const WRITE_VERBS = new Set(["POST", "PUT", "PATCH", "DELETE", "APPLY"]);

/** Write requests the API server counted, by resource, from its /metrics. */
async function apiWrites(cluster: LocalCluster): Promise<Map<string, number>> {
    const text = (await cluster.api.get<string>("/metrics", { responseType: "text" })).data;
    const out = new Map<string, number>();
    for (const line of text.split("\n")) {
        if (!line.startsWith("apiserver_request_total{")) continue;
        const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (!WRITE_VERBS.has(labels.verb) || labels.subresource) continue;
        const n = Number(line.slice(line.lastIndexOf(" ") + 1));
        out.set(labels.resource, (out.get(labels.resource) ?? 0) + n);
    }
    return out;
}

function diff(after: Map<string, number>, before: Map<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of after) {
        const d = v - (before.get(k) ?? 0);
        if (d > 0 && ["secrets", "serviceaccounts", "namespaces"].includes(k)) out[k] = d;
    }
    return out;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
    const t0 = process.hrtime.bigint();
    const r = await f();
    return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}

async function main(): Promise<void> {
    const sizes = process.argv
        .slice(2)
        .map(Number)
        .filter((n) => n > 0);
    const cluster = await startLocalCluster();
    const iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }] });
    const sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath });
    const rows: string[] = [];
    try {
        for (const n of sizes.length > 0 ? sizes : [1, 10, 50]) {
            // Namespaces exist before either program runs, so neither pays for them.
            const namespaces = Array.from({ length: n }, (_, i) => `bench-${n}-${i}`);
            for (const ns of namespaces)
                await cluster.api.post("/api/v1/namespaces", { metadata: { name: ns } });
            for (const ns of namespaces) {
                while (
                    (await cluster.api.get(`/api/v1/namespaces/${ns}/serviceaccounts/default`)).status !== 200
                ) {
                    await new Promise((r) => setTimeout(r, 100));
                }
            }

            const baseline = await sandbox.stack("test/bench/programs/bare-secrets", `bare-${n}`, {
                namespaces: { value: JSON.stringify(namespaces) },
            });
            const [, baseUp] = await timed(() => baseline.up());
            const [, basePreview] = await timed(() => baseline.preview());

            const stack = await sandbox.stack(".", `bench-${n}`, {
                "icr-access:cluster": { value: `bench${n}` },
                "icr-access:namespaces": {
                    value: JSON.stringify(
                        Object.fromEntries(
                            namespaces.map((ns) => [ns, { regions: ["us-south"], layout: "combined" }]),
                        ),
                    ),
                },
                "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
                "ibmcloud:apiKey": { value: ADMIN_KEY, secret: true },
                "ibmcloud:iamEndpoint": { value: iam.url },
            });
            iam.resetLog();
            const before = await apiWrites(cluster);
            const [up, ourUp] = await timed(() => stack.up());
            const written = diff(await apiWrites(cluster), before);
            const calls = iam.counters();
            const [, ourPreview] = await timed(() => stack.preview());

            const byKind = Object.entries(calls)
                .filter(([k]) => k !== "writes" && k !== "total")
                .map(([k, v]) => `${k}=${v}`)
                .join(" ");
            rows.push(
                [
                    `namespaces=${n}`,
                    `  resources in the stack: ${Object.values(up.changes).reduce((a, b) => a + b, 0)}`,
                    `  IAM calls: total=${calls.total} writes=${calls.writes} ${byKind}`,
                    `  Kubernetes objects written: ${JSON.stringify(written)}`,
                    `  up:      ${ourUp.toFixed(1)} s vs ${baseUp.toFixed(1)} s for ${n} bare Secret(s) = ${(ourUp / baseUp).toFixed(2)}x`,
                    `  preview: ${ourPreview.toFixed(1)} s vs ${basePreview.toFixed(1)} s = ${(ourPreview / basePreview).toFixed(2)}x`,
                ].join("\n"),
            );
            console.log(rows[rows.length - 1]);
            await stack.destroy();
            await baseline.destroy();
        }
    } finally {
        sandbox.dispose();
        await iam.close();
        await cluster.stop();
    }
}

main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
