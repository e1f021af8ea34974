// /v1/apikeys as IBM documents it: the value is shown once (unless store_value),
// own values, details by value, listing, If-Match updates, lock/disable, and which keys still
// exchange tokens after a delete.
import { AxiosResponse } from "axios";
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

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

describe("IAM emulator: API keys", () => {
    let h: Harness;
    let token: string;
    let sid: Record<string, string>;
    before(async () => {
        h = await startHarness();
        token = await tokenFor(h.http, ADMIN_KEY_A);
        sid = await createServiceId(h.http, token, ACCOUNT_A, "key-owner");
    });
    after(async () => h.iam.close());

    describe("createApiKey", () => {
        it("creates a key with IBM's fields and returns a 44-character URL-safe value", async () => {
            const res = await h.http.post(
                "/v1/apikeys",
                {
                    name: "pull-key",
                    description: "for the cluster",
                    iam_id: sid.iam_id,
                    account_id: ACCOUNT_A,
                },
                bearer(token),
            );
            expect(res.status).to.equal(201);
            const k = res.data;
            expect(k.id).to.match(new RegExp(`^ApiKey-${UUID}$`));
            expect(k.apikey).to.match(/^[A-Za-z0-9_-]{44}$/);
            expect(k.entity_tag).to.match(/^1-[0-9a-f]{32}$/);
            expect(k.crn).to.equal(`crn:v1:bluemix:public:iam-identity::a/${ACCOUNT_A}::apikey:${k.id}`);
            expect(k).to.deep.include({
                name: "pull-key",
                description: "for the cluster",
                iam_id: sid.iam_id,
                account_id: ACCOUNT_A,
                locked: false,
                disabled: false,
                support_sessions: false,
            });
            expect(k.created_by).to.match(/^IBMid-/);
            expect(k).to.have.property("action_when_leaked");
            expect(res.headers.etag).to.equal(k.entity_tag);
        });

        it("shows the value only in the create response: get, list and details leave it out", async () => {
            const k = await createApiKey(h.http, token, sid.iam_id, { name: "once" });
            const got = await h.http.get(`/v1/apikeys/${k.id}`, bearer(token));
            expect(got.status).to.equal(200);
            expect(got.data).to.not.have.property("apikey");
            expect(got.headers.etag).to.equal(got.data.entity_tag);
            const listed = await h.http.get(
                `/v1/apikeys?account_id=${ACCOUNT_A}&iam_id=${sid.iam_id}`,
                bearer(token),
            );
            expect(listed.data.apikeys.every((x: object) => !("apikey" in x))).to.equal(true);
            const details = await h.http.get(
                "/v1/apikeys/details",
                bearer(token, { "IAM-ApiKey": k.apikey }),
            );
            expect(details.status).to.equal(200);
            expect(details.data.id).to.equal(k.id);
            expect(details.data).to.not.have.property("apikey");
        });

        it("returns the value on get for a service-ID key created with store_value: true", async () => {
            const k = await createApiKey(h.http, token, sid.iam_id, { name: "stored", store_value: true });
            const got = await h.http.get(`/v1/apikeys/${k.id}`, bearer(token));
            expect(got.data.apikey).to.equal(k.apikey);
        });

        it("accepts an own value of at least 32 characters, which then exchanges for a token", async () => {
            const own = "own-value-0123456789-0123456789-abc";
            const k = await createApiKey(h.http, token, sid.iam_id, { name: "own", apikey: own });
            expect(k.apikey).to.equal(own);
            const res = await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: own });
            expect(res.status).to.equal(200);
        });

        it("rejects an own value shorter than 32 characters with 400", async () => {
            const res = await h.http.post(
                "/v1/apikeys",
                { name: "short", iam_id: sid.iam_id, apikey: "too-short" },
                bearer(token),
            );
            expect(res.status).to.equal(400);
            expect(JSON.stringify(res.data)).to.not.contain("too-short");
        });

        it("rejects an own value already in use with 409, without echoing it", async () => {
            const own = "duplicate-value-0123456789abcdef0123";
            await createApiKey(h.http, token, sid.iam_id, { apikey: own });
            const res = await h.http.post(
                "/v1/apikeys",
                { name: "dup", iam_id: sid.iam_id, apikey: own },
                bearer(token),
            );
            expect(res.status).to.equal(409);
            expect(JSON.stringify(res.data)).to.not.contain(own);
        });

        it("rejects a key for an unknown iam_id with 404", async () => {
            const res = await h.http.post(
                "/v1/apikeys",
                { name: "orphan", iam_id: "iam-ServiceId-00000000-0000-0000-0000-000000000000" },
                bearer(token),
            );
            expect(res.status).to.equal(404);
            expect(res.data.errors[0].code).to.equal("not_found");
        });

        it("rejects a body without iam_id with 400", async () => {
            const res = await h.http.post("/v1/apikeys", { name: "x" }, bearer(token));
            expect(res.status).to.equal(400);
            expect(res.data.errors[0].message).to.contain("'iam_id'");
        });
    });

    describe("listApiKeys", () => {
        it("pages the keys of one identity with `next`", async () => {
            const owner = await createServiceId(h.http, token, ACCOUNT_A, "many-keys");
            const ids: string[] = [];
            for (let i = 0; i < 3; i++) ids.push((await createApiKey(h.http, token, owner.iam_id)).id);
            const seen: string[] = [];
            let url: string | undefined =
                `/v1/apikeys?account_id=${ACCOUNT_A}&iam_id=${owner.iam_id}&pagesize=2`;
            let pages = 0;
            while (url && pages < 5) {
                const res: AxiosResponse = await h.http.get(url, bearer(token));
                expect(res.status).to.equal(200);
                seen.push(...res.data.apikeys.map((k: { id: string }) => k.id));
                url = res.data.next
                    ? `/v1/apikeys?pagetoken=${new URL(res.data.next).searchParams.get("pagetoken")}`
                    : undefined;
                pages++;
            }
            expect(pages).to.equal(2);
            expect(seen).to.deep.equal(ids);
        });
    });

    describe("updateApiKey", () => {
        it("updates with If-Match and rejects the stale tag afterwards with 409", async () => {
            const k = await createApiKey(h.http, token, sid.iam_id, { name: "rename-me" });
            const res = await h.http.put(
                `/v1/apikeys/${k.id}`,
                { name: "renamed" },
                bearer(token, { "If-Match": k.entity_tag }),
            );
            expect(res.status).to.equal(200);
            expect(res.data.name).to.equal("renamed");
            expect(res.data).to.not.have.property("apikey");
            expect(res.data.entity_tag).to.match(/^2-/);
            const stale = await h.http.put(
                `/v1/apikeys/${k.id}`,
                { name: "again" },
                bearer(token, { "If-Match": k.entity_tag }),
            );
            expect(stale.status).to.equal(409);
        });
    });

    describe("deleteApiKey", () => {
        it("deletes with 204, after which the value no longer exchanges for a token", async () => {
            const k = await createApiKey(h.http, token, sid.iam_id);
            expect(
                (await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: k.apikey })).status,
            ).to.equal(200);
            expect((await h.http.delete(`/v1/apikeys/${k.id}`, bearer(token))).status).to.equal(204);
            expect((await h.http.get(`/v1/apikeys/${k.id}`, bearer(token))).status).to.equal(404);
            const res = await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: k.apikey });
            expect(res.status).to.equal(400);
            expect(res.data.errorCode).to.equal("BXNIM0415E");
        });

        it("refuses to delete a locked key until it is unlocked", async () => {
            const k = await createApiKey(h.http, token, sid.iam_id);
            expect((await h.http.post(`/v1/apikeys/${k.id}/lock`, undefined, bearer(token))).status).to.equal(
                204,
            );
            expect((await h.http.delete(`/v1/apikeys/${k.id}`, bearer(token))).status).to.equal(409);
            expect((await h.http.delete(`/v1/apikeys/${k.id}/lock`, bearer(token))).status).to.equal(204);
            expect((await h.http.delete(`/v1/apikeys/${k.id}`, bearer(token))).status).to.equal(204);
        });
    });

    describe("disableApiKey / enableApiKey", () => {
        it("stops and restarts token exchange", async () => {
            const k = await createApiKey(h.http, token, sid.iam_id);
            expect(
                (await h.http.post(`/v1/apikeys/${k.id}/disable`, undefined, bearer(token))).status,
            ).to.equal(204);
            expect((await h.http.get(`/v1/apikeys/${k.id}`, bearer(token))).data.disabled).to.equal(true);
            expect(
                (await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: k.apikey })).status,
            ).to.equal(400);
            expect((await h.http.delete(`/v1/apikeys/${k.id}/disable`, bearer(token))).status).to.equal(204);
            expect(
                (await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: k.apikey })).status,
            ).to.equal(200);
        });
    });

    it("a key of a deleted service ID can no longer get a token", async () => {
        const owner = await createServiceId(h.http, token, ACCOUNT_A, "short-lived");
        const k = await createApiKey(h.http, token, owner.iam_id);
        expect((await h.http.delete(`/v1/serviceids/${owner.id}`, bearer(token))).status).to.equal(204);
        const res = await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: k.apikey });
        expect(res.status).to.equal(400);
        expect(res.data.errorCode).to.equal("BXNIM0415E");
    });
});
