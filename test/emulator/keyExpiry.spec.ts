// API key expiry, leaks and disabling, as IBM documents them, checked with IBM's own Node SDK
// (@ibm-cloud/platform-services, IamIdentityV1, unchanged) against the emulator: `expires_at`
// ('yyyy-MM-ddTHH:mm+0000') and `action_when_leaked` stored and returned, a key refused at the
// token endpoint once expired or disabled, the 90-day purge ("permanently and irrevocably
// deleted when both the expires_at and modified_at timestamps are more than ninety (90) days in
// the past"), and the emulator's clock that moves IAM's time for these tests.
import IamIdentityV1 from "@ibm-cloud/platform-services/iam-identity/v1";
import { expect } from "chai";
import { IamAuthenticator } from "ibm-cloud-sdk-core";
import { parseArgs } from "../../emulator/main";
import {
    ACCOUNT_A,
    ADMIN_KEY_A,
    APIKEY_GRANT,
    Harness,
    TOKEN_CONTEXT_KEYS,
    startHarness,
    tokenRequest,
} from "./harness";

const DAY = 86_400_000;

/** IAM Identity's timestamp format for `t`. */
function ibmTime(t: number): string {
    return new Date(t).toISOString().slice(0, 16) + "+0000";
}

/**
 * An SDK client as an application builds one. A new one after each move of the clock: the SDK
 * caches its token by the `expiration` IAM gave, which a moved clock makes stale.
 */
function sdk(h: Harness): IamIdentityV1 {
    return new IamIdentityV1({
        authenticator: new IamAuthenticator({ apikey: ADMIN_KEY_A, url: h.iam.url }),
        serviceUrl: h.iam.url,
    });
}

/** The SDK's error status and body of a failed call. */
async function sdkFailure(
    call: Promise<unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
    try {
        await call;
    } catch (err) {
        const e = err as { status: number; body?: string; result?: unknown };
        return { status: e.status, body: JSON.parse(e.body ?? "{}") };
    }
    throw new Error("the call succeeded");
}

describe("IAM emulator: API key expiry, leaks and disabling (IBM's SDK)", () => {
    let h: Harness;
    let iamId: string;
    before(async () => {
        h = await startHarness();
        const sid = await sdk(h).createServiceId({ accountId: ACCOUNT_A, name: "expiring-keys" });
        iamId = sid.result.iam_id as string;
    });
    after(async () => h.iam.close());

    /** A key created through the SDK: its id and value. */
    async function createKey(extra: Partial<IamIdentityV1.CreateApiKeyParams> = {}) {
        const res = await sdk(h).createApiKey({ name: "pull-key", iamId, accountId: ACCOUNT_A, ...extra });
        expect(res.status).to.equal(201);
        return { id: res.result.id as string, value: res.result.apikey as string, key: res.result };
    }

    async function login(value: string) {
        return tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: value, response_type: "cloud_iam" });
    }

    it("stores and returns expires_at and action_when_leaked (createApiKey, getApiKey, listApiKeys)", async () => {
        const expiresAt = ibmTime(h.iam.clock.now() + 30 * DAY);
        const { id, key } = await createKey({ expiresAt, actionWhenLeaked: "delete" });
        expect(key.expires_at).to.equal(expiresAt);
        expect(key.action_when_leaked).to.equal("delete");
        expect(key.disabled).to.equal(false);
        const got = (await sdk(h).getApiKey({ id })).result;
        expect(got).to.include({ expires_at: expiresAt, action_when_leaked: "delete", disabled: false });
        const listed = (await sdk(h).listApiKeys({ accountId: ACCOUNT_A, iamId })).result.apikeys ?? [];
        expect(listed.find((k) => k.id === id)).to.include({ expires_at: expiresAt });
    });

    it("defaults action_when_leaked to disable and sends no expires_at for a key without one", async () => {
        const { key } = await createKey();
        expect(key.action_when_leaked).to.equal("disable");
        expect(key).to.not.have.property("expires_at");
    });

    it("refuses an expires_at not in IBM's format and an unknown action_when_leaked with 400", async () => {
        const iso = await sdkFailure(createKey({ expiresAt: new Date().toISOString() }));
        expect(iso.status).to.equal(400);
        expect((iso.body.errors as { code: string }[])[0].code).to.equal("invalid_body");
        const action = await sdkFailure(createKey({ actionWhenLeaked: "ignore" }));
        expect(action.status).to.equal(400);
    });

    it("updates expires_at and action_when_leaked with If-Match, and clears expires_at with ''", async () => {
        const { id } = await createKey();
        const tag = (await sdk(h).getApiKey({ id })).result.entity_tag as string;
        const expiresAt = ibmTime(h.iam.clock.now() + 7 * DAY);
        const updated = await sdk(h).updateApiKey({ id, ifMatch: tag, expiresAt, actionWhenLeaked: "none" });
        expect(updated.result).to.include({ expires_at: expiresAt, action_when_leaked: "none" });
        const cleared = await sdk(h).updateApiKey({
            id,
            ifMatch: updated.result.entity_tag as string,
            expiresAt: "",
        });
        expect(cleared.result).to.not.have.property("expires_at");
    });

    it("disableApiKey and enableApiKey: `disabled` follows, a disabled key's login is refused", async () => {
        const { id, value } = await createKey();
        expect((await login(value)).status).to.equal(200);
        expect((await sdk(h).disableApiKey({ id })).status).to.equal(204);
        expect((await sdk(h).getApiKey({ id })).result.disabled).to.equal(true);
        const refused = await login(value);
        expect(refused.status).to.equal(400);
        expect(refused.data).to.have.all.keys("errorCode", "errorMessage", "context");
        expect(refused.data.errorMessage).to.match(/disabled/);
        expect((await sdk(h).enableApiKey({ id })).status).to.equal(204);
        expect((await sdk(h).getApiKey({ id })).result.disabled).to.equal(false);
        expect((await login(value)).status).to.equal(200);
    });

    it("a key created disabled (Entity-Disable) is refused until enabled", async () => {
        const { id, value, key } = await createKey({ entityDisable: "true" });
        expect(key.disabled).to.equal(true);
        expect((await login(value)).status).to.equal(400);
        await sdk(h).enableApiKey({ id });
        expect((await login(value)).status).to.equal(200);
    });

    it("refuses the token exchange once expires_at has passed, in the token endpoint's error shape", async () => {
        const { id, value } = await createKey({ expiresAt: ibmTime(h.iam.clock.now() + 2 * DAY) });
        expect((await login(value)).status).to.equal(200);
        h.iam.clock.advance("1d");
        expect((await login(value)).status).to.equal(200, "one day before expiry");
        h.iam.clock.advance("1d1m");
        const refused = await login(value);
        expect(refused.status).to.equal(400);
        expect(refused.data).to.have.all.keys("errorCode", "errorMessage", "context");
        expect(refused.data.errorMessage).to.match(/expired/);
        expect(Object.keys(refused.data.context).sort()).to.deep.equal(TOKEN_CONTEXT_KEYS);
        // Expired is not gone: IAM still shows the key until it is purged.
        expect((await sdk(h).getApiKey({ id })).result.expires_at).to.be.a("string");
    });

    it("purges a key when both expires_at and modified_at are more than 90 days in the past", async () => {
        const expiresAt = ibmTime(h.iam.clock.now() + 2 * DAY);
        const kept = await createKey({ expiresAt: ibmTime(h.iam.clock.now() + 200 * DAY) });
        const { id } = await createKey({ expiresAt, entityLock: "true" });
        h.iam.clock.advance("91d");
        // modified_at is 91 days past, expires_at 89 days: not yet.
        expect((await sdk(h).getApiKey({ id })).status).to.equal(200);
        h.iam.clock.advance("1d2m");
        const gone = await sdkFailure(sdk(h).getApiKey({ id }));
        expect(gone.status).to.equal(404, "purged, although locked");
        expect((await sdk(h).getApiKey({ id: kept.id })).status).to.equal(200);
        const listed = (await sdk(h).listApiKeys({ accountId: ACCOUNT_A, iamId })).result.apikeys ?? [];
        expect(listed.map((k) => k.id)).to.not.include(id);
    });

    it("a change to an expired key postpones its purge (modified_at)", async () => {
        const { id } = await createKey({ expiresAt: ibmTime(h.iam.clock.now() + DAY) });
        h.iam.clock.advance("60d");
        const tag = (await sdk(h).getApiKey({ id })).result.entity_tag as string;
        await sdk(h).updateApiKey({ id, ifMatch: tag, description: "still wanted" });
        h.iam.clock.advance("40d");
        expect((await sdk(h).getApiKey({ id })).status).to.equal(200, "modified 40 days ago");
        h.iam.clock.advance("51d");
        expect((await sdkFailure(sdk(h).getApiKey({ id }))).status).to.equal(404);
    });

    describe("the clock", () => {
        it("GET /_emulator/clock tells IAM's time; POST sets or advances it; Date headers follow", async () => {
            const before = (await h.http.get("/_emulator/clock")).data;
            expect(before).to.have.all.keys("now", "nowMs", "offsetMs");
            const moved = await h.http.post("/_emulator/clock", { advance: "2w" });
            expect(moved.status).to.equal(200);
            expect(moved.data.nowMs - before.nowMs).to.be.within(14 * DAY, 14 * DAY + 60_000);
            const set = await h.http.post("/_emulator/clock", { set: "2031-05-01T12:00:00Z" });
            expect(set.data.now.slice(0, 16)).to.equal("2031-05-01T12:00");
            const res = await login(ADMIN_KEY_A);
            expect(new Date(res.headers.date).getUTCFullYear()).to.equal(2031);
            expect(res.data.expiration - Date.parse("2031-05-01T12:00:00Z") / 1000).to.be.within(3599, 3700);
            const created = await createKey();
            expect(created.key.created_at).to.match(/^2031-05-01T12:0\d\+0000$/);
            expect((await h.http.post("/_emulator/clock", { advance: "soon" })).status).to.equal(400);
            expect((await h.http.post("/_emulator/clock", {})).status).to.equal(400);
        });

        it("tokens issued before a move past their expiry are refused with 401", async () => {
            const client = sdk(h);
            await client.listApiKeys({ accountId: ACCOUNT_A });
            h.iam.clock.advance("2h");
            expect((await sdkFailure(client.listApiKeys({ accountId: ACCOUNT_A }))).status).to.equal(401);
        });

        it("--clock takes a time or an offset from now; an unreadable one is a problem", () => {
            const account = `--account=${ACCOUNT_A}:${ADMIN_KEY_A}`;
            const at = parseArgs([account, "--clock", "2030-01-01T00:00Z"]);
            expect(at.options?.clockStart).to.equal(Date.parse("2030-01-01T00:00Z"));
            const ahead = parseArgs([account, "--clock=+61d"]);
            expect((ahead.options?.clockStart as number) - Date.now()).to.be.within(
                61 * DAY - 5000,
                61 * DAY,
            );
            expect(parseArgs([account, "--clock", "someday"]).problems.join("\n")).to.match(/--clock/);
        });
    });
});
