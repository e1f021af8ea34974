// Fault injection: 429 with Retry-After in each family's error shape, 5xx,
// latency, eventual consistency after a create (reads and listings), lost responses of writes
// that went through, scoping by method/path, and the HTTP control API.
import { expect } from "chai";
import axios from "axios";
import {
    ACCOUNT_A,
    ADMIN_KEY_A,
    APIKEY_GRANT,
    Harness,
    TOKEN_CONTEXT_KEYS,
    bearer,
    createApiKey,
    createServiceId,
    registryPolicy,
    startHarness,
    tokenFor,
    tokenRequest,
    waitFor,
} from "./harness";

describe("IAM emulator: fault injection", () => {
    let h: Harness;
    let token: string;
    before(async () => {
        h = await startHarness();
        token = await tokenFor(h.http, ADMIN_KEY_A);
    });
    afterEach(() => h.iam.clearFaults());
    after(async () => h.iam.close());

    const list = (): Promise<import("axios").AxiosResponse> =>
        h.http.get(`/v1/serviceids/?account_id=${ACCOUNT_A}`, bearer(token));

    it("answers the token endpoint N times with 429, Retry-After and the token error shape", async () => {
        h.iam.injectFault({
            kind: "status",
            status: 429,
            times: 2,
            retryAfterSeconds: 3,
            pathPrefix: "/identity/token",
        });
        for (let i = 0; i < 2; i++) {
            const res = await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: ADMIN_KEY_A });
            expect(res.status).to.equal(429);
            expect(res.headers["retry-after"]).to.equal("3");
            expect(res.data.errorCode).to.match(/^BXNIM\d{4}E$/);
            expect(res.data.errorMessage).to.be.a("string");
            expect(Object.keys(res.data.context).sort()).to.deep.equal(TOKEN_CONTEXT_KEYS);
        }
        expect(
            (await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: ADMIN_KEY_A })).status,
        ).to.equal(200);
    });

    it("answers Identity calls with 429 too_many_requests in the errors[] shape", async () => {
        h.iam.injectFault({ kind: "status", status: 429, times: 1, retryAfterSeconds: 0 });
        const res = await list();
        expect(res.status).to.equal(429);
        expect(res.headers["retry-after"]).to.equal("0");
        expect(res.data.errors[0].code).to.equal("too_many_requests");
        expect(res.data.status_code).to.equal(429);
        expect((await list()).status).to.equal(200);
    });

    it("answers Policy calls with 429 too_many_requests in the policy shape", async () => {
        h.iam.injectFault({ kind: "status", status: 429, times: 1, pathPrefix: "/v1/policies" });
        const res = await h.http.get(`/v1/policies?account_id=${ACCOUNT_A}`, bearer(token));
        expect(res.status).to.equal(429);
        expect(res.headers["retry-after"]).to.equal("1");
        expect(Object.keys(res.data).sort()).to.deep.equal(["errors", "status_code", "trace"]);
        expect(res.data.errors[0].code).to.equal("too_many_requests");
    });

    it("answers N requests with 500 and then 503, and then recovers", async () => {
        h.iam.injectFault({ kind: "status", status: 500, times: 1 });
        h.iam.injectFault({ kind: "status", status: 503, times: 1 });
        expect((await list()).status).to.equal(500);
        expect((await list()).status).to.equal(503);
        expect((await list()).status).to.equal(200);
    });

    it("does not perform a write that was answered with a fault", async () => {
        h.iam.injectFault({
            kind: "status",
            status: 503,
            times: 1,
            method: "POST",
            pathPrefix: "/v1/serviceids",
        });
        const before = (
            await h.http.get(
                `/v1/serviceids/?account_id=${ACCOUNT_A}&name=faulted&pagesize=100`,
                bearer(token),
            )
        ).data.serviceids.length;
        const res = await h.http.post(
            "/v1/serviceids/",
            { account_id: ACCOUNT_A, name: "faulted" },
            bearer(token),
        );
        expect(res.status).to.equal(503);
        const after = (
            await h.http.get(
                `/v1/serviceids/?account_id=${ACCOUNT_A}&name=faulted&pagesize=100`,
                bearer(token),
            )
        ).data.serviceids.length;
        expect(after).to.equal(before);
    });

    it("limits a fault to its method and path prefix", async () => {
        h.iam.injectFault({
            kind: "status",
            status: 500,
            times: 1,
            method: "POST",
            pathPrefix: "/v1/policies",
        });
        expect((await list()).status).to.equal(200);
        expect((await h.http.get(`/v1/policies?account_id=${ACCOUNT_A}`, bearer(token))).status).to.equal(
            200,
        );
        const sid = await createServiceId(h.http, token, ACCOUNT_A, "scoped");
        expect(
            (await h.http.post("/v1/policies", registryPolicy(ACCOUNT_A, sid.iam_id), bearer(token))).status,
        ).to.equal(500);
        expect(
            (await h.http.post("/v1/policies", registryPolicy(ACCOUNT_A, sid.iam_id), bearer(token))).status,
        ).to.equal(201);
    });

    it("adds latency to the next N matching requests only", async () => {
        h.iam.injectFault({ kind: "latency", ms: 150, times: 1 });
        let t = Date.now();
        expect((await list()).status).to.equal(200);
        expect(Date.now() - t).to.be.at.least(140);
        t = Date.now();
        await list();
        expect(Date.now() - t).to.be.below(140);
    });

    it("adds latency to every request until cleared when no count is given", async () => {
        h.iam.injectFault({ kind: "latency", ms: 60 });
        for (let i = 0; i < 2; i++) {
            const t = Date.now();
            await list();
            expect(Date.now() - t).to.be.at.least(55);
        }
    });

    it("hides a new service ID from GET for the next N reads (eventual consistency)", async () => {
        h.iam.injectFault({ kind: "eventualConsistency", reads: 2 });
        const s = await createServiceId(h.http, token, ACCOUNT_A, "eventually");
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++)
            statuses.push((await h.http.get(`/v1/serviceids/${s.id}`, bearer(token))).status);
        expect(statuses).to.deep.equal([404, 404, 200]);
    });

    it("hides a new policy from GET for N milliseconds (eventual consistency)", async () => {
        const sid = await createServiceId(h.http, token, ACCOUNT_A, "eventual-policy");
        h.iam.injectFault({ kind: "eventualConsistency", forMs: 200, pathPrefix: "/v1/policies" });
        const created = await h.http.post(
            "/v1/policies",
            registryPolicy(ACCOUNT_A, sid.iam_id),
            bearer(token),
        );
        const t0 = Date.now();
        const first = await h.http.get(`/v1/policies/${created.data.id}`, bearer(token));
        expect(first.status).to.equal(404);
        expect(first.data.errors[0].code).to.equal("policy_not_found");
        await waitFor(() => Date.now() - t0 > 200, 1000);
        expect((await h.http.get(`/v1/policies/${created.data.id}`, bearer(token))).status).to.equal(200);
        // The scope kept service IDs readable at once.
        const other = await createServiceId(h.http, token, ACCOUNT_A, "not-hidden");
        expect((await h.http.get(`/v1/serviceids/${other.id}`, bearer(token))).status).to.equal(200);
    });

    describe("lost responses: the write is done, the answer never arrives", () => {
        const named = async (name: string): Promise<string[]> =>
            (
                await h.http.get(
                    `/v1/serviceids/?account_id=${ACCOUNT_A}&name=${name}&pagesize=100`,
                    bearer(token),
                )
            ).data.serviceids.map((s: { id: string }) => s.id);

        it("answers a committed create with a 5xx in the family's error shape", async () => {
            h.iam.injectFault({
                kind: "lostResponse",
                mode: "status",
                status: 502,
                method: "POST",
                pathPrefix: "/v1/serviceids",
            });
            const res = await h.http.post(
                "/v1/serviceids/",
                { account_id: ACCOUNT_A, name: "lost-5xx" },
                bearer(token),
            );
            // THEN the client saw a 502 with IBM's Identity error body
            expect(res.status).to.equal(502);
            expect(res.data.errors[0].code).to.equal("internal_server_error");
            expect(res.data.status_code).to.equal(502);
            // and the service ID exists anyway, once; the log says what IAM did
            expect(await named("lost-5xx")).to.have.length(1);
            expect(
                h.iam
                    .requests()
                    .filter((r) => r.operation === "createServiceId")
                    .map((r) => r.status),
            ).to.include(201);
            // and the fault was used up: the next create is answered
            expect(
                (
                    await h.http.post(
                        "/v1/serviceids/",
                        { account_id: ACCOUNT_A, name: "lost-5xx" },
                        bearer(token),
                    )
                ).status,
            ).to.equal(201);
            expect(await named("lost-5xx")).to.have.length(2);
        });

        it("resets the connection after committing a create", async () => {
            const sid = await createServiceId(h.http, token, ACCOUNT_A, "owner-of-reset-key");
            h.iam.injectFault({
                kind: "lostResponse",
                mode: "reset",
                method: "POST",
                pathPrefix: "/v1/apikeys",
            });
            const err = await h.http
                .post("/v1/apikeys", { name: "reset-key", iam_id: sid.iam_id }, bearer(token))
                .then(
                    () => undefined,
                    (e: { code?: string }) => e,
                );
            // THEN the client saw a reset, not a response
            expect(err?.code).to.equal("ECONNRESET");
            // and the key exists
            const keys = await h.http.get(`/v1/apikeys?iam_id=${sid.iam_id}`, bearer(token));
            expect(keys.data.apikeys.map((k: { name: string }) => k.name)).to.deep.equal(["reset-key"]);
        });

        it("stalls past the client's timeout after committing a create, then closes the connection", async () => {
            const sid = await createServiceId(h.http, token, ACCOUNT_A, "owner-of-stalled-policy");
            h.iam.injectFault({
                kind: "lostResponse",
                mode: "stall",
                stallMs: 1_000,
                method: "POST",
                pathPrefix: "/v1/policies",
            });
            const t0 = Date.now();
            const err = await h.http
                .post("/v1/policies", registryPolicy(ACCOUNT_A, sid.iam_id), {
                    ...bearer(token),
                    timeout: 150,
                })
                .then(
                    () => undefined,
                    (e: { code?: string }) => e,
                );
            // THEN the client timed out
            expect(err?.code).to.equal("ECONNABORTED");
            expect(Date.now() - t0).to.be.below(1_000);
            // and the policy exists
            const listed = await h.http.get(
                `/v1/policies?account_id=${ACCOUNT_A}&iam_id=${sid.iam_id}`,
                bearer(token),
            );
            expect(listed.data.policies).to.have.length(1);
            // and a client that waits longer is cut off when the stall ends, without an answer
            h.iam.injectFault({
                kind: "lostResponse",
                mode: "stall",
                stallMs: 200,
                method: "POST",
                pathPrefix: "/v1/serviceids",
            });
            const t1 = Date.now();
            const cut = await h.http
                .post(
                    "/v1/serviceids/",
                    { account_id: ACCOUNT_A, name: "stalled" },
                    { ...bearer(token), timeout: 5_000 },
                )
                .then(
                    () => undefined,
                    (e: { code?: string }) => e,
                );
            expect(cut?.code).to.equal("ECONNRESET");
            expect(Date.now() - t1).to.be.within(190, 2_000);
            expect(await named("stalled")).to.have.length(1);
        });

        it("loses exactly the k-th matching write with skip, leaving reads and other writes alone", async () => {
            h.iam.resetLog();
            h.iam.injectFault({
                kind: "lostResponse",
                mode: "status",
                method: "POST",
                pathPrefix: "/v1/",
                skip: 2,
            });
            const statuses: number[] = [];
            for (let i = 0; i < 4; i++) {
                statuses.push((await list()).status);
                statuses.push(
                    (
                        await h.http.post(
                            "/v1/serviceids/",
                            { account_id: ACCOUNT_A, name: "kth" },
                            bearer(token),
                        )
                    ).status,
                );
            }
            // THEN only the third create's answer was lost, and all four were made
            expect(statuses).to.deep.equal([200, 201, 200, 201, 200, 500, 200, 201]);
            expect(await named("kth")).to.have.length(4);
            expect(h.iam.counters().createServiceId).to.equal(4);
        });

        it("does not lose the answer of a request the handler never ran", async () => {
            h.iam.injectFault({
                kind: "lostResponse",
                mode: "status",
                method: "POST",
                pathPrefix: "/v1/serviceids",
            });
            const unauthenticated = await h.http.post("/v1/serviceids/", {
                account_id: ACCOUNT_A,
                name: "x",
            });
            expect(unauthenticated.status).to.equal(401);
            expect((await h.http.get("/_emulator/faults")).data.faults).to.have.length(1);
        });

        it("rejects a lost-response fault without a valid mode, naming the field", () => {
            expect(() => h.iam.injectFault({ kind: "lostResponse", mode: "drop" } as never)).to.throw(
                'mode: must be "status", "reset" or "stall"; got "drop"',
            );
            expect(() => h.iam.injectFault({ kind: "lostResponse", mode: "status", status: 404 })).to.throw(
                "status: must be a 5xx status",
            );
        });
    });

    describe("list lag: a new object is missing from listings for a while", () => {
        it("leaves a new service ID out of the next N listings, while GET by id finds it", async () => {
            h.iam.injectFault({ kind: "listLag", lists: 2, pathPrefix: "/v1/serviceids" });
            const s = await createServiceId(h.http, token, ACCOUNT_A, "unlisted");
            const listedNames = async () =>
                (await h.http.get(`/v1/serviceids/?account_id=${ACCOUNT_A}&name=unlisted`, bearer(token)))
                    .data.serviceids.length;
            expect((await h.http.get(`/v1/serviceids/${s.id}`, bearer(token))).status).to.equal(200);
            expect([await listedNames(), await listedNames(), await listedNames()]).to.deep.equal([0, 0, 1]);
        });

        it("leaves new policies and keys out of listings for N milliseconds", async () => {
            const sid = await createServiceId(h.http, token, ACCOUNT_A, "lagging-lists");
            h.iam.injectFault({ kind: "listLag", forMs: 1_500 });
            await h.http.post("/v1/policies", registryPolicy(ACCOUNT_A, sid.iam_id), bearer(token));
            await createApiKey(h.http, token, sid.iam_id);
            const t0 = Date.now();
            const counts = async () => [
                (await h.http.get(`/v1/policies?account_id=${ACCOUNT_A}&iam_id=${sid.iam_id}`, bearer(token)))
                    .data.policies.length,
                (await h.http.get(`/v1/apikeys?iam_id=${sid.iam_id}`, bearer(token))).data.apikeys.length,
            ];
            expect(await counts()).to.deep.equal([0, 0]);
            await waitFor(() => Date.now() - t0 > 1_550, 3_000);
            expect(await counts()).to.deep.equal([1, 1]);
        });
    });

    it("hides a new key from lookup by value while it replicates, and a new service ID from key creation", async () => {
        h.iam.injectFault({ kind: "eventualConsistency", reads: 1 });
        const sid = await createServiceId(h.http, token, ACCOUNT_A, "replicating-owner");
        // The owner is not yet known to key creation: IAM's 404 for an unknown identity
        const early = await h.http.post("/v1/apikeys", { name: "k", iam_id: sid.iam_id }, bearer(token));
        expect(early.status).to.equal(404);
        const key = await createApiKey(h.http, token, sid.iam_id);
        const details = () => h.http.get("/v1/apikeys/details", bearer(token, { "IAM-ApiKey": key.apikey }));
        expect((await details()).status).to.equal(404);
        expect((await details()).data.id).to.equal(key.id);
    });

    it("resets the world over HTTP at /_emulator/reset: no objects, faults or log; tokens still work", async () => {
        await createServiceId(h.http, token, ACCOUNT_A, "before-reset");
        h.iam.injectFault({ kind: "latency", ms: 1 });
        expect((await axios.post(`${h.iam.url}/_emulator/reset`)).status).to.equal(204);
        expect((await h.http.get("/_emulator/faults")).data.faults).to.deep.equal([]);
        expect(h.iam.requests()).to.deep.equal([]);
        const state = (await h.http.get("/_emulator/state")).data;
        expect([state.serviceIds, state.apiKeys, state.policies]).to.deep.equal([[], [], []]);
        expect((await list()).status).to.equal(200);
    });

    it("rejects an invalid fault with a message naming the field", () => {
        expect(() => h.iam.injectFault({ kind: "status", status: 200, times: 0 })).to.throw(
            "invalid fault:\n - status: must be an HTTP error status such as 429, 500 or 503\n - times: must be an integer >= 1",
        );
    });

    describe("over HTTP at /_emulator/faults", () => {
        it("installs, lists and clears faults", async () => {
            const add = await h.http.post("/_emulator/faults", { kind: "status", status: 503, times: 2 });
            expect(add.status).to.equal(201);
            const listed = await h.http.get("/_emulator/faults");
            expect(listed.data.faults).to.deep.equal([
                { kind: "status", status: 503, times: 2, remaining: 2 },
            ]);
            expect((await list()).status).to.equal(503);
            expect((await h.http.get("/_emulator/faults")).data.faults[0].remaining).to.equal(1);
            expect((await h.http.delete("/_emulator/faults")).status).to.equal(204);
            expect((await list()).status).to.equal(200);
        });

        it("accepts an array of faults and rejects an invalid one with 400", async () => {
            const add = await h.http.post("/_emulator/faults", [
                { kind: "latency", ms: 1 },
                { kind: "eventualConsistency", reads: 1 },
            ]);
            expect(add.status).to.equal(201);
            expect(add.data.faults).to.have.length(2);
            const bad = await h.http.post("/_emulator/faults", { kind: "explode" });
            expect(bad.status).to.equal(400);
            expect(bad.data.error).to.contain("kind");
        });
    });
});
