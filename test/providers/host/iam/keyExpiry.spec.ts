// ApiKey expiry, renewal and healing, with the emulator's clock standing in for IAM's time:
// `keyLifetime` sets IAM's `expires_at`, `diff` replaces a key inside `renewBefore` of it (or
// disabled or purged by IAM), `read` reports an expired or disabled key in `status` and a
// purged one as gone, and `actionWhenLeaked` is sent on create and changed in place.
import { expect } from "chai";
import { IamEmulator } from "../../../../emulator";
import { ServiceIdResource } from "../../../../components/clients/iam";
import { parseIbmTime } from "../../../../components/clients/iam/wire";
import { ApiKeyInputs, ApiKeyProvider, ApiKeyState } from "../../../../components/host/iam/apiKeyProvider";
import { ibmExpiresAt, parseKeyDuration, renewWindowMs } from "../../../../components/shared/iam/keyLifetime";
import { APIKEY_GRANT, bearer, client, tokenFor, tokenRequest } from "../../../emulator/harness";
import { FAST, KEY_A, clientFor, isolateCredentials, stackConfigFor, startEmulator } from "../../iamFixtures";

const DAY = 86_400_000;

describe("ApiKey provider: keyLifetime, renewBefore, actionWhenLeaked", function () {
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
        provider = new ApiKeyProvider(FAST);
        await provider.configure(stackConfigFor(iam));
        owner = await clientFor(iam).createServiceId({ name: "expiring-key-owner" });
    });

    async function created(extra: Partial<ApiKeyInputs> = {}) {
        const inputs: ApiKeyInputs = { name: "cluster-ns-key", iamId: owner.iam_id, ...extra };
        const checked = await provider.check({}, inputs);
        expect(checked.failures).to.deep.equal([]);
        const { id, outs } = await provider.create(checked.inputs!);
        return { id, outs: outs as ApiKeyState, inputs: checked.inputs! };
    }

    /** Disables a key out of band, as IAM does for a leaked one (`POST /v1/apikeys/{id}/disable`). */
    async function disable(id: string): Promise<void> {
        const http = client(iam.url);
        const res = await http.post(
            `/v1/apikeys/${id}/disable`,
            undefined,
            bearer(await tokenFor(http, KEY_A)),
        );
        expect(res.status).to.equal(204);
    }

    async function keysOfOwner(): Promise<string[]> {
        return (await clientFor(iam).listApiKeys({ iamId: owner.iam_id })).map((k) => k.id);
    }

    async function logsIn(value: string | undefined): Promise<boolean> {
        const res = await tokenRequest(client(iam.url), {
            grant_type: APIKEY_GRANT,
            apikey: value ?? "",
            response_type: "cloud_iam",
        });
        return res.status === 200;
    }

    it("reads durations, the default window and IAM's expires_at format", function () {
        expect(parseKeyDuration("90d")).to.equal(90 * DAY);
        expect(parseKeyDuration("2w")).to.equal(14 * DAY);
        expect(parseKeyDuration("1d12h")).to.equal(1.5 * DAY);
        expect(parseKeyDuration("90 days")).to.equal(undefined);
        expect(renewWindowMs("90d", undefined)).to.equal(30 * DAY);
        expect(renewWindowMs("90d", "7d")).to.equal(7 * DAY);
        expect(ibmExpiresAt(Date.parse("2026-03-04T05:06:59.999Z"))).to.equal("2026-03-04T05:06+0000");
    });

    it("check refuses an unreadable lifetime, a window not shorter than it and an unknown leak action", async function () {
        const failures = (
            await provider.check(
                {},
                { name: "k", iamId: owner.iam_id, keyLifetime: "90 days", actionWhenLeaked: "ignore" },
            )
        ).failures!.map((f) => f.property);
        expect(failures).to.include.members(["keyLifetime", "actionWhenLeaked"]);
        const window = await provider.check(
            {},
            { name: "k", iamId: owner.iam_id, keyLifetime: "12h", renewBefore: "1d" },
        );
        expect(window.failures!.map((f) => `${f.property}: ${f.reason}`).join("\n")).to.match(
            /renewBefore: "1d" is not shorter than keyLifetime "12h"/,
        );
    });

    it("creates the key with expires_at one lifetime ahead on IAM's clock, and action_when_leaked", async function () {
        iam.clock.advance("400d"); // IAM's time, not ours, decides
        const { id, outs } = await created({ keyLifetime: "90d", actionWhenLeaked: "delete" });
        const expiry = parseIbmTime(outs.expiresAt)!;
        expect(expiry - iam.clock.now()).to.be.within(90 * DAY - 120_000, 90 * DAY);
        expect(outs).to.include({ actionWhenLeaked: "delete", disabled: false, keyLifetime: "90d" });
        const live = await clientFor(iam).getApiKey(id);
        expect(live).to.include({ expires_at: outs.expiresAt, action_when_leaked: "delete" });
    });

    it("keeps keys without keyLifetime free of expiry, with IAM's default leak action", async function () {
        const { id, outs, inputs } = await created();
        expect(outs.expiresAt).to.equal(undefined);
        expect(outs.actionWhenLeaked).to.equal("disable");
        expect((await clientFor(iam).getApiKey(id))?.action_when_leaked).to.equal("disable");
        iam.clock.advance("3000d");
        expect(await provider.diff(id, outs, inputs)).to.deep.equal({ changes: false, replaces: [] });
    });

    it("changes actionWhenLeaked in place, and replaces the key for a new keyLifetime", async function () {
        const { id, outs, inputs } = await created({ keyLifetime: "90d" });
        const leak = await provider.diff(id, outs, { ...inputs, actionWhenLeaked: "none" });
        expect(leak).to.deep.equal({ changes: true, replaces: [] });
        const updated = await provider.update(id, outs, { ...inputs, actionWhenLeaked: "none" });
        expect(updated.outs?.actionWhenLeaked).to.equal("none");
        expect((await clientFor(iam).getApiKey(id))?.action_when_leaked).to.equal("none");
        expect(updated.outs?.apikey).to.equal(outs.apikey);
        const lifetime = await provider.diff(id, outs, { ...inputs, keyLifetime: "30d" });
        expect(lifetime.replaces).to.deep.equal(["keyLifetime"]);
    });

    it("renews inside the window (a third of the lifetime): create before delete, the old key refused after", async function () {
        const { id, outs, inputs } = await created({ keyLifetime: "90d" });
        expect(await provider.diff(id, outs, inputs)).to.deep.equal({ changes: false, replaces: [] });
        iam.clock.advance("59d");
        expect((await provider.diff(id, outs, inputs)).replaces).to.deep.equal([]);
        iam.clock.advance("2d");
        const diff = await provider.diff(id, outs, inputs);
        expect(diff).to.deep.equal({ changes: true, replaces: ["expiresAt"] });
        // The engine's replace: the new key first (the old one still works), then the delete.
        const next = await provider.create(inputs);
        expect(await logsIn(next.outs!.apikey)).to.equal(true);
        expect(await logsIn(outs.apikey)).to.equal(true, "the old key works until it is deleted");
        expect(parseIbmTime(next.outs!.expiresAt)! - iam.clock.now()).to.be.above(89 * DAY);
        await provider.delete(id, outs);
        expect(await logsIn(outs.apikey)).to.equal(false);
        expect(await logsIn(next.outs!.apikey)).to.equal(true);
        expect((await provider.diff(next.id, next.outs!, inputs)).replaces).to.deep.equal([]);
    });

    it("a renewal as the engine runs it never deletes the key it replaces; an earlier attempt's key goes", async function () {
        const owned = { owner: "stack-owner-of-the-renewal/ApiKey/shop-key", keyLifetime: "90d" };
        const { id, outs, inputs } = await created(owned);
        const foreign = await created({ owner: "another-stack/ApiKey/shop-key", keyLifetime: "90d" });
        iam.clock.advance("61d");
        // The engine's replace in one provider host process: check with the old inputs, diff, check
        // again without them (a replacement gets new defaults, as a new resource does), create; the
        // old key's delete comes after the pull secrets hold the new one.
        const program = { ...inputs, incarnation: undefined };
        const renew = async (host: ApiKeyProvider) => {
            const checked = await host.check(inputs, program);
            expect((await host.diff(id, outs, checked.inputs!)).replaces).to.deep.equal(["expiresAt"]);
            const replacement = await host.check({}, program);
            expect(replacement.inputs!.incarnation).not.to.equal(inputs.incarnation);
            return host.create(replacement.inputs!);
        };
        // GIVEN an earlier run's renewal made a key and died before recording it (its answer lost,
        // IAM's listings failing), while the old key kept working
        const earlier = new ApiKeyProvider(FAST);
        await earlier.configure(stackConfigFor(iam));
        const lost = await renew(earlier);
        expect(await logsIn(outs.apikey)).to.equal(true, "the old key survives its replacement's create");
        expect((await keysOfOwner()).sort()).to.deep.equal([id, lost.id, foreign.id].sort());
        // WHEN the next run renews
        const next = await renew(provider);
        // THEN the earlier attempt's key is gone, the old key still works until its delete
        expect((await keysOfOwner()).sort()).to.deep.equal([id, next.id, foreign.id].sort());
        expect(await logsIn(outs.apikey)).to.equal(true);
        await provider.delete(id, outs);
        // and the successor and the other stack's key are all that is left
        expect((await keysOfOwner()).sort()).to.deep.equal([next.id, foreign.id].sort());
        expect(await logsIn(next.outs!.apikey)).to.equal(true);
        expect(await logsIn(foreign.outs.apikey)).to.equal(true);
    });

    it("honours renewBefore", async function () {
        const { id, outs, inputs } = await created({ keyLifetime: "90d", renewBefore: "7d" });
        iam.clock.advance("80d");
        expect((await provider.diff(id, outs, inputs)).replaces).to.deep.equal([]);
        iam.clock.advance("4d");
        expect((await provider.diff(id, outs, inputs)).replaces).to.deep.equal(["expiresAt"]);
        // A wider window given later counts at once.
        const { id: id2, outs: outs2, inputs: inputs2 } = await created({ keyLifetime: "90d" });
        iam.clock.advance("40d");
        expect((await provider.diff(id2, outs2, inputs2)).replaces).to.deep.equal([]);
        const wider = await provider.diff(id2, outs2, { ...inputs2, renewBefore: "60d" });
        expect(wider).to.deep.equal({ changes: true, replaces: ["expiresAt"] });
    });

    it("a key IAM disabled: replaced by the next diff (lifetime keys), and reported by read (any key)", async function () {
        const withLifetime = await created({ keyLifetime: "90d" });
        const plain = await created();
        await disable(withLifetime.id);
        await disable(plain.id);
        expect(
            (await provider.diff(withLifetime.id, withLifetime.outs, withLifetime.inputs)).replaces,
        ).to.deep.equal(["disabled"]);
        // Without an expiry nothing is read at diff: the refresh finds it.
        expect((await provider.diff(plain.id, plain.outs, plain.inputs)).replaces).to.deep.equal([]);
        const read = await provider.read(plain.id, plain.outs);
        expect(read.id).to.equal(plain.id);
        expect(read.props).to.include({ disabled: true });
        expect(read.props?.status).to.match(/^disabled in IAM .*the next `pulumi up` replaces key ApiKey-/);
        expect(read.props?.apikey).to.equal(plain.outs.apikey);
        const healed = await provider.diff(plain.id, read.props as ApiKeyState, plain.inputs);
        expect(healed).to.deep.equal({ changes: true, replaces: ["disabled"] });
    });

    it("an expired key reads with a status and is replaced; a purged one reads as gone", async function () {
        const { id, outs, inputs } = await created({ keyLifetime: "90d" });
        iam.clock.advance("91d");
        expect(await logsIn(outs.apikey)).to.equal(false);
        const read = await provider.read(id, outs);
        expect(read.props?.status).to.match(
            /^expired in IAM at \d{4}-\d\d-\d\dT\d\d:\d\d\+0000: the next `pulumi up`/,
        );
        expect((await provider.diff(id, read.props as ApiKeyState, inputs)).replaces).to.deep.equal([
            "expiresAt",
        ]);
        iam.clock.advance("91d");
        expect((await provider.diff(id, outs, inputs)).replaces).to.deep.equal(["apikey"]);
        expect(await provider.read(id, outs)).to.deep.equal({ id: "" });
        await provider.delete(id, outs); // the engine's delete of the replaced key: already gone
    });
});
