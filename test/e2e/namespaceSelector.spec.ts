// Namespaces chosen by label, through the real engine against a real kube-apiserver: resolved
// on every run, so a namespace labelled after an up is an addition in the next preview and is
// covered by the next up; one that stops matching is cleaned up with nothing else touched;
// explicit names win; an unreachable cluster stops the preview instead of planning deletions.
import { expect } from "chai";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { LocalCluster } from "../bed/cluster";
import { pullSecrets, serviceAccountPullSecrets } from "../bed/kubeView";
import { freePort } from "../bed/processes";
import { PulumiSandbox, resourceChanges, RunResult } from "../bed/pulumi";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";
import { sharedCluster } from "../bed/sharedCluster";

const ACCOUNT = "dddddddddddddddddddddddddddddddd";
const ADMIN = "admin-key-of-the-selector-account-7e1f";

describe("namespaceSelector (the per-cluster stack)", function () {
    let cluster: LocalCluster;
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        cluster = await sharedCluster();
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN }] });
        sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath, IBMCLOUD_API_KEY: "" });
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    async function namespace(
        name: string,
        labels: Record<string, string>,
        foreignEntry?: string,
    ): Promise<void> {
        const res = await cluster.api.post("/api/v1/namespaces", { metadata: { name, labels } });
        expect(res.status, name).to.equal(201);
        if (foreignEntry === undefined) return;
        const path = `/api/v1/namespaces/${name}/serviceaccounts/default`;
        const deadline = Date.now() + 60_000;
        let sa = await cluster.api.get(path);
        while (sa.status !== 200 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 200));
            sa = await cluster.api.get(path);
        }
        expect(
            (await cluster.api.put(path, { ...sa.data, imagePullSecrets: [{ name: foreignEntry }] })).status,
        ).to.equal(200);
    }

    async function label(name: string, labels: Record<string, string | null>): Promise<void> {
        const res = await cluster.api.patch(
            `/api/v1/namespaces/${name}`,
            { metadata: { labels } },
            { headers: { "Content-Type": "application/merge-patch+json" } },
        );
        expect(res.status, `label ${name}`).to.equal(200);
    }

    /** `op Type name` of each change, sorted. */
    const changes = (r: RunResult) =>
        resourceChanges(r)
            .map((s) => `${s.op} ${s.type.split(":").pop()} ${s.name}`)
            .sort();

    /** The resources the stack declares for one selected namespace (identity, secret, patch). */
    const namespaceResources = (op: string, ns: string) =>
        [
            `${op} AccessPolicy sel-${ns}-policy-eu-de`,
            `${op} ApiKey sel-${ns}-key`,
            `${op} NamespaceIdentity sel-${ns}`,
            `${op} NamespacePullSecrets sel-${ns}`,
            `${op} Secret sel-${ns}-de-icr-io`,
            `${op} ServiceAccountPullSecrets sel-${ns}-sa-default`,
            `${op} ServiceId sel-${ns}-id`,
        ].sort();

    it("covers labelled namespaces on each run, explicit names winning, and removes one that stops matching cleanly", async function () {
        // GIVEN labelled namespaces (one excluded by glob, one also named explicitly) and an unlabelled one
        await namespace("alpha", { "icr-access": "enabled" }, "alpha-team-pull");
        await namespace("skip-me", { "icr-access": "enabled" });
        await namespace("shop", { "icr-access": "enabled" });
        await namespace("plain", {});
        const stack = await sandbox.stack(PER_CLUSTER_PROGRAM, "sel", {
            "icr-access:cluster": { value: "sel" },
            "icr-access:namespaces": { value: JSON.stringify({ shop: { regions: ["us-south"] } }) },
            "icr-access:namespaceSelector": {
                value: JSON.stringify({
                    matchLabels: { "icr-access": "enabled" },
                    exclude: ["skip-*"],
                    access: { regions: ["eu-de"], includeGlobal: false },
                }),
            },
            "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
            "ibmcloud:apiKey": { value: ADMIN, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
        });

        // WHEN deployed
        const up = await stack.up();

        // THEN alpha is covered with the selector's access, shop with its own, the others not at all
        expect(Object.keys(up.outputs.namespaces.value as object).sort()).to.deep.equal(["alpha", "shop"]);
        expect([...(await pullSecrets(cluster, "alpha")).keys()]).to.deep.equal(["alpha-de-icr-io"]);
        expect([...(await pullSecrets(cluster, "shop")).keys()].sort()).to.deep.equal([
            "shop-icr-io",
            "shop-us-icr-io",
        ]);
        expect([...(await pullSecrets(cluster, "skip-me")).keys()]).to.deep.equal([]);
        expect([...(await pullSecrets(cluster, "plain")).keys()]).to.deep.equal([]);
        expect(await serviceAccountPullSecrets(cluster, "alpha")).to.deep.equal([
            "alpha-team-pull",
            "alpha-de-icr-io",
        ]);
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN a namespace is created and labelled after the up
        await namespace("beta", { "icr-access": "enabled" });
        const preview = await stack.preview();

        // THEN the next preview shows it as an addition, and nothing else
        expect(changes(preview)).to.deep.equal(namespaceResources("create", "beta"));

        // and the next up covers it
        await stack.up();
        expect([...(await pullSecrets(cluster, "beta")).keys()]).to.deep.equal(["beta-de-icr-io"]);
        expect(await serviceAccountPullSecrets(cluster, "beta")).to.deep.equal(["beta-de-icr-io"]);

        // WHEN alpha loses its label
        const before = {
            shop: [...(await pullSecrets(cluster, "shop")).values()].map((s) => s.uid).sort(),
            beta: [...(await pullSecrets(cluster, "beta")).values()].map((s) => s.uid),
        };
        await label("alpha", { "icr-access": null });
        const removal = await stack.preview();

        // THEN the preview removes exactly what the stack made for alpha
        expect(changes(removal)).to.deep.equal(namespaceResources("delete", "alpha"));
        await stack.up();
        // and our secret and entry are gone, the other writer's entry stays, and the rest is untouched
        expect([...(await pullSecrets(cluster, "alpha")).keys()]).to.deep.equal([]);
        expect(await serviceAccountPullSecrets(cluster, "alpha")).to.deep.equal(["alpha-team-pull"]);
        expect([...(await pullSecrets(cluster, "shop")).values()].map((s) => s.uid).sort()).to.deep.equal(
            before.shop,
        );
        expect([...(await pullSecrets(cluster, "beta")).values()].map((s) => s.uid)).to.deep.equal(
            before.beta,
        );
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN the cluster cannot be reached at preview
        const closed = await freePort();
        const unreachable = cluster.kubeconfig.replace(cluster.server, `https://127.0.0.1:${closed}`);
        const resourcesBefore = (await stack.resources()).length;
        await stack.setConfig({ "icr-access:kubeconfig": { value: unreachable, secret: true } });
        let failure: (Error & { result?: RunResult }) | undefined;
        try {
            await stack.preview();
        } catch (err) {
            failure = err as Error & { result?: RunResult };
        }

        // THEN the preview fails, saying why, and plans no deletion
        expect(failure, "preview must fail").not.to.equal(undefined);
        const text = `${failure!.message}\n${failure!.result?.stdout ?? ""}`;
        // (The per-cluster program asks the API server when it starts, before the selector reads
        // the cluster, and names the setting: stackSettings.spec.ts.)
        expect(text).to.contain(
            `icr-access:kubeconfig: the API server https://127.0.0.1:${closed} does not answer`,
        );
        expect(text).to.match(/ECONNREFUSED/);
        expect((failure!.result?.steps ?? []).filter((s) => s.op === "delete")).to.deep.equal([]);
        expect((await stack.resources()).length).to.equal(resourcesBefore);

        // WHEN it answers again THEN destroy removes ours only
        await stack.setConfig({ "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true } });
        await stack.destroy();
        expect(await serviceAccountPullSecrets(cluster, "alpha")).to.deep.equal(["alpha-team-pull"]);
        expect([...(await pullSecrets(cluster, "beta")).keys()]).to.deep.equal([]);
    });
});
