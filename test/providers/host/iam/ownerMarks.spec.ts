// Whose IAM object is it: the owner mark a create writes (components/shared/ownership/ownerMark.ts),
// read back by the next create of the same resource. Each provider, against the IAM emulator:
// what an earlier attempt of the same resource left is taken back (service IDs, policies) or
// deleted (keys, whose value is gone); the object the resource holds in a replace is left to
// the replace; anything with another owner's mark, or none, is never touched.
import { expect } from "chai";
import { IamEmulator } from "../../../../emulator";
import { ServiceIdResource } from "../../../../components/clients/iam";
import { ServiceIdProvider, ServiceIdState } from "../../../../components/host/iam/serviceIdProvider";
import {
    AccessPolicyProvider,
    AccessPolicyState,
} from "../../../../components/host/iam/accessPolicyProvider";
import { ApiKeyProvider, ApiKeyState } from "../../../../components/host/iam/apiKeyProvider";
import { readMark } from "../../../../components/shared/ownership/ownerMark";
import { iamWorld } from "../../../bed/iamWorld";
import {
    ACCOUNT_A,
    FAST,
    clientFor,
    isolateCredentials,
    stackConfigFor,
    startEmulator,
} from "../../iamFixtures";

const OWNER =
    "5f0e7c1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b/icr:index:ClusterRegistryAccess::c/icr:iam:ServiceId::c-ns-id";
const OTHER_OWNER =
    "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d/icr:index:ClusterRegistryAccess::c/icr:iam:ServiceId::c-ns-id";

describe("owner marks: what a create takes, and what it never touches", function () {
    isolateCredentials();
    let iam: IamEmulator;

    before(async function () {
        iam = await startEmulator();
    });
    after(async function () {
        await iam?.close();
    });

    async function configured<P extends { configure(r: unknown): Promise<void> }>(p: P): Promise<P> {
        await p.configure(stackConfigFor(iam));
        return p;
    }
    const world = () => iamWorld(iam.url, ACCOUNT_A);

    it("ServiceId: an earlier attempt's service ID is taken back, another stack's of the same name never", async function () {
        const provider = await configured(new ServiceIdProvider(FAST));
        const name = `marked-${Date.now()}`;
        // GIVEN another stack's service ID of that name, one made by hand, and one an earlier
        // attempt of this resource made (a create whose answer never reached state)
        const foreign = await provider.create({
            name,
            description: "d",
            owner: OTHER_OWNER,
            incarnation: "0000aaaa",
        });
        const byHand = await clientFor(iam).createServiceId({ name, description: "d" });
        const foreignBefore = (await clientFor(iam).getServiceId(foreign.id))!.description;
        const orphan = await provider.create({
            name,
            description: "d",
            owner: OWNER,
            incarnation: "1111bbbb",
        });
        // WHEN the resource is created again, as a new resource (a new incarnation)
        const again = await provider.create({
            name,
            description: "d",
            owner: OWNER,
            incarnation: "2222cccc",
        });
        // THEN it took back the orphan, with its own mark now, and made nothing
        expect(again.id).to.equal(orphan.id);
        const live = await clientFor(iam).getServiceId(again.id);
        expect(readMark(live!.description).mark?.incarnation).to.equal("2222cccc");
        expect((again.outs as ServiceIdState).description).to.equal("d");
        const ids = (await world()).serviceIds.filter((s) => s.name === name).map((s) => s.id);
        expect(ids.sort()).to.deep.equal([foreign.id, byHand.id, orphan.id].sort());
        // AND the other stack's and the hand-made service ID are as they were
        expect((await clientFor(iam).getServiceId(foreign.id))!.description).to.equal(foreignBefore);
        expect((await clientFor(iam).getServiceId(byHand.id))!.description).to.equal("d");
    });

    it("ServiceId: the check refuses a name another owner holds, naming it; its own orphan is no refusal", async function () {
        const provider = await configured(new ServiceIdProvider(FAST));
        const name = `taken-${Date.now()}`;
        const foreign = await provider.create({
            name,
            description: "d",
            owner: OTHER_OWNER,
            incarnation: "0000aaaa",
        });
        const refused = await provider.check({}, { name, description: "d", owner: OWNER });
        expect(refused.failures?.map((f) => f.property)).to.deep.equal(["name"]);
        expect(refused.failures?.[0].reason)
            .to.contain(foreign.id)
            .and.to.contain("another stack's (owner mark");
        const mine = `mine-${Date.now()}`;
        await provider.create({ name: mine, description: "d", owner: OWNER, incarnation: "1111bbbb" });
        expect(
            (await provider.check({}, { name: mine, description: "d", owner: OWNER })).failures,
        ).to.deep.equal([]);
    });

    it("ServiceId: a replace's create leaves the object the resource holds; its delete leaves a successor's", async function () {
        const provider = await configured(new ServiceIdProvider(FAST));
        const name = `held-${Date.now()}`;
        const held = await provider.create({ name, description: "d", owner: OWNER, incarnation: "3333dddd" });
        // WHEN the same resource is replaced (same incarnation: `pulumi up --replace`)
        const successor = await provider.create({
            name,
            description: "d",
            owner: OWNER,
            incarnation: "3333dddd",
        });
        // THEN the successor is a new service ID, and the held one is still there for the replace to delete
        expect(successor.id).not.to.equal(held.id);
        await provider.delete(held.id, held.outs as ServiceIdState);
        expect(await clientFor(iam).getServiceId(held.id)).to.equal(undefined);
        expect(await clientFor(iam).getServiceId(successor.id)).not.to.equal(undefined);
    });

    it("AccessPolicy: an earlier attempt's policy is taken back without adoptExisting; another's is refused by name", async function () {
        const provider = await configured(new AccessPolicyProvider(FAST));
        const subject: ServiceIdResource = await clientFor(iam).createServiceId({
            name: `subj-${Date.now()}`,
        });
        const inputs = {
            iamId: subject.iam_id,
            roles: ["Reader" as const],
            region: "us-south",
            description: "p",
        };
        const orphan = await provider.create({ ...inputs, owner: OWNER, incarnation: "4444eeee" });
        const again = await provider.create({ ...inputs, owner: OWNER, incarnation: "5555ffff" });
        expect(again.id).to.equal(orphan.id);
        expect((again.outs as AccessPolicyState).ownerMark).to.match(/\.5555ffff\./);
        const err = await provider
            .create({ ...inputs, region: "us-south", owner: OTHER_OWNER, incarnation: "6666aaaa" })
            .then(
                () => undefined,
                (e: Error) => e,
            );
        expect(err?.message)
            .to.contain(`IAM already has policy "${orphan.id}"`)
            .and.to.contain("adoptExisting");
    });

    it("ApiKey: an earlier attempt's key, whose value is gone, is deleted; another owner's key stays", async function () {
        const provider = await configured(new ApiKeyProvider(FAST));
        const subject = await clientFor(iam).createServiceId({ name: `keyed-${Date.now()}` });
        const base = { name: "k", iamId: subject.iam_id, description: "k" };
        const foreign = await provider.create({ ...base, owner: OTHER_OWNER, incarnation: "7777bbbb" });
        const orphan = await provider.create({ ...base, owner: OWNER, incarnation: "8888cccc" });
        const again = await provider.create({ ...base, owner: OWNER, incarnation: "9999dddd" });
        const keys = (await world()).apiKeys.filter((k) => k.iamId === subject.iam_id).map((k) => k.id);
        expect(keys.sort()).to.deep.equal([foreign.id, again.id].sort());
        expect(keys).not.to.include(orphan.id);
        expect((again.outs as ApiKeyState).apikey).to.be.a("string");
    });
});
