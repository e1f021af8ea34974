// /v1/serviceids as IBM documents it: create/get/list/update/delete, entity tags
// and If-Match, paging through `next`, locks, the delete cascade, and the Identity error body.
import { expect } from "chai";
import {
    ACCOUNT_A,
    ADMIN_KEY_A,
    APIKEY_GRANT,
    Harness,
    IDENTITY_CONTEXT_KEYS,
    IDENTITY_ERROR_KEYS,
    bearer,
    createApiKey,
    createServiceId,
    registryPolicy,
    startHarness,
    tokenFor,
    tokenRequest,
} from "./harness";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const IDENTITY_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}\+0000$/;

describe("IAM emulator: service IDs", () => {
    let h: Harness;
    let token: string;
    before(async () => {
        h = await startHarness();
        token = await tokenFor(h.http, ADMIN_KEY_A);
    });
    after(async () => h.iam.close());

    describe("createServiceId", () => {
        it("creates a service ID with IBM's fields and formats and answers 201 with an ETag", async () => {
            const res = await h.http.post(
                "/v1/serviceids/",
                { account_id: ACCOUNT_A, name: "ci-puller", description: "pulls images" },
                bearer(token),
            );
            expect(res.status).to.equal(201);
            const s = res.data;
            expect(s.id).to.match(new RegExp(`^ServiceId-${UUID}$`));
            expect(s.iam_id).to.equal(`iam-${s.id}`);
            expect(s.entity_tag).to.match(/^1-[0-9a-f]{32}$/);
            expect(s.crn).to.equal(`crn:v1:bluemix:public:iam-identity::a/${ACCOUNT_A}::serviceid:${s.id}`);
            expect(s.created_at).to.match(IDENTITY_TIME);
            expect(s.modified_at).to.match(IDENTITY_TIME);
            expect(s).to.deep.include({
                account_id: ACCOUNT_A,
                name: "ci-puller",
                description: "pulls images",
                locked: false,
                unique_instance_crns: [],
            });
            expect(res.headers.etag).to.equal(s.entity_tag);
        });

        it("accepts the collection path without a trailing slash", async () => {
            const res = await h.http.post(
                "/v1/serviceids",
                { account_id: ACCOUNT_A, name: "no-slash" },
                bearer(token),
            );
            expect(res.status).to.equal(201);
        });

        it("locks the new service ID when Entity-Lock: true is sent", async () => {
            const res = await h.http.post(
                "/v1/serviceids/",
                { account_id: ACCOUNT_A, name: "born-locked" },
                bearer(token, { "Entity-Lock": "true" }),
            );
            expect(res.status).to.equal(201);
            expect(res.data.locked).to.equal(true);
        });

        it("rejects a body without name with 400 and the Identity error body", async () => {
            const res = await h.http.post("/v1/serviceids/", { account_id: ACCOUNT_A }, bearer(token));
            expect(res.status).to.equal(400);
            expect(Object.keys(res.data).sort()).to.deep.equal(IDENTITY_ERROR_KEYS);
            expect(res.data.status_code).to.equal(400);
            expect(res.data.errors[0].message).to.contain("'name'");
            expect(res.data.errors[0].message_code).to.match(/^BXNIM\d{4}E$/);
        });

        it("rejects a body that is not JSON with 400 invalid_body", async () => {
            const res = await h.http.post("/v1/serviceids/", "{not json", {
                ...bearer(token, { "Content-Type": "application/json" }),
                transformRequest: [(d: unknown) => d],
            });
            expect(res.status).to.equal(400);
            expect(res.data.errors[0].code).to.equal("invalid_body");
        });
    });

    describe("getServiceId", () => {
        it("returns the service ID with an ETag header equal to entity_tag", async () => {
            const created = await createServiceId(h.http, token, ACCOUNT_A, "get-me");
            const res = await h.http.get(`/v1/serviceids/${created.id}`, bearer(token));
            expect(res.status).to.equal(200);
            expect(res.data).to.deep.equal(created);
            expect(res.headers.etag).to.equal(res.data.entity_tag);
        });

        it("answers an unknown id with 404, the Identity error body and Transaction-Id = trace", async () => {
            const res = await h.http.get(
                "/v1/serviceids/ServiceId-00000000-0000-0000-0000-000000000000",
                bearer(token),
            );
            expect(res.status).to.equal(404);
            expect(Object.keys(res.data).sort()).to.deep.equal(IDENTITY_ERROR_KEYS);
            expect(res.data.errors).to.have.length(1);
            expect(res.data.errors[0].code).to.equal("not_found");
            expect(res.data.errors[0].message_code).to.match(/^BXNIM\d{4}E$/);
            expect(res.data.status_code).to.equal(404);
            expect(res.data.trace).to.equal(res.headers["transaction-id"]);
            expect(Object.keys(res.data.context).sort()).to.deep.equal(IDENTITY_CONTEXT_KEYS);
            expect(res.data.context.transaction_id).to.equal(res.data.trace);
            expect(res.data.context.operation).to.equal("getServiceId");
        });
    });

    describe("listServiceIds", () => {
        it("rejects a listing without account_id with 400", async () => {
            const res = await h.http.get("/v1/serviceids/", bearer(token));
            expect(res.status).to.equal(400);
            expect(res.data.errors[0].message).to.contain("account_id");
        });

        it("pages through every match with the pagetoken of `next` until `next` is absent", async () => {
            const created: string[] = [];
            for (let i = 0; i < 5; i++)
                created.push((await createServiceId(h.http, token, ACCOUNT_A, "paged")).id);

            const first = await h.http.get(
                `/v1/serviceids/?account_id=${ACCOUNT_A}&name=paged&pagesize=2`,
                bearer(token),
            );
            expect(first.status).to.equal(200);
            expect(first.data).to.include({ offset: 0, limit: 2 });
            expect(first.data.first)
                .to.be.a("string")
                .and.match(/[?&]pagetoken=/);
            expect(first.data).to.not.have.property("previous");

            const seen: string[] = [];
            const offsets: number[] = [];
            let page = first.data;
            for (let guard = 0; guard < 10; guard++) {
                offsets.push(page.offset);
                seen.push(...page.serviceids.map((s: { id: string }) => s.id));
                if (!page.next) break;
                expect(page.next).to.be.a("string");
                const pagetoken = new URL(page.next).searchParams.get("pagetoken");
                expect(pagetoken).to.be.a("string");
                const res = await h.http.get(
                    `/v1/serviceids/?pagetoken=${encodeURIComponent(pagetoken!)}`,
                    bearer(token),
                );
                expect(res.status).to.equal(200);
                page = res.data;
            }
            expect(offsets).to.deep.equal([0, 2, 4]);
            expect(seen).to.deep.equal(created);
            expect(page.serviceids).to.have.length(1);
            expect(page).to.have.property("previous");
        });

        it("applies a pagesize sent along with a pagetoken", async () => {
            for (let i = 0; i < 3; i++) await createServiceId(h.http, token, ACCOUNT_A, "resized");
            const first = await h.http.get(
                `/v1/serviceids/?account_id=${ACCOUNT_A}&name=resized&pagesize=1`,
                bearer(token),
            );
            const pagetoken = new URL(first.data.next).searchParams.get("pagetoken")!;
            const rest = await h.http.get(
                `/v1/serviceids/?pagetoken=${pagetoken}&pagesize=100`,
                bearer(token),
            );
            expect(rest.status).to.equal(200);
            expect(rest.data).to.include({ offset: 1, limit: 100 });
            expect(rest.data.serviceids).to.have.length(2);
            expect(rest.data).to.not.have.property("next");
        });

        it("returns an empty serviceids array and no next when nothing matches", async () => {
            const res = await h.http.get(
                `/v1/serviceids/?account_id=${ACCOUNT_A}&name=nothing-here`,
                bearer(token),
            );
            expect(res.status).to.equal(200);
            expect(res.data.serviceids).to.deep.equal([]);
            expect(res.data).to.not.have.property("next");
        });

        it("sorts by name in descending order", async () => {
            for (const name of ["sort-b", "sort-a", "sort-c"])
                await createServiceId(h.http, token, ACCOUNT_A, name);
            const res = await h.http.get(
                `/v1/serviceids/?account_id=${ACCOUNT_A}&sort=name&order=desc&pagesize=100`,
                bearer(token),
            );
            const names = res.data.serviceids
                .map((s: { name: string }) => s.name)
                .filter((n: string) => n.startsWith("sort-"));
            expect(names).to.deep.equal(["sort-c", "sort-b", "sort-a"]);
        });

        it("rejects pagesize outside 1-100 with 400", async () => {
            for (const size of ["0", "101", "x"]) {
                const res = await h.http.get(
                    `/v1/serviceids/?account_id=${ACCOUNT_A}&pagesize=${size}`,
                    bearer(token),
                );
                expect(res.status, size).to.equal(400);
            }
        });
    });

    describe("updateServiceId", () => {
        it("updates with the current entity tag in If-Match and increments the tag's counter", async () => {
            const s = await createServiceId(h.http, token, ACCOUNT_A, "before");
            const res = await h.http.put(
                `/v1/serviceids/${s.id}`,
                { name: "after", description: "changed" },
                bearer(token, { "If-Match": s.entity_tag }),
            );
            expect(res.status).to.equal(200);
            expect(res.data).to.deep.include({ id: s.id, name: "after", description: "changed" });
            expect(res.data.entity_tag).to.match(/^2-[0-9a-f]{32}$/);
            expect(res.headers.etag).to.equal(res.data.entity_tag);
        });

        it("rejects a stale If-Match with the configured status (default 409) and the Identity body", async () => {
            const s = await createServiceId(h.http, token, ACCOUNT_A, "stale");
            const ok = await h.http.put(
                `/v1/serviceids/${s.id}`,
                { name: "v2" },
                bearer(token, { "If-Match": s.entity_tag }),
            );
            expect(ok.status).to.equal(200);
            const res = await h.http.put(
                `/v1/serviceids/${s.id}`,
                { name: "v3" },
                bearer(token, { "If-Match": s.entity_tag }),
            );
            expect(res.status).to.equal(409);
            expect(Object.keys(res.data).sort()).to.deep.equal(IDENTITY_ERROR_KEYS);
            expect(res.data.status_code).to.equal(409);
            const after = await h.http.get(`/v1/serviceids/${s.id}`, bearer(token));
            expect(after.data.name).to.equal("v2");
        });

        it("accepts If-Match: * as any version", async () => {
            const s = await createServiceId(h.http, token, ACCOUNT_A, "star");
            const res = await h.http.put(
                `/v1/serviceids/${s.id}`,
                { name: "star-2" },
                bearer(token, { "If-Match": "*" }),
            );
            expect(res.status).to.equal(200);
            expect(res.data.name).to.equal("star-2");
        });

        it("rejects an update without If-Match with 428", async () => {
            const s = await createServiceId(h.http, token, ACCOUNT_A, "no-if-match");
            const res = await h.http.put(`/v1/serviceids/${s.id}`, { name: "x" }, bearer(token));
            expect(res.status).to.equal(428);
            expect(res.data.errors[0].message).to.contain("If-Match");
        });

        it("clears the description with an empty string", async () => {
            const s = await createServiceId(h.http, token, ACCOUNT_A, "desc", { description: "d" });
            const res = await h.http.put(
                `/v1/serviceids/${s.id}`,
                { description: "" },
                bearer(token, { "If-Match": "*" }),
            );
            expect(res.status).to.equal(200);
            expect(res.data).to.not.have.property("description");
        });
    });

    describe("lockServiceId / unlockServiceId", () => {
        it("refuses to update or delete a locked service ID, and allows it again once unlocked", async () => {
            const s = await createServiceId(h.http, token, ACCOUNT_A, "lockable");
            expect(
                (await h.http.post(`/v1/serviceids/${s.id}/lock`, undefined, bearer(token))).status,
            ).to.equal(204);
            expect((await h.http.get(`/v1/serviceids/${s.id}`, bearer(token))).data.locked).to.equal(true);

            const upd = await h.http.put(
                `/v1/serviceids/${s.id}`,
                { name: "x" },
                bearer(token, { "If-Match": "*" }),
            );
            expect(upd.status).to.equal(409);
            expect(upd.data.errors[0].code).to.equal("entity_locked");
            const del = await h.http.delete(`/v1/serviceids/${s.id}`, bearer(token));
            expect(del.status).to.equal(409);

            expect((await h.http.delete(`/v1/serviceids/${s.id}/lock`, bearer(token))).status).to.equal(204);
            expect((await h.http.delete(`/v1/serviceids/${s.id}`, bearer(token))).status).to.equal(204);
        });
    });

    describe("deleteServiceId", () => {
        it("deletes with 204 and no body; a later GET answers 404", async () => {
            const s = await createServiceId(h.http, token, ACCOUNT_A, "doomed");
            const res = await h.http.delete(`/v1/serviceids/${s.id}`, bearer(token));
            expect(res.status).to.equal(204);
            expect(res.data).to.equal("");
            expect((await h.http.get(`/v1/serviceids/${s.id}`, bearer(token))).status).to.equal(404);
            expect((await h.http.delete(`/v1/serviceids/${s.id}`, bearer(token))).status).to.equal(404);
        });

        it("deletes the service ID's API keys and the policies whose subject it is", async () => {
            const s = await createServiceId(h.http, token, ACCOUNT_A, "cascade");
            const key = await createApiKey(h.http, token, s.iam_id);
            const policy = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, s.iam_id),
                bearer(token),
            );
            expect(policy.status).to.equal(201);

            expect((await h.http.delete(`/v1/serviceids/${s.id}`, bearer(token))).status).to.equal(204);

            expect((await h.http.get(`/v1/apikeys/${key.id}`, bearer(token))).status).to.equal(404);
            expect((await h.http.get(`/v1/policies/${policy.data.id}`, bearer(token))).status).to.equal(404);
            const listed = await h.http.get(
                `/v1/policies?account_id=${ACCOUNT_A}&iam_id=${s.iam_id}`,
                bearer(token),
            );
            expect(listed.data.policies).to.deep.equal([]);
            const exchange = await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: key.apikey });
            expect(exchange.status).to.equal(400);
            expect(exchange.data.errorCode).to.equal("BXNIM0415E");
        });
    });
});

describe("IAM emulator: staleEntityTagStatus 412", () => {
    let h: Harness;
    before(async () => {
        h = await startHarness({ staleEntityTagStatus: 412 });
    });
    after(async () => h.iam.close());

    it("answers a stale If-Match with 412 when configured so", async () => {
        const token = await tokenFor(h.http, ADMIN_KEY_A);
        const s = await createServiceId(h.http, token, ACCOUNT_A, "stale-412");
        await h.http.put(
            `/v1/serviceids/${s.id}`,
            { name: "v2" },
            bearer(token, { "If-Match": s.entity_tag }),
        );
        const res = await h.http.put(
            `/v1/serviceids/${s.id}`,
            { name: "v3" },
            bearer(token, { "If-Match": s.entity_tag }),
        );
        expect(res.status).to.equal(412);
        expect(res.data.status_code).to.equal(412);
    });
});
