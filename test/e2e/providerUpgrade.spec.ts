// Upgrading from code that stored each dynamic resource's provider by value (the whole
// implementation, tens of KB), or as the SDK's serialization of the shim (2.2 KB), to the
// one-line text stored now: state written the old ways still refreshes, updates and
// destroys, and the first `up` after the upgrade rewrites only the stored provider text: an
// update of each resource, no replace, no IAM write, no Kubernetes write.
import { expect } from "chai";
import { storedProviderText } from "../../components/internal/storedProvider";
import type { ProviderKind } from "../../components/shared/providerKinds";
import { readMark } from "../../components/shared/ownership/ownerMark";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { LocalCluster } from "../bed/cluster";
import { iamWorld } from "../bed/iamWorld";
import { serviceAccountPullSecrets } from "../bed/kubeView";
import { ProgramStack, PulumiSandbox, resourceChanges, StateResource } from "../bed/pulumi";
import { sharedCluster } from "../bed/sharedCluster";

const ACCOUNT = "d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3";
const ADMIN_KEY = "provider-upgrade-admin-key-1a2b3c4d5e";
const PROGRAM = "test/e2e/programs/provider-upgrade";
const DYNAMIC_TYPES = [
    "iam:ServiceId",
    "iam:AccessPolicy",
    "iam:ApiKey",
    "k8s:ServiceAccountPullSecrets",
].map((t) => `pulumi-nodejs:dynamic/${t}`);

const STACK_OWNER = "pulumi-nodejs:dynamic/ownership:StackOwner";

const providerTexts = (resources: StateResource[]) =>
    resources
        .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))
        .map((r) => ({
            type: r.type,
            inputs: String(r.inputs?.__provider),
            outputs: String(r.outputs?.__provider),
        }));

describe("upgrading state written with earlier provider texts to the one-line text", function () {
    let cluster: LocalCluster;
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        cluster = await sharedCluster();
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }] });
        sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath, IBMCLOUD_API_KEY: "" });
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    /** A stack whose state holds the provider texts of `mode`: `true` by value, `shim` the earlier shim. */
    async function legacyStack(name: string, mode: "true" | "shim" = "true"): Promise<ProgramStack> {
        const stack = await sandbox.stack(PROGRAM, name, {
            "ibmcloud:apiKey": { value: ADMIN_KEY, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
            legacy: { value: mode },
        });
        await stack.up();
        const texts = providerTexts(await stack.resources());
        expect(texts.map((t) => t.type).sort()).to.deep.equal([...DYNAMIC_TYPES].sort());
        for (const t of texts) {
            if (mode === "true") {
                expect(t.inputs.length, `${t.type}: the old by-value text`).to.be.greaterThan(20_000);
                expect(t.inputs).not.to.contain('require("pulumi-icr-access/providers")');
            } else {
                expect(t.inputs.length, `${t.type}: the earlier shim`).to.be.within(1_024, 3 * 1024);
                expect(t.inputs).to.contain('require("pulumi-icr-access/providers")');
            }
        }
        return stack;
    }

    /**
     * Declares the resources as this release does, and expects the move to write nothing:
     * one update per resource (and the stack's owner, which the earlier program did not
     * declare), then the one-line text in state, then a preview with no changes; destroys the
     * stack after.
     */
    async function expectQuietMove(stack: ProgramStack): Promise<void> {
        const before = await iamWorld(iam.url, ACCOUNT);
        const saBefore = await cluster.api.get("/api/v1/namespaces/default/serviceaccounts/default");

        // WHEN the program declares the resources as this release does
        await stack.setConfig({ legacy: { value: "false" } });
        const preview = await stack.preview();
        // THEN the preview shows an update of each resource and nothing else: no replace, and
        // the dependents of the service ID stay known (its id does not change)
        const planned = resourceChanges(preview);
        expect(planned.map((s) => [s.type, s.op]).sort()).to.deep.equal(
            [...[...DYNAMIC_TYPES].map((t) => [t, "update"]), [STACK_OWNER, "create"]].sort(),
        );

        iam.resetLog();
        const up = await stack.up();
        expect(
            resourceChanges(up)
                .map((s) => s.op)
                .sort(),
        ).to.deep.equal(["create", "update", "update", "update", "update"]);
        expect(iam.counters().writes, JSON.stringify(iam.requests())).to.equal(0);
        const saAfter = await cluster.api.get("/api/v1/namespaces/default/serviceaccounts/default");
        expect(saAfter.data.metadata.resourceVersion, "the service account was not written").to.equal(
            saBefore.data.metadata.resourceVersion,
        );
        const after = await iamWorld(iam.url, ACCOUNT);
        expect(after.serviceIds.map((s) => s.id)).to.deep.equal(before.serviceIds.map((s) => s.id));
        expect(after.apiKeys.map((k) => k.id)).to.deep.equal(before.apiKeys.map((k) => k.id));
        expect(after.policies.map((p) => p.id)).to.deep.equal(before.policies.map((p) => p.id));
        expect(up.outputs.apiKey.secret, "the key stays a secret").to.equal(true);

        // The state now holds the one-line text, in inputs and outputs alike.
        for (const t of providerTexts(await stack.resources())) {
            const kind = t.type.split(":").pop() as ProviderKind;
            expect(t.inputs, t.type).to.equal(storedProviderText(kind));
            expect(t.outputs).to.equal(t.inputs);
        }
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        await stack.destroy();
        const gone = await iamWorld(iam.url, ACCOUNT);
        expect(gone.serviceIds.filter((s) => before.serviceIds.some((b) => b.id === s.id))).to.deep.equal([]);
        expect(gone.apiKeys.filter((k) => before.apiKeys.some((b) => b.id === k.id))).to.deep.equal([]);
        expect(gone.policies.filter((p) => before.policies.some((b) => b.id === p.id))).to.deep.equal([]);
        expect(await serviceAccountPullSecrets(cluster, "default")).not.to.include(
            `${stack.stack.name}-icr-io`,
        );
    }

    for (const [mode, earlier] of [
        ["true", "by-value providers"],
        ["shim", "the earlier shim"],
    ] as const) {
        it(`moves from ${earlier} with one update per resource that writes nothing, then runs as before`, async function () {
            const stack = await legacyStack(mode === "true" ? "upgrade" : "from-shim", mode);

            // The old text still refreshes: it reads every object back, and finds them as they were.
            const outputsOf = async () =>
                Object.fromEntries((await stack.resources()).map((r) => [r.urn, r.outputs ?? {}]));
            const stateBefore = await outputsOf();
            await stack.refresh();
            expect(await outputsOf()).to.deep.equal(stateBefore);

            await expectQuietMove(stack);
        });
    }

    it("updates and destroys state written with by-value providers without moving it", async function () {
        const stack = await legacyStack("legacy-only");
        await stack.setConfig({ description: { value: "changed by the old provider" } });
        const up = await stack.up();
        expect(resourceChanges(up).map((s) => [s.type, s.op])).to.deep.equal([
            ["pulumi-nodejs:dynamic/iam:ServiceId", "update"],
        ]);
        const world = await iamWorld(iam.url, ACCOUNT);
        expect(
            world.serviceIds
                .filter((s) => s.name === "legacy-only-id")
                .map((s) => readMark(s.description).description),
        ).to.deep.equal(["changed by the old provider"]);

        await stack.destroy();
        const gone = await iamWorld(iam.url, ACCOUNT);
        expect(gone.serviceIds.filter((s) => s.name === "legacy-only-id")).to.deep.equal([]);
        expect(gone.apiKeys.filter((k) => k.name === "legacy-only-key")).to.deep.equal([]);
        expect(await serviceAccountPullSecrets(cluster, "default")).not.to.include("legacy-only-icr-io");
    });
});
