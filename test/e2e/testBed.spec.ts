// The test bed itself, through the real engine against the real API server: a
// Kubernetes program's whole lifecycle, and a dynamic resource in the engine's
// dynamic-provider host.
import { expect } from "chai";
import { LocalCluster } from "../bed/cluster";
import { PulumiSandbox } from "../bed/pulumi";
import { sharedCluster } from "../bed/sharedCluster";

describe("test bed", function () {
    let cluster: LocalCluster;
    let sandbox: PulumiSandbox;

    before(async function () {
        cluster = await sharedCluster();
        sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath });
    });
    after(async function () {
        sandbox?.dispose();
        await cluster?.stop();
    });

    it("creates, previews with no changes and destroys a Namespace and a Secret on the API server", async function () {
        // GIVEN a program creating a namespace and a secret holding a secret value
        const greeting = "hello-from-the-bed-7f3a";
        const stack = await sandbox.stack("test/e2e/programs/namespace-secret", "bed", {
            namespace: { value: "bed-ns" },
            greeting: { value: greeting, secret: true },
        });

        // WHEN it is deployed
        const up = await stack.up();

        // THEN both exist on the API server, and the namespace got its default service account
        expect(up.steps.map((s) => [s.op, s.type]).sort()).to.deep.equal([
            ["create", "kubernetes:core/v1:Namespace"],
            ["create", "kubernetes:core/v1:Secret"],
            ["create", "pulumi:providers:kubernetes"],
            ["create", "pulumi:pulumi:Stack"],
        ]);
        const ns = await cluster.api.get("/api/v1/namespaces/bed-ns");
        expect(ns.status).to.equal(200);
        expect(up.outputs.namespaceUid.value).to.equal(ns.data.metadata.uid);
        const secret = await cluster.api.get("/api/v1/namespaces/bed-ns/secrets/bed-secret");
        expect(secret.status).to.equal(200);
        expect(Buffer.from(secret.data.data.greeting, "base64").toString()).to.equal(greeting);
        const deadline = Date.now() + 60_000;
        let sa = await cluster.api.get("/api/v1/namespaces/bed-ns/serviceaccounts/default");
        while (sa.status !== 200 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 250));
            sa = await cluster.api.get("/api/v1/namespaces/bed-ns/serviceaccounts/default");
        }
        expect(sa.status, "the controller manager gives new namespaces a default service account").to.equal(
            200,
        );
        // and the secret value is encrypted in state
        const exported = await stack.exportText();
        expect(exported).to.contain("bed-secret");
        expect(exported).not.to.contain(greeting);
        expect(stack.backendText()).not.to.contain(greeting);

        // WHEN previewed again THEN nothing changes
        const preview = await stack.preview();
        expect(preview.steps).to.deep.equal([]);

        // WHEN destroyed THEN both are gone (namespace deletion is finished by the controller manager)
        await stack.destroy();
        expect((await cluster.api.get("/api/v1/namespaces/bed-ns/secrets/bed-secret")).status).to.equal(404);
        expect((await cluster.api.get("/api/v1/namespaces/bed-ns")).status).to.equal(404);
        expect(await stack.resources()).to.deep.equal([]);
    });

    it("runs a dynamic resource's provider in the engine's dynamic-provider host", async function () {
        const stack = await sandbox.stack("test/e2e/programs/dynamic-echo", "bed", {
            message: { value: "ping" },
        });
        const up = await stack.up();
        expect(up.outputs.shouted.value).to.equal("PING");
        const providerPid = up.outputs.providerPid.value as number;
        expect(providerPid).to.be.a("number");
        expect(providerPid, "the provider ran in another process than the program").not.to.equal(process.pid);
        const [echo] = (await stack.resources()).filter((r) => r.type === "pulumi-nodejs:dynamic/bed:Echo");
        expect(echo.id).to.equal("echo-ping");
        expect(echo.inputs?.__provider, "the provider is serialized into state").to.be.a("string");

        await stack.setConfig({ message: { value: "pong" } });
        const preview = await stack.preview();
        // a replace is create-before-delete by default
        expect(preview.steps.filter((s) => s.name === "echo").map((s) => s.op)).to.deep.equal([
            "create-replacement",
            "replace",
            "delete-replaced",
        ]);

        await stack.destroy();
        expect(await stack.resources()).to.deep.equal([]);
    });
});
