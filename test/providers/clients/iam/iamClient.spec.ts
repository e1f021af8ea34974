// The IAM client against the IAM emulator on loopback: token caching, retries, eventual
// consistency, error shaping, pagination.
import { expect } from "chai";
import * as net from "net";
import { IamEmulator } from "../../../../emulator";
import { IamClient, IamError } from "../../../../components/clients/iam";
import { policyBody } from "../../../../components/shared/iam/policyModel";
import {
    ACCOUNT_A,
    ACCOUNT_B,
    FAST,
    KEY_A,
    KEY_B,
    clientFor,
    isolateCredentials,
    rejection,
    startEmulator,
} from "../../iamFixtures";

describe("IamClient", function () {
    isolateCredentials();
    let iam: IamEmulator;

    before(async function () {
        iam = await startEmulator();
    });
    after(async function () {
        await iam?.close();
    });
    beforeEach(function () {
        iam.clearFaults();
        iam.resetLog();
    });

    describe("tokens", function () {
        it("exchanges the key once for many calls, across client objects", async function () {
            // GIVEN three client objects for the same key (as three providers would build)
            const clients = [clientFor(iam), clientFor(iam), clientFor(iam)];
            // WHEN they create six service IDs, some concurrently
            await Promise.all(clients.map((c, i) => c.createServiceId({ name: `tok-${i}` })));
            for (const [i, c] of clients.entries()) await c.createServiceId({ name: `tok-again-${i}` });
            // THEN IAM saw one token exchange
            const counters = iam.counters();
            expect(counters.createServiceId).to.equal(6);
            expect(counters.getToken).to.equal(1);
        });

        it("keeps one cache per key: two accounts, two exchanges", async function () {
            await clientFor(iam, KEY_A).createServiceId({ name: "per-key-a" });
            await clientFor(iam, KEY_B).createServiceId({ name: "per-key-b" });
            await clientFor(iam, KEY_A).createServiceId({ name: "per-key-a2" });
            expect(iam.counters().getToken).to.equal(2);
        });

        it("shares one in-flight exchange between concurrent callers", async function () {
            iam.injectFault({ kind: "latency", ms: 100, pathPrefix: "/identity/token" });
            const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => clientFor(iam).getAccessToken()));
            expect(new Set(tokens).size).to.equal(1);
            expect(iam.counters().getToken).to.equal(1);
        });

        it("does not show the key when the client is logged or serialized", async function () {
            const c = clientFor(iam);
            const { inspect } = await import("util");
            expect(JSON.stringify(c) + inspect(c, { depth: 5 })).not.to.contain(KEY_A);
        });

        it("takes the account from the token's account.bss claim", async function () {
            expect(await clientFor(iam, KEY_B).accountId()).to.equal(ACCOUNT_B);
            const sid = await clientFor(iam, KEY_A).createServiceId({ name: "bss" });
            expect(sid.account_id).to.equal(ACCOUNT_A);
        });

        it("refreshes a token at 80 % of its lifetime, not before", async function () {
            this.timeout(10_000);
            const shortLived = await startEmulator({ tokenTtlSeconds: 2 });
            try {
                const c = clientFor(shortLived);
                const first = await c.getAccessToken();
                await new Promise((r) => setTimeout(r, 1_200)); // 60 %: still cached
                expect(await c.getAccessToken()).to.equal(first);
                await new Promise((r) => setTimeout(r, 600)); // 90 %: refreshed
                const second = await c.getAccessToken();
                expect(second).not.to.equal(first);
                expect(shortLived.counters().getToken).to.equal(2);
            } finally {
                await shortLived.close();
            }
        });

        it("rejects an unknown key with IBM's code, naming the key's source but never the key", async function () {
            const badKey = "not-a-real-key-0f9e8d7c6b5a4e3d2c1b";
            const err = await rejection(
                new IamClient(
                    { apiKey: badKey, iamEndpoint: iam.url, source: "Pulumi config `ibmcloud:apiKey`" },
                    FAST,
                ).getAccessToken(),
            );
            expect(err).to.be.instanceOf(IamError);
            const e = err as IamError;
            expect([e.method, e.path, e.status, e.code]).to.deep.equal([
                "POST",
                "/identity/token",
                400,
                "BXNIM0415E",
            ]);
            expect(e.message).to.match(
                /^IAM POST \/identity\/token failed: 400 BXNIM0415E: .+ IAM refused the API key from Pulumi config `ibmcloud:apiKey`\. \(transaction-id \S+\)$/,
            );
            expect(e.transactionId).to.be.a("string").and.not.equal("");
            expect(JSON.stringify(e)).not.to.contain(badKey);
            expect(e.message + (e.stack ?? "")).not.to.contain(badKey);
            expect(Object.keys(e)).not.to.include.members(["config", "request", "response"]);
        });
    });

    describe("retries", function () {
        it("rides out 429 ×3, 500 ×2 and latency on a create", async function () {
            // GIVEN IAM rate-limits, then fails, then answers slowly
            const scope = { method: "POST", pathPrefix: "/v1/serviceids" };
            iam.injectFault({ kind: "status", status: 429, times: 3, retryAfterSeconds: 0, ...scope });
            iam.injectFault({ kind: "status", status: 500, times: 2, ...scope });
            iam.injectFault({ kind: "latency", ms: 50, times: 6, ...scope });
            // WHEN a service ID is created THEN it is, once
            const sid = await clientFor(iam).createServiceId({ name: "retried" });
            expect(sid.name).to.equal("retried");
            const creates = iam.requests().filter((r) => r.operation === "createServiceId");
            expect(creates.map((r) => r.status)).to.deep.equal([429, 429, 429, 500, 500, 201]);
            const listed = await clientFor(iam).listServiceIds({ name: "retried" });
            expect(listed.map((s) => s.id)).to.deep.equal([sid.id]);
        });

        it("retries the token exchange itself", async function () {
            iam.injectFault({
                kind: "status",
                status: 503,
                times: 2,
                retryAfterSeconds: 0,
                pathPrefix: "/identity/token",
            });
            expect(await clientFor(iam).getAccessToken()).to.be.a("string");
            expect(iam.requests().map((r) => r.status)).to.deep.equal([503, 503, 200]);
        });

        it("honours Retry-After (seconds) up to its cap", async function () {
            iam.injectFault({
                kind: "status",
                status: 429,
                times: 1,
                retryAfterSeconds: 1,
                pathPrefix: "/v1/serviceids",
            });
            const c = clientFor(iam, KEY_A, { ...FAST, maxRetryAfterMs: 5_000 });
            await c.getAccessToken();
            const t0 = Date.now();
            await c.createServiceId({ name: "patient" });
            expect(Date.now() - t0).to.be.at.least(950);
        });

        it("gives up after maxAttempts with the last IBM error and the attempt count", async function () {
            iam.injectFault({
                kind: "status",
                status: 503,
                times: 10,
                retryAfterSeconds: 0,
                method: "POST",
                pathPrefix: "/v1/serviceids",
            });
            const err = (await rejection(
                clientFor(iam, KEY_A, { ...FAST, maxAttempts: 3 }).createServiceId({ name: "doomed" }),
            )) as IamError;
            expect(err.name).to.equal("IamError");
            expect(err.status).to.equal(503);
            expect(err.attempts).to.equal(3);
            expect(err.message).to.match(
                /^IAM POST \/v1\/serviceids\/ failed: 503 too_many_requests|^IAM POST \/v1\/serviceids\/ failed: 503 /,
            );
            expect(err.message).to.contain("after 3 attempts");
            expect(iam.counters().createServiceId).to.equal(3);
        });

        it("does not retry a 501 or a 4xx", async function () {
            iam.injectFault({ kind: "status", status: 501, times: 1, pathPrefix: "/v1/serviceids" });
            const err = (await rejection(clientFor(iam).createServiceId({ name: "x" }))) as IamError;
            expect([err.status, err.attempts]).to.deep.equal([501, 1]);
            const notFound = await clientFor(iam).getServiceId(
                "ServiceId-00000000-0000-4000-8000-000000000000",
            );
            expect(notFound).to.equal(undefined);
            expect(iam.counters().getServiceId).to.equal(1);
        });

        it("retries a timed-out create without making a twin when the lost attempt went through", async function () {
            // GIVEN IAM answers the first create after the client gave up on it
            iam.injectFault({
                kind: "latency",
                ms: 300,
                times: 1,
                method: "POST",
                pathPrefix: "/v1/serviceids",
            });
            const c = clientFor(iam, KEY_A, {
                ...FAST,
                timeoutMs: 100,
                baseDelayMs: 1_000,
                maxDelayMs: 1_000,
            });
            await c.getAccessToken();
            // WHEN the client creates a service ID
            const sid = await c.createServiceId(
                { name: "after-timeout", description: "only one [call 1]" },
                (s) => s.description === "only one [call 1]",
            );
            // THEN it looked before retrying, found the lost attempt's service ID (what only
            // this call wrote) and took it
            expect(iam.counters().createServiceId).to.equal(1);
            expect((await c.listServiceIds({ name: "after-timeout" })).map((s) => s.id)).to.deep.equal([
                sid.id,
            ]);
        });

        it("reports a dead endpoint as an IamError without the key", async function () {
            // A port nobody listens on: connection refused is not retried, and never an AxiosError.
            const port = await freePort();
            const dead = new IamClient({ apiKey: KEY_A, iamEndpoint: `http://127.0.0.1:${port}` }, FAST);
            const err = (await rejection(dead.getAccessToken())) as IamError;
            expect(err.name).to.equal("IamError");
            expect(err.code).to.equal("ECONNREFUSED");
            expect(err.message).to.contain(
                `Is the IAM endpoint http://127.0.0.1:${port} right and reachable?`,
            );
            expect(JSON.stringify(err) + err.message + err.stack).not.to.contain(KEY_A);
            expect(Object.keys(err)).not.to.include("config");
        });
    });

    describe("eventual consistency", function () {
        it("waits out a 404 on reading an object it just created", async function () {
            iam.injectFault({ kind: "eventualConsistency", reads: 3, pathPrefix: "/v1/serviceids" });
            const c = clientFor(iam);
            const sid = await c.createServiceId({ name: "lagging" });
            const got = await c.getServiceId(sid.id);
            expect(got?.id).to.equal(sid.id);
            expect(
                iam
                    .requests()
                    .filter((r) => r.operation === "getServiceId")
                    .map((r) => r.status),
            ).to.deep.equal([404, 404, 404, 200]);
        });

        it("waits out a 404 for an object created by another process, given its creation time", async function () {
            const sid = await clientFor(iam).createServiceId({ name: "elsewhere" });
            iam.injectFault({ kind: "eventualConsistency", reads: 2, pathPrefix: "/v1/serviceids" });
            // Another process: hide the object freshly, forget this process's memory of it.
            const { resetIamClientState } = await import("../../../../components/clients/iam/processState");
            resetIamClientState();
            const other = await clientFor(iam).createServiceId({ name: "elsewhere-2" });
            resetIamClientState();
            expect(await clientFor(iam).getServiceId(other.id, { createdAt: Date.now() })).to.have.property(
                "id",
                other.id,
            );
            expect(await clientFor(iam).getServiceId(sid.id)).to.have.property("id", sid.id);
        });

        it("reports a 404 of an old object at once", async function () {
            const c = clientFor(iam);
            const t0 = Date.now();
            expect(
                await c.getServiceId("ServiceId-11111111-1111-4111-8111-111111111111", {
                    createdAt: Date.now() - 3_600_000,
                }),
            ).to.equal(undefined);
            expect(Date.now() - t0).to.be.below(500);
        });

        it("retries creating a key for a service ID that is still replicating", async function () {
            const c = clientFor(iam);
            const sid = await c.createServiceId({ name: "fresh-owner" });
            const key = await c.createApiKey({ name: "k", iamId: sid.iam_id });
            expect(key.apikey).to.be.a("string").with.length.above(20);
        });
    });

    describe("operations", function () {
        it("lists service IDs across pages", async function () {
            const c = clientFor(iam, KEY_B);
            for (let i = 0; i < 5; i++) await c.createServiceId({ name: "paged" });
            const all = await c.listServiceIds({ name: "paged", pagesize: 2 });
            expect(all).to.have.length(5);
            expect(iam.counters().listServiceIds).to.equal(3);
        });

        it("updates with If-Match and reports a stale tag as 409/412", async function () {
            const c = clientFor(iam);
            const sid = await c.createServiceId({ name: "tagged", description: "one" });
            const updated = await c.updateServiceId(sid.id, { description: "two" }, sid.entity_tag);
            expect(updated.description).to.equal("two");
            const err = (await rejection(
                c.updateServiceId(sid.id, { description: "three" }, sid.entity_tag),
            )) as IamError;
            expect([409, 412]).to.include(err.status);
        });

        it("deletes, and treats deleting a missing object as done", async function () {
            const c = clientFor(iam);
            const sid = await c.createServiceId({ name: "doomed" });
            expect(await c.deleteServiceId(sid.id)).to.equal(true);
            expect(await c.deleteServiceId(sid.id)).to.equal(false);
        });

        it("returns a policy's ETag and names the existing policy on a conflict", async function () {
            const c = clientFor(iam);
            const sid = await c.createServiceId({ name: "subject" });
            const body = policyBody({
                iamId: sid.iam_id,
                roles: ["Reader"],
                accountId: ACCOUNT_A,
                region: "us-south",
            });
            const created = await c.createPolicy(body);
            const got = await c.getPolicy(created.policy.id);
            expect(got?.etag).to.be.a("string").and.not.equal("");
            const err = (await rejection(
                c.createPolicy({
                    ...body,
                    roles: [{ role_id: "crn:v1:bluemix:public:iam::::serviceRole:Writer" }],
                }),
            )) as IamError;
            expect([err.status, err.code]).to.deep.equal([409, "policy_conflict_error"]);
            expect(err.conflict?.policyId).to.equal(created.policy.id);
            const replaced = await c.replacePolicy(
                created.policy.id,
                { ...body, description: "changed" },
                got!.etag!,
            );
            expect(replaced.etag).not.to.equal(got!.etag);
            expect(
                (await c.listPolicies({ iamId: sid.iam_id, serviceName: "container-registry" })).map(
                    (p) => p.id,
                ),
            ).to.deep.equal([created.policy.id]);
            expect(await c.deletePolicy(created.policy.id)).to.equal(true);
            expect(await c.deletePolicy(created.policy.id)).to.equal(false);
        });

        it("locks and unlocks service IDs and keys", async function () {
            const c = clientFor(iam);
            const sid = await c.createServiceId({ name: "lockable", locked: true });
            expect(sid.locked).to.equal(true);
            await c.unlockServiceId(sid.id);
            expect((await c.getServiceId(sid.id))?.locked).to.equal(false);
            const key = await c.createApiKey({ name: "k", iamId: sid.iam_id });
            await c.lockApiKey(key.id);
            expect((await c.getApiKey(key.id))?.locked).to.equal(true);
            await c.unlockApiKey(key.id);
            expect((await c.listApiKeys({ iamId: sid.iam_id })).map((k) => [k.id, k.locked])).to.deep.equal([
                [key.id, false],
            ]);
            expect((await c.getApiKey(key.id))?.apikey, "the value is not readable again").to.equal(
                undefined,
            );
        });
    });
});

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const { port } = s.address() as net.AddressInfo;
            s.close(() => resolve(port));
        });
    });
}
