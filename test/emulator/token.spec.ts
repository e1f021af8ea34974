// POST /identity/token as IBM documents it: form-encoded API-key grant,
// 200 body and JWT claims, and the 400/405 `{errorCode, errorMessage, context}` bodies.
import { expect } from "chai";
import {
    ACCOUNT_A,
    ADMIN_KEY_A,
    APIKEY_GRANT,
    Harness,
    TOKEN_CONTEXT_KEYS,
    bearer,
    createApiKey,
    createServiceId,
    decodeJwt,
    startHarness,
    tokenFor,
    tokenRequest,
    waitFor,
} from "./harness";

describe("IAM emulator: token endpoint (getToken)", () => {
    let h: Harness;
    before(async () => {
        h = await startHarness();
    });
    after(async () => h.iam.close());

    it("exchanges an account admin key for a Bearer token with IBM's 200 body", async () => {
        const res = await tokenRequest(h.http, {
            grant_type: APIKEY_GRANT,
            apikey: ADMIN_KEY_A,
            response_type: "cloud_iam",
        });
        expect(res.status).to.equal(200);
        expect(res.headers["content-type"]).to.match(/^application\/json/);
        expect(Object.keys(res.data).sort()).to.deep.equal(
            [
                "access_token",
                "expiration",
                "expires_in",
                "ims_user_id",
                "refresh_token",
                "scope",
                "token_type",
            ].sort(),
        );
        expect(res.data.refresh_token).to.equal("not_supported");
        expect(res.data.token_type).to.equal("Bearer");
        expect(res.data.expires_in).to.equal(3600);
        expect(res.data.scope).to.equal("ibm openid");
        const { claims } = decodeJwt(res.data.access_token);
        expect(res.data.expiration).to.equal(claims.exp);
    });

    it("issues a user token for the admin key: IBMid realm and the account at account.bss", async () => {
        const { header, claims } = decodeJwt(await tokenFor(h.http, ADMIN_KEY_A));
        expect(header.kid).to.be.a("string").and.not.equal("");
        expect(claims.account).to.deep.equal({ valid: true, bss: ACCOUNT_A, frozen: true });
        expect(claims.realmid).to.equal("IBMid");
        expect(claims.iam_id).to.match(/^IBMid-[0-9A-Z]+$/);
        expect(claims.id).to.equal(claims.iam_id);
        expect(claims.iss).to.equal("https://iam.cloud.ibm.com/identity");
        expect(claims.grant_type).to.equal(APIKEY_GRANT);
        expect(claims.scope).to.equal("ibm openid");
        expect(claims.exp).to.equal((claims.iat as number) + 3600);
        for (const claim of ["jti", "identifier", "name", "sub", "authn", "client_id", "acr", "amr"]) {
            expect(claims, claim).to.have.property(claim);
        }
    });

    it("issues a ServiceId token for a service ID's key, with IBM's service-ID claims", async () => {
        const admin = await tokenFor(h.http, ADMIN_KEY_A);
        const sid = await createServiceId(h.http, admin, ACCOUNT_A, "token-claims");
        const key = await createApiKey(h.http, admin, sid.iam_id);
        const res = await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: key.apikey });
        expect(res.status).to.equal(200);
        expect(res.data).to.not.have.property("ims_user_id");
        const { claims } = decodeJwt(res.data.access_token);
        expect(claims).to.deep.include({
            iam_id: sid.iam_id,
            id: sid.iam_id,
            realmid: "iam",
            identifier: sid.id,
            name: "token-claims",
            sub: sid.id,
            sub_type: "ServiceId",
            authn: { sub: sid.id, iam_id: sid.iam_id, sub_type: "ServiceId", name: "token-claims" },
            account: { valid: true, bss: ACCOUNT_A, frozen: true },
            client_id: "default",
            acr: 1,
            amr: ["pwd"],
        });
        expect(claims.iam_id).to.equal("iam-" + claims.sub);
    });

    it("rejects an unknown API key with 400 BXNIM0415E and IBM's camelCase context", async () => {
        const res = await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: "no-such-key" });
        expect(res.status).to.equal(400);
        expect(res.data.errorCode).to.equal("BXNIM0415E");
        expect(res.data.errorMessage).to.equal("Provided API key could not be found.");
        expect(Object.keys(res.data.context).sort()).to.deep.equal(TOKEN_CONTEXT_KEYS);
        expect(res.data.context.requestId).to.equal(res.headers["transaction-id"]);
        expect(res.data.context.requestType).to.equal("incoming.Identity_Token");
        expect(res.data.context.url).to.contain("iam");
        expect(res.data.context.startTime).to.match(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}:\d{3} UTC$/);
    });

    it("rejects a missing grant_type with 400 BXNIM0109E and errorDetails naming the property", async () => {
        const res = await tokenRequest(h.http, { apikey: ADMIN_KEY_A });
        expect(res.status).to.equal(400);
        expect(res.data.errorCode).to.equal("BXNIM0109E");
        expect(res.data.errorMessage).to.equal("Property missing or empty.");
        expect(res.data.errorDetails).to.equal("Property 'grant_type' either missing or empty.");
    });

    it("rejects a missing apikey with 400 BXNIM0109E", async () => {
        const res = await tokenRequest(h.http, { grant_type: APIKEY_GRANT });
        expect(res.status).to.equal(400);
        expect(res.data.errorCode).to.equal("BXNIM0109E");
        expect(res.data.errorDetails).to.equal("Property 'apikey' either missing or empty.");
    });

    it("rejects a response_type other than cloud_iam with 400 BXNIM0106E", async () => {
        const res = await tokenRequest(h.http, {
            grant_type: APIKEY_GRANT,
            apikey: ADMIN_KEY_A,
            response_type: "x",
        });
        expect(res.status).to.equal(400);
        expect(res.data.errorCode).to.equal("BXNIM0106E");
        expect(res.data.errorMessage).to.contain("'response_type'");
        expect(res.data.errorMessage).to.contain("'cloud_iam'");
    });

    it("rejects a GET with 405 BXNIM0060E in the token error shape", async () => {
        const res = await h.http.get("/identity/token");
        expect(res.status).to.equal(405);
        expect(res.data.errorCode).to.equal("BXNIM0060E");
        expect(res.data.errorMessage).to.contain("405");
        expect(Object.keys(res.data.context).sort()).to.deep.equal(TOKEN_CONTEXT_KEYS);
    });

    it("sends IBM's headers: Transaction-Id, X-Correlation-Id and no-cache", async () => {
        const res = await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: ADMIN_KEY_A });
        expect(res.headers["transaction-id"]).to.match(/^[A-Za-z0-9]+-[0-9a-f]{32}$/);
        expect(res.headers["x-correlation-id"]).to.equal(res.headers["transaction-id"]);
        expect(res.headers["cache-control"]).to.equal("no-cache, no-store, must-revalidate");
        expect(res.headers["pragma"]).to.equal("no-cache");
    });
});

describe("IAM emulator: token lifetime", () => {
    let h: Harness;
    before(async () => {
        h = await startHarness({ tokenTtlSeconds: 1 });
    });
    after(async () => h.iam.close());

    it("honours tokenTtlSeconds and refuses the token with 401 once it expires", async () => {
        const res = await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: ADMIN_KEY_A });
        expect(res.data.expires_in).to.equal(1);
        const token = res.data.access_token as string;
        const exp = decodeJwt(token).claims.exp as number;
        const ok = await h.http.get(`/v1/serviceids/?account_id=${ACCOUNT_A}`, bearer(token));
        expect(ok.status).to.equal(200);
        await waitFor(() => Date.now() >= exp * 1000, 2500);
        const expired = await h.http.get(`/v1/serviceids/?account_id=${ACCOUNT_A}`, bearer(token));
        expect(expired.status).to.equal(401);
        expect(expired.data.errors[0]).to.deep.include({ code: "invalid_token", message_code: "BXNIM0407E" });
    });
});
