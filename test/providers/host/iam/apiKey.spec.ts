// The ApiKey dynamic provider's methods, called directly against the IAM emulator.
import { expect } from "chai";
import { IamEmulator } from "../../../../emulator";
import { ServiceIdResource } from "../../../../components/clients/iam";
import { ApiKeyProvider, ApiKeyState } from "../../../../components/host/iam/apiKeyProvider";
import {
    FAST,
    KEY_B,
    clientFor,
    isolateCredentials,
    rejection,
    stackConfigFor,
    startEmulator,
} from "../../iamFixtures";

describe("ApiKey provider", function () {
    isolateCredentials();
    let iam: IamEmulator;
    let provider: ApiKeyProvider;
    let owner: ServiceIdResource;

    before(async function () {
        iam = await startEmulator();
    });
    after(async function () {
        await iam?.close();
    });
    beforeEach(async function () {
        iam.clearFaults();
        provider = new ApiKeyProvider(FAST);
        await provider.configure(stackConfigFor(iam));
        owner = await clientFor(iam).createServiceId({ name: "key-owner" });
        iam.resetLog();
    });

    async function created(extra: Record<string, unknown> = {}) {
        const inputs = { name: "cluster-ns-key", iamId: owner.iam_id, description: "for pulls", ...extra };
        const { id, outs } = await provider.create(inputs);
        return { id, outs: outs as ApiKeyState, inputs };
    }

    it("creates a key whose value comes only from the create response", async function () {
        const { id, outs } = await created();
        expect(outs.apikey).to.be.a("string").with.length.above(20);
        expect([outs.name, outs.iamId, outs.description, outs.storeValue, outs.locked]).to.deep.equal([
            "cluster-ns-key",
            owner.iam_id,
            "for pulls",
            false,
            false,
        ]);
        // IAM will not tell it again…
        expect((await clientFor(iam).getApiKey(id))?.apikey).to.equal(undefined);
        // …so read carries it forward from state.
        const read = await provider.read(id, outs);
        expect(read.props?.apikey).to.equal(outs.apikey);
        expect(read.inputs, "the value is an output, never an input").not.to.have.property("apikey");
    });

    it("reads a stored value back from IAM when storeValue is set", async function () {
        const { id, outs } = await created({ storeValue: true });
        const { apikey: _dropped, ...withoutValue } = outs;
        const read = await provider.read(id, withoutValue as ApiKeyState);
        expect(read.props?.apikey).to.equal(outs.apikey);
    });

    it("replaces the key on a new rotation value, create before delete", async function () {
        const { id, outs, inputs } = await created({ rotation: "2026-10" });
        const diff = await provider.diff(id, outs, { ...inputs, rotation: "2026-11" });
        expect(diff).to.deep.equal({ changes: true, replaces: ["rotation"] });
        expect(diff.deleteBeforeReplace).to.equal(undefined);
        // The engine's create-before-delete: the new key exists while the old one still works.
        const next = await provider.create({ ...inputs, rotation: "2026-11" });
        const keys = await clientFor(iam).listApiKeys({ iamId: owner.iam_id });
        expect(keys.map((k) => k.id).sort()).to.deep.equal([id, next.id].sort());
        expect(next.outs?.apikey).not.to.equal(outs.apikey);
        await provider.delete(id, outs);
        expect((await clientFor(iam).listApiKeys({ iamId: owner.iam_id })).map((k) => k.id)).to.deep.equal([
            next.id,
        ]);
    });

    it("renames in place, keeping the value and surviving a stale entity tag", async function () {
        const { id, outs } = await created();
        await clientFor(iam).updateApiKey(id, { description: "elsewhere" }, "*");
        iam.resetLog();
        const { outs: after } = await provider.update(id, outs, {
            name: "renamed",
            iamId: owner.iam_id,
            description: "ours",
        });
        expect([after?.name, after?.description, after?.apikey]).to.deep.equal([
            "renamed",
            "ours",
            outs.apikey,
        ]);
        expect(iam.requests().map((r) => [r.operation, r.status])).to.deep.equal([
            ["updateApiKey", 409],
            ["getApiKey", 200],
            ["updateApiKey", 200],
        ]);
    });

    it("reports a key deleted outside Pulumi as gone on refresh", async function () {
        const { id, outs } = await created();
        await clientFor(iam).deleteApiKey(id);
        expect(await provider.read(id, outs)).to.deep.equal({ id: "" });
    });

    it("deletes a key it locked by unlocking it first, and treats a missing key as deleted", async function () {
        const { id, outs } = await created({ locked: true });
        expect(outs.locked).to.equal(true);
        await provider.delete(id, outs);
        expect(await clientFor(iam).getApiKey(id)).to.equal(undefined);
        await provider.delete(id, outs);
    });

    it("creates the key in the account of per-resource credentials", async function () {
        const otherOwner = await clientFor(iam, KEY_B).createServiceId({ name: "b-owner" });
        const { id, outs } = await provider.create({
            name: "b-key",
            iamId: otherOwner.iam_id,
            credentials: { apiKey: KEY_B },
        });
        expect(outs?.accountId).to.equal(otherOwner.account_id);
        expect((await clientFor(iam, KEY_B).getApiKey(id))?.iam_id).to.equal(otherOwner.iam_id);
    });

    it("rejects a service ID's id given as its IAM id, at check time", async function () {
        const { failures } = await provider.check({}, { name: "k", iamId: owner.id });
        expect(failures).to.deep.equal([
            {
                property: "iamId",
                reason: `"${owner.id}" is a service ID's id, not its IAM id. Use the service ID's \`iamId\` output. Did you mean "iam-${owner.id}"?`,
            },
        ]);
    });

    it("fails a create for an unknown owner with IAM's error, not a hang", async function () {
        const err = await rejection(
            provider.create({ name: "orphan", iamId: "iam-ServiceId-00000000-0000-4000-8000-000000000000" }),
        );
        expect(err.name).to.equal("IamError");
        expect(err.message).to.match(/^IAM POST \/v1\/apikeys failed: 4\d\d /);
    });
});
