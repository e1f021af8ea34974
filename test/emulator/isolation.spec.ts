// Authentication and account isolation: every call but the token endpoint needs a valid bearer
// token, and a token only reaches its own account (account.bss). Another account's objects answer
// 404 (as if they did not exist); naming another account explicitly answers 403.
import { expect } from "chai";
import {
    ACCOUNT_A,
    ACCOUNT_B,
    ADMIN_KEY_A,
    ADMIN_KEY_B,
    Harness,
    bearer,
    createApiKey,
    createServiceId,
    decodeJwt,
    registryPolicy,
    startHarness,
    tokenFor,
} from "./harness";

describe("IAM emulator: authentication", () => {
    let h: Harness;
    let token: string;
    before(async () => {
        h = await startHarness();
        token = await tokenFor(h.http, ADMIN_KEY_A);
    });
    after(async () => h.iam.close());

    it("rejects an Identity call without a bearer token with 401 invalid_token in the Identity shape", async () => {
        const res = await h.http.get(`/v1/serviceids/?account_id=${ACCOUNT_A}`);
        expect(res.status).to.equal(401);
        expect(res.data.status_code).to.equal(401);
        expect(res.data.errors[0].code).to.equal("invalid_token");
        expect(res.data.errors[0].message_code).to.match(/^BXNIM\d{4}E$/);
        expect(res.data).to.have.property("context");
    });

    it("rejects a Policy call without a bearer token with 401 invalid_token in the Policy shape", async () => {
        const res = await h.http.get(`/v1/policies?account_id=${ACCOUNT_A}`);
        expect(res.status).to.equal(401);
        expect(Object.keys(res.data).sort()).to.deep.equal(["errors", "status_code", "trace"]);
        expect(res.data.errors[0].code).to.equal("invalid_token");
    });

    it("rejects a token with a forged signature with 401 BXNIM0407E", async () => {
        const [header, payload] = token.split(".");
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
        claims.account.bss = ACCOUNT_B;
        const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${token.split(".")[2]}`;
        const res = await h.http.get(`/v1/serviceids/?account_id=${ACCOUNT_B}`, bearer(forged));
        expect(res.status).to.equal(401);
        expect(res.data.errors[0]).to.deep.include({ code: "invalid_token", message_code: "BXNIM0407E" });
    });

    it("rejects a malformed Authorization header with 401", async () => {
        const res = await h.http.get(`/v1/serviceids/?account_id=${ACCOUNT_A}`, {
            headers: { Authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
        });
        expect(res.status).to.equal(401);
    });
});

describe("IAM emulator: account isolation", () => {
    let h: Harness;
    let tokenA: string;
    let tokenB: string;
    let sidA: Record<string, string>;
    let keyA: Record<string, string>;
    let policyA: string;
    before(async () => {
        h = await startHarness();
        tokenA = await tokenFor(h.http, ADMIN_KEY_A);
        tokenB = await tokenFor(h.http, ADMIN_KEY_B);
        sidA = await createServiceId(h.http, tokenA, ACCOUNT_A, "a-only");
        keyA = await createApiKey(h.http, tokenA, sidA.iam_id);
        policyA = (await h.http.post("/v1/policies", registryPolicy(ACCOUNT_A, sidA.iam_id), bearer(tokenA)))
            .data.id;
    });
    after(async () => h.iam.close());

    it("gives each account's admin key a token for that account only", () => {
        expect((decodeJwt(tokenA).claims.account as { bss: string }).bss).to.equal(ACCOUNT_A);
        expect((decodeJwt(tokenB).claims.account as { bss: string }).bss).to.equal(ACCOUNT_B);
    });

    it("answers another account's service ID, key and policy with 404", async () => {
        expect((await h.http.get(`/v1/serviceids/${sidA.id}`, bearer(tokenB))).status).to.equal(404);
        expect((await h.http.get(`/v1/apikeys/${keyA.id}`, bearer(tokenB))).status).to.equal(404);
        expect((await h.http.get(`/v1/policies/${policyA}`, bearer(tokenB))).status).to.equal(404);
        expect(
            (
                await h.http.put(
                    `/v1/serviceids/${sidA.id}`,
                    { name: "x" },
                    bearer(tokenB, { "If-Match": "*" }),
                )
            ).status,
        ).to.equal(404);
        expect((await h.http.delete(`/v1/serviceids/${sidA.id}`, bearer(tokenB))).status).to.equal(404);
        expect((await h.http.delete(`/v1/policies/${policyA}`, bearer(tokenB))).status).to.equal(404);
        expect((await h.http.get(`/v1/serviceids/${sidA.id}`, bearer(tokenA))).status).to.equal(200);
    });

    it("answers a request naming another account with 403", async () => {
        expect((await h.http.get(`/v1/serviceids/?account_id=${ACCOUNT_A}`, bearer(tokenB))).status).to.equal(
            403,
        );
        expect((await h.http.get(`/v1/policies?account_id=${ACCOUNT_A}`, bearer(tokenB))).status).to.equal(
            403,
        );
        const create = await h.http.post(
            "/v1/serviceids/",
            { account_id: ACCOUNT_A, name: "intruder" },
            bearer(tokenB),
        );
        expect(create.status).to.equal(403);
        const policy = await h.http.post(
            "/v1/policies",
            registryPolicy(ACCOUNT_A, sidA.iam_id),
            bearer(tokenB),
        );
        expect(policy.status).to.equal(403);
        expect(policy.data.errors[0].code).to.equal("insufficent_permissions");
    });

    it("refuses a key for another account's service ID with 404", async () => {
        const res = await h.http.post("/v1/apikeys", { name: "steal", iam_id: sidA.iam_id }, bearer(tokenB));
        expect(res.status).to.equal(404);
    });

    it("keeps listings per account", async () => {
        await createServiceId(h.http, tokenB, ACCOUNT_B, "b-only");
        const a = await h.http.get(`/v1/serviceids/?account_id=${ACCOUNT_A}&pagesize=100`, bearer(tokenA));
        const b = await h.http.get(`/v1/serviceids/?account_id=${ACCOUNT_B}&pagesize=100`, bearer(tokenB));
        expect(a.data.serviceids.map((s: { name: string }) => s.name)).to.deep.equal(["a-only"]);
        expect(b.data.serviceids.map((s: { name: string }) => s.name)).to.deep.equal(["b-only"]);
        const keysB = await h.http.get("/v1/apikeys", bearer(tokenB));
        expect(keysB.data.apikeys).to.deep.equal([]);
    });

    it("refuses a page token of another account's listing with 403", async () => {
        for (let i = 0; i < 2; i++) await createServiceId(h.http, tokenA, ACCOUNT_A, "a-paged");
        const page = await h.http.get(`/v1/serviceids/?account_id=${ACCOUNT_A}&pagesize=1`, bearer(tokenA));
        const pagetoken = new URL(page.data.next).searchParams.get("pagetoken");
        const res = await h.http.get(`/v1/serviceids/?pagetoken=${pagetoken}`, bearer(tokenB));
        expect(res.status).to.equal(403);
    });
});
