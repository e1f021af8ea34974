// Creates whose answer is lost after IAM did the work (a 5xx, a reset connection, an answer
// slower than the client waits), alone and together with IAM's lagging listings and reads:
// each provider's create must end with exactly one object, the one it reports, and an API key
// whose value the provider holds. Also the 404-after-create wait for a subject created by
// another process (`subjectCreatedAt`).
import { expect } from "chai";
import { IamEmulator } from "../../../../emulator";
import { LostResponseMode } from "../../../../emulator/faults";
import { IamClientTuning, ServiceIdResource } from "../../../../components/clients/iam";
import { resetIamClientState } from "../../../../components/clients/iam/processState";
import { ServiceIdProvider } from "../../../../components/host/iam/serviceIdProvider";
import { AccessPolicyProvider } from "../../../../components/host/iam/accessPolicyProvider";
import { ApiKeyProvider } from "../../../../components/host/iam/apiKeyProvider";
import { iamWorld, loginAs } from "../../../bed/iamWorld";
import {
    ACCOUNT_A,
    FAST,
    clientFor,
    isolateCredentials,
    rejection,
    stackConfigFor,
    startEmulator,
} from "../../iamFixtures";

/** Client timings: a stall of 1 s outlasts the 300 ms timeout. */
const TUNING: Partial<IamClientTuning> = { ...FAST, timeoutMs: 300 };
const STALL_MS = 1_000;
const MODES: LostResponseMode[] = ["status", "reset", "stall"];

describe("IAM creates whose answer is lost after the write", function () {
    isolateCredentials();
    let iam: IamEmulator;
    let subject: ServiceIdResource;

    before(async function () {
        iam = await startEmulator();
    });
    after(async function () {
        await iam?.close();
    });
    beforeEach(async function () {
        iam.clearFaults();
        subject = await clientFor(iam).createServiceId({ name: `subject-${Date.now()}` });
        iam.resetLog();
    });

    async function configured<P extends { configure(r: unknown): Promise<void> }>(p: P): Promise<P> {
        await p.configure(stackConfigFor(iam));
        return p;
    }
    const world = () => iamWorld(iam.url, ACCOUNT_A);
    /** A provider's create, with its outputs (a create always has them). */
    async function made<I, S>(
        p: { create(inputs: I): Promise<{ id: string; outs?: S }> },
        inputs: I,
    ): Promise<{ id: string; outs: S }> {
        const r = await p.create(inputs);
        return { id: r.id, outs: r.outs as S };
    }
    const lose = (mode: LostResponseMode, pathPrefix: string) =>
        iam.injectFault({ kind: "lostResponse", mode, stallMs: STALL_MS, method: "POST", pathPrefix });

    for (const mode of MODES) {
        describe(`through a ${mode} after the commit`, function () {
            it("ServiceId: one service ID, the one the provider reports", async function () {
                const provider = await configured(new ServiceIdProvider(TUNING));
                const name = `lost-sid-${mode}`;
                lose(mode, "/v1/serviceids");
                const { id } = await made(provider, { name, description: "d" });
                // THEN IAM made it twice at most, and exactly one is left: ours
                expect(
                    (await world()).serviceIds.filter((s) => s.name === name).map((s) => s.id),
                ).to.deep.equal([id]);
                expect(iam.counters().createServiceId).to.equal(1);
            });

            it("AccessPolicy: one policy, adopted instead of a conflict", async function () {
                const provider = await configured(new AccessPolicyProvider(TUNING));
                lose(mode, "/v1/policies");
                const { id, outs } = await made(provider, {
                    iamId: subject.iam_id,
                    roles: ["Reader"],
                    region: "us-south",
                });
                const mine = (await world()).policies.filter((p) =>
                    p.subjects[0].attributes.some((a) => a.value === subject.iam_id),
                );
                expect(mine.map((p) => p.id)).to.deep.equal([id]);
                expect(outs.etag, "the adopted policy's revision").to.be.a("string").with.length.above(0);
            });

            it("ApiKey: one key, whose value the provider holds", async function () {
                const provider = await configured(new ApiKeyProvider(TUNING));
                lose(mode, "/v1/apikeys");
                const { id, outs } = await made(provider, { name: "lost-key", iamId: subject.iam_id });
                const keys = (await world()).apiKeys.filter((k) => k.iamId === subject.iam_id);
                expect(keys.map((k) => k.id)).to.deep.equal([id]);
                // and the value in state is that key's: it logs in as the service ID
                expect(await loginAs(iam.url, outs.apikey as string)).to.equal(
                    `${subject.iam_id} in ${ACCOUNT_A}`,
                );
            });
        });
    }

    describe("when IAM's listings and reads lag too", function () {
        it("ServiceId: a retry's twin is found once the listing catches up, and deleted", async function () {
            const provider = await configured(new ServiceIdProvider(TUNING));
            // The lost create is not listed when the client looks, so it creates again.
            iam.injectFault({ kind: "listLag", lists: 1, pathPrefix: "/v1/serviceids" });
            lose("reset", "/v1/serviceids");
            const { id } = await made(provider, { name: "lagging-twin", description: "d" });
            expect(iam.counters().createServiceId, "the lost create and its retry").to.equal(2);
            expect(
                (await world()).serviceIds.filter((s) => s.name === "lagging-twin").map((s) => s.id),
            ).to.deep.equal([id]);
        });

        it("AccessPolicy: the retry's 409 names our own policy, which is adopted", async function () {
            const provider = await configured(new AccessPolicyProvider(TUNING));
            iam.injectFault({ kind: "listLag", lists: 5, pathPrefix: "/v1/policies" });
            lose("status", "/v1/policies");
            const { id } = await made(provider, {
                iamId: subject.iam_id,
                roles: ["Reader"],
                region: "eu-de",
            });
            expect(
                iam
                    .requests()
                    .filter((r) => r.operation === "createPolicy")
                    .map((r) => r.status),
            ).to.deep.equal([201, 409]);
            const mine = (await world()).policies.filter((p) =>
                p.subjects[0].attributes.some((a) => a.value === subject.iam_id),
            );
            expect(mine.map((p) => p.id)).to.deep.equal([id]);
        });

        it("ApiKey: the retry's 409 (value in use) resolves to our key once it can be read", async function () {
            const provider = await configured(new ApiKeyProvider(TUNING));
            iam.injectFault({ kind: "eventualConsistency", reads: 2, pathPrefix: "/v1/apikeys" });
            lose("stall", "/v1/apikeys");
            const { id, outs } = await made(provider, { name: "lagging-key", iamId: subject.iam_id });
            expect(
                iam
                    .requests()
                    .filter((r) => r.operation === "createApiKey")
                    .map((r) => r.status),
            ).to.deep.equal([201, 409]);
            expect(
                (await world()).apiKeys.filter((k) => k.iamId === subject.iam_id).map((k) => k.id),
            ).to.deep.equal([id]);
            expect(await loginAs(iam.url, outs.apikey as string)).to.equal(
                `${subject.iam_id} in ${ACCOUNT_A}`,
            );
        });
    });

    it("ApiKey: a create that gives up still returns the key a lost attempt made, once it can be read", async function () {
        const provider = await configured(new ApiKeyProvider({ ...TUNING, maxAttempts: 2 }));
        // Every answer lost, and the new key unreadable for its next 3 lookups
        iam.injectFault({ kind: "eventualConsistency", reads: 3, pathPrefix: "/v1/apikeys" });
        iam.injectFault({
            kind: "lostResponse",
            mode: "status",
            times: 10,
            method: "POST",
            pathPrefix: "/v1/apikeys",
        });
        const { id, outs } = await made(provider, { name: "last-look", iamId: subject.iam_id });
        expect(
            (await world()).apiKeys.filter((k) => k.iamId === subject.iam_id).map((k) => k.id),
        ).to.deep.equal([id]);
        expect(await loginAs(iam.url, outs.apikey as string)).to.equal(`${subject.iam_id} in ${ACCOUNT_A}`);
    });

    it("ServiceId: two concurrent creates of one name that both lose their answer get one service ID each", async function () {
        const provider = await configured(new ServiceIdProvider(TUNING));
        // Both answers lost: each create finds two matching service IDs, one of them the other's.
        iam.injectFault({
            kind: "lostResponse",
            mode: "status",
            times: 2,
            method: "POST",
            pathPrefix: "/v1/serviceids",
        });
        const [a, b] = await Promise.all([
            made(provider, { name: "same-name", description: "d" }),
            made(provider, { name: "same-name", description: "d" }),
        ]);
        expect(a.id).not.to.equal(b.id);
        const left = (await world()).serviceIds.filter((s) => s.name === "same-name").map((s) => s.id);
        expect(left.sort()).to.deep.equal([a.id, b.id].sort());
    });

    describe("a subject created by another process moments ago (subjectCreatedAt)", function () {
        // IAM's brief 404 for a new service ID; the grace must span the minute precision of created_at.
        const WAITING: Partial<IamClientTuning> = { ...FAST, notFoundGraceMs: 180_000 };

        async function replicatingSubject(): Promise<ServiceIdResource> {
            iam.injectFault({ kind: "eventualConsistency", reads: 3, pathPrefix: "/v1/serviceids" });
            const sid = await clientFor(iam).createServiceId({ name: "replicating" });
            // Another process: this one does not remember creating it.
            resetIamClientState();
            return sid;
        }

        it("ApiKey waits out the owner's 404 given its createdAt, and fails fast without it", async function () {
            const provider = await configured(new ApiKeyProvider(WAITING));
            const sid = await replicatingSubject();
            const { outs } = await made(provider, {
                name: "k",
                iamId: sid.iam_id,
                subjectCreatedAt: sid.created_at,
            });
            expect(outs.iamId).to.equal(sid.iam_id);
            const other = await replicatingSubject();
            const err = await rejection(made(provider, { name: "k", iamId: other.iam_id }));
            expect(err.message).to.contain("404");
        });

        it("AccessPolicy waits out the subject's 404 given its createdAt, and fails fast without it", async function () {
            const provider = await configured(new AccessPolicyProvider(WAITING));
            const sid = await replicatingSubject();
            const { outs } = await made(provider, {
                iamId: sid.iam_id,
                roles: ["Reader"],
                subjectCreatedAt: sid.created_at,
            });
            expect(outs.iamId).to.equal(sid.iam_id);
            const other = await replicatingSubject();
            const err = await rejection(made(provider, { iamId: other.iam_id, roles: ["Reader"] }));
            expect(err.message).to.contain("404");
        });
    });
});
