// The AccessGroupMembership provider's methods, called directly against the IAM emulator: several
// stacks (provider calls with their own members) share one group and its policies; each removes only
// its own members; the last one out deletes the group and its policies; a group of the same name
// that the library did not make is refused; a lost create answer leaves no twin group.
import { expect } from "chai";
import { IamEmulator } from "../../../../emulator";
import { LostResponseMode } from "../../../../emulator/faults";
import { IamClient, IamClientTuning } from "../../../../components/clients/iam";
import {
    AccessGroupMembershipInputs,
    AccessGroupMembershipProvider,
    AccessGroupMembershipState,
} from "../../../../components/host/iam/accessGroupMembershipProvider";
import { accessGroupName } from "../../../../components/shared/iam/accessGroupScope";
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
const LOSSY: Partial<IamClientTuning> = { ...FAST, timeoutMs: 300 };
const SCOPE = { role: "Reader" as const, locations: ["eu-de", "global"], registryNamespace: "shop" };
const GROUP = accessGroupName(SCOPE);

interface Access {
    accessGroups: string[];
    policies: { via: string; policy: { id: string } }[];
}

describe("AccessGroupMembership provider", function () {
    isolateCredentials();
    let iam: IamEmulator;
    let client: IamClient;

    before(async function () {
        iam = await startEmulator();
        client = clientFor(iam);
    });
    after(async function () {
        await iam?.close();
    });
    beforeEach(async function () {
        iam.clearFaults();
        // Each test starts without groups of its own name.
        const left = await client.findAccessGroupByName(ACCOUNT_A, GROUP);
        if (left) {
            for (const m of (await client.listAccessGroupMembers(left.id)) ?? [])
                await client.removeMemberFromAccessGroup(left.id, m.iam_id);
            await client.deleteAccessGroup(left.id);
        }
    });

    async function provider(tuning: Partial<IamClientTuning> = FAST): Promise<AccessGroupMembershipProvider> {
        const p = new AccessGroupMembershipProvider(tuning);
        await p.configure(stackConfigFor(iam));
        return p;
    }
    async function serviceIds(n: number, prefix: string): Promise<string[]> {
        const out: string[] = [];
        for (let i = 0; i < n; i++)
            out.push((await client.createServiceId({ name: `${prefix}-${i}-${Date.now()}` })).iam_id);
        return out;
    }
    const inputs = (members: string[]): AccessGroupMembershipInputs => ({
        groupName: GROUP,
        ...SCOPE,
        members,
    });
    async function access(iamId: string): Promise<Access> {
        const res = await fetch(`${iam.url}/_emulator/access?account_id=${ACCOUNT_A}&iam_id=${iamId}`);
        return (await res.json()) as Access;
    }
    const groupsNamed = async () =>
        ((await (await fetch(`${iam.url}/_emulator/state`)).json()) as { accessGroups?: unknown[] })
            .accessGroups;

    it("rejects at check a member that is not a service ID, an empty member list and an unknown location", async function () {
        const p = await provider();
        const failures = (
            await p.check({}, { ...inputs(["IBMid-123", "ServiceId-abc"]), locations: ["eu-dee"] })
        ).failures;
        expect((failures ?? []).map((f) => f.property)).to.deep.equal([
            "locations[0]",
            "members[0]",
            "members[1]",
        ]);
        expect(failures?.[1].reason).to.equal(
            '"IBMid-123" is not a service ID\'s IAM id ("iam-ServiceId-<uuid>"); members are the stack\'s service IDs',
        );
        expect((await p.check({}, inputs([]))).failures).to.deep.equal([
            { property: "members", reason: "must list at least one service ID's iam_id" },
        ]);
    });

    it("three stacks share one group and its policies; each leaves with its own members only; the last deletes both", async function () {
        // GIVEN three stacks, each with its service IDs
        const stacks = [await serviceIds(2, "a"), await serviceIds(1, "b"), await serviceIds(1, "c")];
        const p = await provider();
        // WHEN each creates its membership
        const made: AccessGroupMembershipState[] = [];
        for (const members of stacks)
            made.push((await p.create(inputs(members))).outs as AccessGroupMembershipState);
        // THEN one group, one policy per location, and every member granted through it
        expect(new Set(made.map((m) => m.groupId)).size).to.equal(1);
        expect(new Set(made.map((m) => m.policyIds.join())).size).to.equal(1);
        const groupId = made[0].groupId;
        const policies = await client.listPolicies({ accountId: ACCOUNT_A, accessGroupId: groupId });
        expect(policies.map((x) => x.id).sort()).to.deep.equal([...made[0].policyIds].sort());
        expect(policies).to.have.length(2);
        const members = (await client.listAccessGroupMembers(groupId))!.map((m) => m.iam_id).sort();
        expect(members).to.deep.equal(stacks.flat().sort());

        // WHEN the first two stacks leave
        await p.delete(groupId, made[0]);
        await p.delete(groupId, made[1]);
        // THEN the third's service ID still has the group's access, and nobody else's is left
        expect((await client.listAccessGroupMembers(groupId))!.map((m) => m.iam_id)).to.deep.equal(stacks[2]);
        const third = await access(stacks[2][0]);
        expect(third.accessGroups).to.deep.equal([groupId]);
        expect(third.policies.map((x) => x.policy.id).sort()).to.deep.equal([...made[0].policyIds].sort());
        expect((await access(stacks[0][0])).policies).to.deep.equal([]);

        // WHEN the last leaves
        await p.delete(groupId, made[2]);
        // THEN the group and its policies are gone
        expect(await client.getAccessGroup(groupId)).to.equal(undefined);
        expect(await client.listPolicies({ accountId: ACCOUNT_A, accessGroupId: groupId })).to.deep.equal([]);
    });

    it("update adds and removes only this stack's members", async function () {
        const [a1, a2, b1] = await serviceIds(3, "upd");
        const p = await provider();
        const mine = (await p.create(inputs([a1, a2]))).outs as AccessGroupMembershipState;
        await p.create(inputs([b1]));
        // WHEN this stack drops a2 and keeps a1
        const { outs } = await p.update(mine.groupId, mine, inputs([a1]));
        // THEN a2 left; the other stack's b1 stayed
        expect((outs as AccessGroupMembershipState).members).to.deep.equal([a1]);
        const live = (await client.listAccessGroupMembers(mine.groupId))!.map((m) => m.iam_id).sort();
        expect(live).to.deep.equal([a1, b1].sort());
    });

    it("the diff names the members as an in-place change, and a new scope as a replace", async function () {
        const [a1, a2] = await serviceIds(2, "diff");
        const p = await provider();
        const { outs } = await p.create(inputs([a1]));
        const state = outs as AccessGroupMembershipState;
        expect(await p.diff(state.groupId, state, inputs([a1, a2]))).to.deep.equal({
            changes: true,
            replaces: [],
        });
        expect(await p.diff(state.groupId, state, inputs([a1]))).to.deep.equal({
            changes: false,
            replaces: [],
        });
        expect(
            await p.diff(state.groupId, state, {
                ...inputs([a1]),
                role: "Writer",
                groupName: "icr-writer-x",
            }),
        ).to.deep.equal({ changes: true, replaces: ["groupName", "role"] });
    });

    it("rejects at check, and refuses at create, a group of that name the library did not make", async function () {
        // GIVEN a group of the name, made by hand
        const hand = await client.createAccessGroup({
            accountId: ACCOUNT_A,
            name: GROUP,
            description: "ours, by hand",
        });
        const [a1] = await serviceIds(1, "foreign");
        const p = await provider();
        // WHEN previewed
        const failures = (await p.check({}, inputs([a1]))).failures ?? [];
        // THEN the failure names the group, the setting and the way out
        expect(failures).to.have.length(1);
        expect(failures[0].property).to.equal("groupName");
        expect(failures[0].reason).to.contain(`IAM access group "${GROUP}" (${hand.id}) already exists`);
        expect(failures[0].reason).to.contain("carries no shared-group mark");
        expect(failures[0].reason).to.contain("`accessGroups`");
        expect(failures[0].reason).to.contain('{ namePrefix: "<prefix>" }');
        // AND a create refuses too, adding no member and no policy
        const err = await rejection(p.create(inputs([a1])));
        expect(err.message).to.contain("never uses, changes or deletes a group it did not make");
        expect(await client.listAccessGroupMembers(hand.id)).to.deep.equal([]);
        expect(await client.listPolicies({ accountId: ACCOUNT_A, accessGroupId: hand.id })).to.deep.equal([]);
        // AND a delete of a membership in it removes our member but never the group
        await client.addMembersToAccessGroup(hand.id, [a1]);
        await p.delete(hand.id, {
            ...inputs([a1]),
            groupId: hand.id,
            accountId: ACCOUNT_A,
            policyIds: [],
        });
        expect((await client.getAccessGroup(hand.id))?.id).to.equal(hand.id);
        await client.deleteAccessGroup(hand.id);
    });

    it("a group deleted by hand is made again by the next update, and the delete leaves the group state names", async function () {
        const [a1] = await serviceIds(1, "remade");
        const p = await provider();
        const first = (await p.create(inputs([a1]))).outs as AccessGroupMembershipState;
        // Someone deletes the group, members and all.
        await client.removeMemberFromAccessGroup(first.groupId, a1);
        expect(await client.deleteAccessGroup(first.groupId)).to.equal(true);
        expect((await p.read(first.groupId, first)).id).to.equal("");
        const { outs } = await p.update(first.groupId, first, inputs([a1]));
        const again = outs as AccessGroupMembershipState;
        expect(again.groupId).not.to.equal(first.groupId);
        expect((await client.listAccessGroupMembers(again.groupId))!.map((m) => m.iam_id)).to.deep.equal([
            a1,
        ]);
        // The engine still calls the resource by its first id; state names the group now held.
        await p.delete(first.groupId, again);
        expect(await client.getAccessGroup(again.groupId)).to.equal(undefined);
        expect(
            await client.listPolicies({ accountId: ACCOUNT_A, accessGroupId: again.groupId }),
        ).to.deep.equal([]);
    });

    it("a group another stack joined after our look survives our leaving", async function () {
        const [a1, b1] = await serviceIds(2, "race");
        const p = await provider();
        const mine = (await p.create(inputs([a1]))).outs as AccessGroupMembershipState;
        // Another stack's member arrives; our delete must see it.
        await client.addMembersToAccessGroup(mine.groupId, [b1]);
        await p.delete(mine.groupId, mine);
        expect((await client.listAccessGroupMembers(mine.groupId))!.map((m) => m.iam_id)).to.deep.equal([b1]);
        expect(
            await client.listPolicies({ accountId: ACCOUNT_A, accessGroupId: mine.groupId }),
        ).to.have.length(2);
    });

    for (const mode of ["status", "reset", "stall"] as LostResponseMode[]) {
        it(`a create whose group answer is lost (${mode}) leaves one group, the marked one`, async function () {
            const [a1] = await serviceIds(1, `lost-${mode}`);
            const p = await provider(LOSSY);
            const before = iam.counters().createAccessGroup ?? 0;
            iam.injectFault({
                kind: "lostResponse",
                mode,
                stallMs: 1_000,
                method: "POST",
                pathPrefix: "/v2/groups",
            });
            const { outs } = await p.create(inputs([a1]));
            const state = outs as AccessGroupMembershipState;
            const all = (await groupsNamed()) as { name: string; id: string }[] | undefined;
            const named = (all ?? []).filter((g) => g.name === GROUP).map((g) => g.id);
            // One group of the name, whichever way the state dump spells it; ours.
            if (all !== undefined) expect(named).to.deep.equal([state.groupId]);
            expect((await client.findAccessGroupByName(ACCOUNT_A, GROUP))?.id).to.equal(state.groupId);
            expect((await client.listAccessGroupMembers(state.groupId))!.map((m) => m.iam_id)).to.deep.equal([
                a1,
            ]);
            // IAM made it once: the retry met the lost attempt's group as a 409 and took it.
            expect((iam.counters().createAccessGroup ?? 0) - before).to.equal(1);
        });
    }

    it("a create that meets a lost policy answer takes the marked policy, not a second one", async function () {
        const [a1] = await serviceIds(1, "lost-policy");
        const p = await provider(LOSSY);
        iam.injectFault({
            kind: "lostResponse",
            mode: "status",
            stallMs: 1_000,
            method: "POST",
            pathPrefix: "/v1/policies",
        });
        const { outs } = await p.create(inputs([a1]));
        const state = outs as AccessGroupMembershipState;
        const policies = await client.listPolicies({ accountId: ACCOUNT_A, accessGroupId: state.groupId });
        expect(policies.map((x) => x.id).sort()).to.deep.equal([...state.policyIds].sort());
        expect(policies).to.have.length(2);
    });
});
