// The request log and counters: what tests of clients use to prove what a client did.
// Records carry the operation and outcome only, never an API key or a token.
import { expect } from "chai";
import {
    ACCOUNT_A,
    ADMIN_KEY_A,
    APIKEY_GRANT,
    Harness,
    bearer,
    createApiKey,
    createServiceId,
    startHarness,
    tokenFor,
    tokenRequest,
} from "./harness";

describe("IAM emulator: request log and counters", () => {
    let h: Harness;
    before(async () => {
        h = await startHarness();
    });
    beforeEach(() => h.iam.resetLog());
    after(async () => h.iam.close());

    it("records each IBM request as {operation, method, path, status, accountId}", async () => {
        const token = await tokenFor(h.http, ADMIN_KEY_A);
        const s = await createServiceId(h.http, token, ACCOUNT_A, "logged");
        await h.http.get(`/v1/serviceids/${s.id}?include_history=false`, bearer(token));
        await h.http.get("/v1/serviceids/nope");
        expect(h.iam.requests()).to.deep.equal([
            {
                operation: "getToken",
                method: "POST",
                path: "/identity/token",
                status: 200,
                accountId: ACCOUNT_A,
            },
            {
                operation: "createServiceId",
                method: "POST",
                path: "/v1/serviceids/",
                status: 201,
                accountId: ACCOUNT_A,
            },
            {
                operation: "getServiceId",
                method: "GET",
                path: `/v1/serviceids/${s.id}`,
                status: 200,
                accountId: ACCOUNT_A,
            },
            { operation: "getServiceId", method: "GET", path: "/v1/serviceids/nope", status: 401 },
        ]);
    });

    it("counts by operation, with writes excluding the token endpoint", async () => {
        const token = await tokenFor(h.http, ADMIN_KEY_A);
        const s = await createServiceId(h.http, token, ACCOUNT_A, "counted");
        await h.http.put(`/v1/serviceids/${s.id}`, { name: "counted-2" }, bearer(token, { "If-Match": "*" }));
        await h.http.get(`/v1/serviceids/${s.id}`, bearer(token));
        await h.http.delete(`/v1/serviceids/${s.id}`, bearer(token));
        expect(h.iam.counters()).to.deep.equal({
            getToken: 1,
            createServiceId: 1,
            updateServiceId: 1,
            getServiceId: 1,
            deleteServiceId: 1,
            writes: 3,
            total: 5,
        });
    });

    it("serves the same log and counters over HTTP and resets them", async () => {
        await tokenFor(h.http, ADMIN_KEY_A);
        const requests = await h.http.get("/_emulator/requests");
        expect(requests.data.requests).to.deep.equal(h.iam.requests());
        const counters = await h.http.get("/_emulator/counters");
        expect(counters.data).to.deep.equal({ getToken: 1, writes: 0, total: 1 });
        expect((await h.http.post("/_emulator/reset-log")).status).to.equal(204);
        expect(h.iam.requests()).to.deep.equal([]);
        expect(h.iam.counters()).to.deep.equal({ writes: 0, total: 0 });
    });

    it("never holds an API key value or a token, in the log, the counters or the state dump", async () => {
        const token = await tokenFor(h.http, ADMIN_KEY_A);
        const s = await createServiceId(h.http, token, ACCOUNT_A, "secretive");
        const key = await createApiKey(h.http, token, s.iam_id);
        const stored = await createApiKey(h.http, token, s.iam_id, { store_value: true });
        await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: key.apikey });
        await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: "wrong-key-value-123" });
        await h.http.get("/v1/apikeys/details", bearer(token, { "IAM-ApiKey": key.apikey }));
        const dumps = [
            JSON.stringify(h.iam.requests()),
            JSON.stringify(h.iam.counters()),
            JSON.stringify((await h.http.get("/_emulator/requests")).data),
            JSON.stringify((await h.http.get("/_emulator/state")).data),
        ];
        for (const dump of dumps) {
            for (const secret of [ADMIN_KEY_A, key.apikey, stored.apikey, "wrong-key-value-123", token]) {
                expect(dump).to.not.contain(secret);
            }
        }
        const state = (await h.http.get("/_emulator/state")).data;
        expect(state.apiKeys.map((k: { id: string }) => k.id)).to.include(key.id);
    });
});
