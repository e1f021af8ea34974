// /v1/policies as IBM documents it: validation of Container Registry policies,
// the response model and ETag, limit/start paging, 409 policy_conflict_error, and replace with If-Match.
import { expect } from "chai";
import {
    ACCOUNT_A,
    ADMIN_KEY_A,
    Harness,
    READER,
    WRITER,
    bearer,
    createServiceId,
    registryPolicy,
    startHarness,
    tokenFor,
} from "./harness";
import { CONTAINER_REGISTRY_REGIONS } from "../../emulator";

const POLICY_ERROR_KEYS = ["errors", "status_code", "trace"];

describe("IAM emulator: policies", () => {
    let h: Harness;
    let token: string;
    before(async () => {
        h = await startHarness();
        token = await tokenFor(h.http, ADMIN_KEY_A);
    });
    after(async () => h.iam.close());

    async function newSubject(name = "policy-subject"): Promise<string> {
        return (await createServiceId(h.http, token, ACCOUNT_A, name)).iam_id;
    }

    describe("createPolicy", () => {
        it("creates a Container Registry Reader policy and returns IBM's policy model with an ETag", async () => {
            const iamId = await newSubject();
            const res = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId, { region: "us-south", namespace: "team-a" }),
                bearer(token),
            );
            expect(res.status).to.equal(201);
            const p = res.data;
            expect(p.id).to.match(/^[0-9a-f-]{36}$/);
            expect(p.type).to.equal("access");
            expect(p.description).to.equal("pull access");
            expect(p.subjects).to.deep.equal([{ attributes: [{ name: "iam_id", value: iamId }] }]);
            expect(p.roles).to.have.length(1);
            expect(p.roles[0]).to.include({ role_id: READER, display_name: "Reader" });
            expect(p.roles[0].description).to.be.a("string").and.not.equal("");
            expect(p.resources[0].attributes).to.deep.equal([
                { name: "accountId", value: ACCOUNT_A, operator: "stringEquals" },
                { name: "serviceName", value: "container-registry", operator: "stringEquals" },
                { name: "region", value: "us-south", operator: "stringEquals" },
                { name: "resourceType", value: "namespace", operator: "stringEquals" },
                { name: "resource", value: "team-a", operator: "stringEquals" },
            ]);
            expect(p.href).to.match(new RegExp(`/v1/policies/${p.id}$`));
            expect(p.created_at).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
            expect(p.last_modified_at).to.equal(p.created_at);
            expect(p.created_by_id).to.match(/^IBMid-/);
            expect(p.last_modified_by_id).to.equal(p.created_by_id);
            expect(p.state).to.equal("active");
            expect(res.headers.etag).to.match(/^1-[0-9a-f]{32}$/);
        });

        it("echoes operator stringEquals on resource attributes sent without one", async () => {
            const iamId = await newSubject();
            const body = registryPolicy(ACCOUNT_A, iamId);
            (body.resources as { attributes: Record<string, string>[] }[])[0].attributes.forEach(
                (a) => delete a.operator,
            );
            const res = await h.http.post("/v1/policies", body, bearer(token));
            expect(res.status).to.equal(201);
            expect(
                res.data.resources[0].attributes.every(
                    (a: { operator: string }) => a.operator === "stringEquals",
                ),
            ).to.equal(true);
        });

        it("accepts every Container Registry region and geography global", async () => {
            const iamId = await newSubject("all-regions");
            for (const region of CONTAINER_REGISTRY_REGIONS) {
                const res = await h.http.post(
                    "/v1/policies",
                    registryPolicy(ACCOUNT_A, iamId, { region }),
                    bearer(token),
                );
                expect(res.status, region).to.equal(201);
            }
            const global = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId, { geography: "global" }),
                bearer(token),
            );
            expect(global.status).to.equal(201);
        });

        it("rejects an unknown Container Registry region with 400 naming the valid ones", async () => {
            const iamId = await newSubject();
            for (const region of ["us-east", "global", "fr2"]) {
                const res = await h.http.post(
                    "/v1/policies",
                    registryPolicy(ACCOUNT_A, iamId, { region }),
                    bearer(token),
                );
                expect(res.status, region).to.equal(400);
                expect(Object.keys(res.data).sort()).to.deep.equal(POLICY_ERROR_KEYS);
                expect(res.data.errors[0].message).to.contain(`'${region}'`);
                expect(res.data.errors[0].message).to.contain("us-south");
            }
        });

        it("accepts the container-registry form of the role CRN", async () => {
            const iamId = await newSubject();
            const role = "crn:v1:bluemix:public:container-registry::::serviceRole:Reader";
            const res = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId, { role }),
                bearer(token),
            );
            expect(res.status).to.equal(201);
            expect(res.data.roles[0]).to.include({ role_id: role, display_name: "Reader" });
        });

        it("rejects an unknown role with 400 role_not_found", async () => {
            const iamId = await newSubject();
            const role = "crn:v1:bluemix:public:iam::::serviceRole:Puller";
            const res = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId, { role }),
                bearer(token),
            );
            expect(res.status).to.equal(400);
            expect(res.data.errors[0].code).to.equal("role_not_found");
            expect(res.data.status_code).to.equal(400);
            expect(res.data.trace).to.equal(res.headers["transaction-id"]);
        });

        it("rejects resources without accountId or without a service attribute with 400", async () => {
            const iamId = await newSubject();
            const noAccount = registryPolicy(ACCOUNT_A, iamId);
            const attrs = (noAccount.resources as { attributes: { name: string }[] }[])[0].attributes;
            attrs.splice(0, 1);
            expect((await h.http.post("/v1/policies", noAccount, bearer(token))).status).to.equal(400);

            const noService = registryPolicy(ACCOUNT_A, iamId);
            (noService.resources as { attributes: { name: string }[] }[])[0].attributes.splice(1, 1);
            const res = await h.http.post("/v1/policies", noService, bearer(token));
            expect(res.status).to.equal(400);
            expect(res.data.errors[0].message).to.contain("serviceName");
        });

        it("rejects an operator other than stringEquals or stringMatch with 400", async () => {
            const iamId = await newSubject();
            const body = registryPolicy(ACCOUNT_A, iamId);
            (body.resources as { attributes: Record<string, string>[] }[])[0].attributes[1].operator =
                "stringExists";
            const res = await h.http.post("/v1/policies", body, bearer(token));
            expect(res.status).to.equal(400);
            expect(res.data.errors[0].code).to.equal("invalid_body");
        });

        it("rejects a subject that is not an identity of the account with 400", async () => {
            const res = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, "iam-ServiceId-00000000-0000-0000-0000-000000000000"),
                bearer(token),
            );
            expect(res.status).to.equal(400);
        });

        it("refuses a policy on a locked service ID", async () => {
            const s = await createServiceId(h.http, token, ACCOUNT_A, "locked-subject");
            await h.http.post(`/v1/serviceids/${s.id}/lock`, undefined, bearer(token));
            const res = await h.http.post("/v1/policies", registryPolicy(ACCOUNT_A, s.iam_id), bearer(token));
            expect(res.status).to.equal(409);
            expect(Object.keys(res.data).sort()).to.deep.equal(POLICY_ERROR_KEYS);
        });

        it("answers an identical policy with 409 policy_conflict_error naming the existing one", async () => {
            const iamId = await newSubject();
            const first = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId, { region: "eu-de" }),
                bearer(token),
            );
            expect(first.status).to.equal(201);
            const res = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId, { region: "eu-de" }),
                bearer(token),
            );
            expect(res.status).to.equal(409);
            expect(Object.keys(res.data).sort()).to.deep.equal(POLICY_ERROR_KEYS);
            expect(res.data.status_code).to.equal(409);
            const err = res.data.errors[0];
            expect(err.code).to.equal("policy_conflict_error");
            expect(err.message).to.equal(
                "The policy wasn't created because an access policy with identical attributes already exists. " +
                    `Please update the roles in the existing policy (${first.data.id}), or update the one you're ` +
                    "trying to assign to include a different attribute assignment.",
            );
            expect(err.details.conflicts_with.etag).to.equal(first.headers.etag);
            expect(err.details.conflicts_with.policy).to.deep.equal(first.data);
        });

        it("treats the same subject and resource with other roles as a conflict too", async () => {
            const iamId = await newSubject();
            await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId, { region: "jp-tok" }),
                bearer(token),
            );
            const res = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId, { region: "jp-tok", role: WRITER }),
                bearer(token),
            );
            expect(res.status).to.equal(409);
        });
    });

    describe("getPolicy / listPolicies", () => {
        it("gets a policy with the ETag header of its revision", async () => {
            const iamId = await newSubject();
            const created = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId),
                bearer(token),
            );
            const res = await h.http.get(`/v1/policies/${created.data.id}`, bearer(token));
            expect(res.status).to.equal(200);
            expect(res.data).to.deep.equal(created.data);
            expect(res.headers.etag).to.equal(created.headers.etag);
        });

        it("answers an unknown policy with 404 policy_not_found in the policy error shape", async () => {
            const res = await h.http.get("/v1/policies/00000000-0000-0000-0000-000000000000", bearer(token));
            expect(res.status).to.equal(404);
            expect(Object.keys(res.data).sort()).to.deep.equal(POLICY_ERROR_KEYS);
            expect(res.data.errors[0].code).to.equal("policy_not_found");
        });

        it("rejects a listing without account_id with 400 missing_required_query_parameter", async () => {
            const res = await h.http.get("/v1/policies", bearer(token));
            expect(res.status).to.equal(400);
            expect(res.data.errors[0].code).to.equal("missing_required_query_parameter");
        });

        it("lists one subject's policies page by page with limit and next.start", async () => {
            const iamId = await newSubject("paged-policies");
            const ids: string[] = [];
            for (const region of ["us-south", "eu-gb", "au-syd"]) {
                ids.push(
                    (
                        await h.http.post(
                            "/v1/policies",
                            registryPolicy(ACCOUNT_A, iamId, { region }),
                            bearer(token),
                        )
                    ).data.id,
                );
            }
            const first = await h.http.get(
                `/v1/policies?account_id=${ACCOUNT_A}&iam_id=${iamId}&limit=2`,
                bearer(token),
            );
            expect(first.status).to.equal(200);
            expect(first.data.limit).to.equal(2);
            expect(first.data.first.href).to.be.a("string");
            expect(first.data.next.start).to.be.a("string");
            expect(first.data.next.href).to.contain(`start=${first.data.next.start}`);
            const second = await h.http.get(
                `/v1/policies?account_id=${ACCOUNT_A}&iam_id=${iamId}&limit=2&start=${first.data.next.start}`,
                bearer(token),
            );
            expect(second.status).to.equal(200);
            expect(second.data).to.not.have.property("next");
            const seen = [...first.data.policies, ...second.data.policies].map((p: { id: string }) => p.id);
            expect(seen).to.deep.equal(ids);
        });
    });

    describe("replacePolicy", () => {
        it("replaces with the current ETag and returns a new revision", async () => {
            const iamId = await newSubject();
            const created = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId),
                bearer(token),
            );
            const res = await h.http.put(
                `/v1/policies/${created.data.id}`,
                registryPolicy(ACCOUNT_A, iamId, { role: WRITER }),
                bearer(token, { "If-Match": created.headers.etag }),
            );
            expect(res.status).to.equal(200);
            expect(res.data.roles[0].role_id).to.equal(WRITER);
            expect(res.headers.etag).to.match(/^2-[0-9a-f]{32}$/);
            expect(res.data.created_at).to.equal(created.data.created_at);
        });

        it("rejects a stale ETag with 412 in the policy error shape and leaves the policy unchanged", async () => {
            const iamId = await newSubject();
            const created = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId),
                bearer(token),
            );
            const etag = created.headers.etag;
            await h.http.put(
                `/v1/policies/${created.data.id}`,
                registryPolicy(ACCOUNT_A, iamId, { role: WRITER }),
                bearer(token, { "If-Match": etag }),
            );
            const res = await h.http.put(
                `/v1/policies/${created.data.id}`,
                registryPolicy(ACCOUNT_A, iamId),
                bearer(token, { "If-Match": etag }),
            );
            expect(res.status).to.equal(412);
            expect(Object.keys(res.data).sort()).to.deep.equal(POLICY_ERROR_KEYS);
            expect(res.data.status_code).to.equal(412);
            const now = await h.http.get(`/v1/policies/${created.data.id}`, bearer(token));
            expect(now.data.roles[0].role_id).to.equal(WRITER);
        });

        it("rejects a replace without If-Match with 428", async () => {
            const iamId = await newSubject();
            const created = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId),
                bearer(token),
            );
            const res = await h.http.put(
                `/v1/policies/${created.data.id}`,
                registryPolicy(ACCOUNT_A, iamId),
                bearer(token),
            );
            expect(res.status).to.equal(428);
        });
    });

    describe("policies on a locked service ID", () => {
        it("refuses to replace or delete them until the service ID is unlocked", async () => {
            const s = await createServiceId(h.http, token, ACCOUNT_A, "lock-later");
            const created = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, s.iam_id),
                bearer(token),
            );
            await h.http.post(`/v1/serviceids/${s.id}/lock`, undefined, bearer(token));
            const replace = await h.http.put(
                `/v1/policies/${created.data.id}`,
                registryPolicy(ACCOUNT_A, s.iam_id, { role: WRITER }),
                bearer(token, { "If-Match": created.headers.etag }),
            );
            expect(replace.status).to.equal(409);
            expect((await h.http.delete(`/v1/policies/${created.data.id}`, bearer(token))).status).to.equal(
                409,
            );
            await h.http.delete(`/v1/serviceids/${s.id}/lock`, bearer(token));
            expect((await h.http.delete(`/v1/policies/${created.data.id}`, bearer(token))).status).to.equal(
                204,
            );
        });
    });

    describe("deletePolicy", () => {
        it("deletes with 204; a later GET answers 404", async () => {
            const iamId = await newSubject();
            const created = await h.http.post(
                "/v1/policies",
                registryPolicy(ACCOUNT_A, iamId),
                bearer(token),
            );
            expect((await h.http.delete(`/v1/policies/${created.data.id}`, bearer(token))).status).to.equal(
                204,
            );
            expect((await h.http.get(`/v1/policies/${created.data.id}`, bearer(token))).status).to.equal(404);
        });
    });
});
