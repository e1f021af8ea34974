import { expect } from "chai";
import * as fc from "fast-check";
import {
    CLAIMS_ANNOTATION,
    CLAIMS_UID_ANNOTATION,
    claimOriginOf,
    Claims,
    claimsIncarnation,
    entryNames,
    formatClaims,
    ManagedFieldsEntry,
    namesHeldByAppliers,
    namesHeldByOthers,
    newClaimId,
    parseClaims,
    PullSecretEntry,
    ReconcileRequest,
    reconcilePullSecrets,
    serviceAccountView,
} from "../../../components/shared/imagePullSecretList";

const names = (entries: readonly PullSecretEntry[]) => entryNames(entries);
/** The live account's uid in these tests; claims and state recorded on it unless a test says otherwise. */
const UID = "7c0e5c1a-0000-4000-8000-000000000001";
const reconcile = (
    entries: PullSecretEntry[],
    claims: Claims,
    claimId: string,
    wanted: string[],
    owned: string[] = [],
    over: Partial<ReconcileRequest> = {},
) =>
    reconcilePullSecrets({
        entries,
        claims,
        // as on the API server: the uid annotation is written with the claims, and removed with the last
        claimsUid: formatClaims(claims) === undefined ? undefined : UID,
        uid: UID,
        heldByAppliers: [],
        claimId,
        wanted,
        owned,
        ownedUid: UID,
        absorb: wanted.length > 0,
        ...over,
    });

/** Multiset inclusion: every entry of `part` occurs in `whole` at least as often. */
function includesAll(whole: readonly PullSecretEntry[], part: readonly PullSecretEntry[]): boolean {
    const count = (list: readonly PullSecretEntry[]) => {
        const m = new Map<string, number>();
        for (const e of list) m.set(JSON.stringify(e), (m.get(JSON.stringify(e)) ?? 0) + 1);
        return m;
    };
    const w = count(whole);
    return [...count(part)].every(([k, n]) => (w.get(k) ?? 0) >= n);
}

describe("imagePullSecrets reconcile", function () {
    it("appends our names after the existing entries and claims them", function () {
        const r = reconcile([{ name: "someone-else" }], {}, "c1", ["team-a-us-icr-io", "team-a-icr-io"]);
        expect(r.entries).to.deep.equal([
            { name: "someone-else" },
            { name: "team-a-us-icr-io" },
            { name: "team-a-icr-io" },
        ]);
        expect(r.claims).to.deep.equal({ c1: ["team-a-us-icr-io", "team-a-icr-io"] });
        expect(r.added).to.deep.equal(["team-a-us-icr-io", "team-a-icr-io"]);
        expect(r.changed).to.equal(true);
    });

    it("never claims or removes a name that was already there unclaimed", function () {
        const before = [{ name: "all-icr-io" }];
        const added = reconcile(before, {}, "c1", ["all-icr-io"]);
        expect(added.entries).to.deep.equal(before);
        expect(added.owned).to.deep.equal([]);
        expect(added.changed).to.equal(false);
        const released = reconcile(added.entries, added.claims, "c1", [], added.owned);
        expect(released.entries).to.deep.equal(before);
    });

    it("shares a name another claim added, and keeps it when either claim lets go", function () {
        const a = reconcile([], {}, "a", ["x"]);
        const b = reconcile(a.entries, a.claims, "b", ["x"]);
        expect(b.entries).to.deep.equal([{ name: "x" }]);
        expect(b.claims).to.deep.equal({ a: ["x"], b: ["x"] });
        const aGone = reconcile(b.entries, b.claims, "a", [], a.owned);
        expect(aGone.entries).to.deep.equal([{ name: "x" }]);
        expect(aGone.claims).to.deep.equal({ b: ["x"] });
        const bGone = reconcile(aGone.entries, aGone.claims, "b", [], b.owned);
        expect(bGone.entries).to.deep.equal([]);
        expect(bGone.claims).to.deep.equal({});
    });

    it("on update removes only our names no longer wanted and adds the new ones", function () {
        const first = reconcile([{ name: "someone-else" }], {}, "c", ["old", "kept"]);
        const second = reconcile(first.entries, first.claims, "c", ["kept", "new"], first.owned);
        expect(names(second.entries)).to.deep.equal(["someone-else", "kept", "new"]);
        expect(second.removed).to.deep.equal(["old"]);
        expect(second.added).to.deep.equal(["new"]);
        expect(second.claims).to.deep.equal({ c: ["kept", "new"] });
    });

    it("falls back on its own state when the claims annotation was lost", function () {
        const r = reconcile([{ name: "f" }, { name: "mine" }], {}, "c", [], ["mine"]);
        expect(names(r.entries)).to.deep.equal(["f"]);
    });

    it("adds back our entry after someone removed it", function () {
        const r = reconcile([{ name: "f" }], { c: ["mine"] }, "c", ["mine"], ["mine"]);
        expect(names(r.entries)).to.deep.equal(["f", "mine"]);
        expect(r.added).to.deep.equal(["mine"]);
    });

    it("keeps unknown fields and nameless entries of foreign entries", function () {
        const odd = [{ name: "f", extra: 1 }, {}];
        const r = reconcile(odd, {}, "c", ["mine"]);
        expect(r.entries).to.deep.equal([{ name: "f", extra: 1 }, {}, { name: "mine" }]);
    });

    describe("properties", function () {
        const name: fc.Arbitrary<string> = fc.constantFrom("a", "b", "c", "d", "e", "f");
        const entries = fc.array(
            name.map((n) => ({ name: n }) as PullSecretEntry),
            { maxLength: 6 },
        );
        const wanted = fc.array(name, { maxLength: 4 });
        const otherClaims = fc.dictionary(
            fc.constantFrom("o1", "o2"),
            fc.uniqueArray(name, { maxLength: 3 }),
        );

        it("keeps every foreign entry, whatever we want", function () {
            fc.assert(
                fc.property(entries, otherClaims, wanted, wanted, (start, claims, first, second) => {
                    const a = reconcile(start, claims, "me", first);
                    const b = reconcile(a.entries, a.claims, "me", second, a.owned);
                    const c = reconcile(b.entries, b.claims, "me", [], b.owned);
                    // Entries present at the start that no claim held are foreign.
                    const held = new Set(Object.values(claims).flat());
                    const foreign = start.filter((e) => !held.has(e.name!));
                    for (const r of [a, b, c]) expect(includesAll(r.entries, foreign)).to.equal(true);
                }),
            );
        });

        it("lists every wanted name exactly once more than zero, never duplicating", function () {
            fc.assert(
                fc.property(entries, otherClaims, wanted, (start, claims, want) => {
                    const r = reconcile(start, claims, "me", want);
                    for (const n of want) {
                        const before = start.filter((e) => e.name === n).length;
                        expect(r.entries.filter((e) => e.name === n).length).to.equal(Math.max(1, before));
                    }
                }),
            );
        });

        it("is idempotent: a second run changes nothing", function () {
            fc.assert(
                fc.property(entries, otherClaims, wanted, (start, claims, want) => {
                    const once = reconcile(start, claims, "me", want);
                    const twice = reconcile(
                        once.entries,
                        parseClaims(formatClaims(once.claims)),
                        "me",
                        want,
                        once.owned,
                        { claimsUid: once.claimsUid },
                    );
                    expect(twice.changed).to.equal(false);
                    expect(twice.entries).to.deep.equal(once.entries);
                    expect(twice.owned).to.deep.equal(once.owned);
                }),
            );
        });

        it("restores the original list when we let go of everything we added", function () {
            fc.assert(
                fc.property(entries, wanted, (start, want) => {
                    const added = reconcile(start, {}, "me", want);
                    const released = reconcile(added.entries, added.claims, "me", [], added.owned);
                    expect(released.entries).to.deep.equal(start);
                    expect(released.claims).to.deep.equal({});
                }),
            );
        });

        it("removes only names we own", function () {
            fc.assert(
                fc.property(entries, otherClaims, wanted, wanted, (start, claims, first, second) => {
                    const a = reconcile(start, claims, "me", first);
                    const b = reconcile(a.entries, a.claims, "me", second, a.owned);
                    for (const n of b.removed) expect(a.owned).to.include(n);
                }),
            );
        });
    });
});

describe("imagePullSecrets claims: incarnations, server-side appliers, lost creates", function () {
    const OLD_UID = "7c0e5c1a-0000-4000-8000-0000000000aa";

    it("removes nothing from a re-created account that lists our name itself", function () {
        // GIVEN we added team-icr-io to the account with uid OLD_UID (our state says so), and
        // GitOps deleted the account and re-created it (new uid, no annotations) listing team-icr-io
        const live = [{ name: "team-icr-io" }];
        // WHEN we release everything (destroy) or no longer want it (update)
        const gone = reconcile(live, {}, "me", [], ["team-icr-io"], {
            claimsUid: undefined,
            ownedUid: OLD_UID,
        });
        const moved = reconcile(live, {}, "me", ["other"], ["team-icr-io"], {
            claimsUid: undefined,
            ownedUid: OLD_UID,
        });
        // THEN the new account's entry stays, and it is not ours
        expect(names(gone.entries)).to.deep.equal(["team-icr-io"]);
        expect(gone.removed).to.deep.equal([]);
        expect(gone.changed).to.equal(false);
        expect(names(moved.entries)).to.deep.equal(["team-icr-io", "other"]);
        expect(moved.owned).to.deep.equal(["other"]);
    });

    it("ignores claims copied onto a re-created account with its old annotations, and drops them", function () {
        // GIVEN the account was restored from a backup: our claim and its uid annotation came
        // along, but the object (its uid) is new
        const live = [{ name: "someone-else" }, { name: "mine" }];
        const copied = { me: ["mine"], other: ["mine"] };
        const r = reconcile(live, copied, "me", [], ["mine"], { claimsUid: OLD_UID, ownedUid: OLD_UID });
        expect(claimsIncarnation({ claimsUid: OLD_UID, uid: UID })).to.equal("stale");
        expect(names(r.entries)).to.deep.equal(["someone-else", "mine"]);
        expect(r.claims).to.deep.equal({});
        expect(r.claimsUid).to.equal(undefined);
        expect(r.changed, "the stale annotations are removed").to.equal(true);
    });

    it("trusts a claim written before uids were recorded only when its state saw the same account", function () {
        const live = [{ name: "mine" }];
        const legacy = { me: ["mine"] };
        const sameAccount = reconcile(live, legacy, "me", [], [], { claimsUid: undefined, ownedUid: UID });
        expect(names(sameAccount.entries)).to.deep.equal([]);
        const otherAccount = reconcile(live, legacy, "me", [], [], {
            claimsUid: undefined,
            ownedUid: OLD_UID,
        });
        expect(names(otherAccount.entries)).to.deep.equal(["mine"]);
        // and another resource's legacy claim still holds its names
        const shared = reconcile(live, { other: ["mine"] }, "me", [], ["mine"], { claimsUid: undefined });
        expect(names(shared.entries)).to.deep.equal(["mine"]);
        expect(shared.claims).to.deep.equal({ other: ["mine"] });
        expect(shared.claimsUid).to.equal(UID);
    });

    it("gives up a name a server-side applier holds: it leaves our claim and stays on the list", function () {
        // GIVEN we added x and y, and another field manager then applied a list holding x
        const added = reconcile([{ name: "all-icr-io" }], {}, "me", ["x", "y"]);
        const held = { heldByAppliers: ["all-icr-io", "x"] };
        // WHEN we update, still wanting both THEN x is no longer ours, y is
        const kept = reconcile(added.entries, added.claims, "me", ["x", "y"], added.owned, held);
        expect(kept.owned).to.deep.equal(["y"]);
        expect(kept.relinquished).to.deep.equal(["x"]);
        expect(kept.claims).to.deep.equal({ me: ["y"] });
        // WHEN we release everything THEN only y goes
        const released = reconcile(kept.entries, kept.claims, "me", [], kept.owned, held);
        expect(names(released.entries)).to.deep.equal(["all-icr-io", "x"]);
        // and even straight from the first state (the applier came after our last write)
        const direct = reconcile(added.entries, added.claims, "me", [], added.owned, held);
        expect(names(direct.entries)).to.deep.equal(["all-icr-io", "x"]);
        expect(direct.removed).to.deep.equal(["y"]);
    });

    it("absorbs a claim of its own origin left by a lost create, so orphans do not pile up", function () {
        // GIVEN a create wrote claim o1.aaaa and its response was lost; the rerun's create has o1.bbbb
        expect(newClaimId("o1", "aaaa")).to.equal("o1.aaaa");
        expect(newClaimId(undefined, "aaaa")).to.equal("aaaa");
        expect(claimOriginOf("o1.aaaa")).to.equal("o1");
        expect(claimOriginOf("3fa9c2d1e0b7")).to.equal(undefined);
        const lost = reconcile([{ name: "f" }], {}, "o1.aaaa", ["x", "y"]);
        const retried = reconcile(lost.entries, { ...lost.claims, other: ["x"], legacy9: ["z"] }, "o1.bbbb", [
            "x",
        ]);
        // THEN the orphan is gone, its names are ours, and what we no longer want goes with it
        expect(retried.absorbed).to.deep.equal(["o1.aaaa"]);
        expect(retried.claims).to.deep.equal({ other: ["x"], legacy9: ["z"], "o1.bbbb": ["x"] });
        expect(names(retried.entries)).to.deep.equal(["f", "x"]);
        // and a delete of ours then leaves the list as it began (x is still other's)
        const deleted = reconcile(retried.entries, retried.claims, "o1.bbbb", [], retried.owned);
        expect(names(deleted.entries)).to.deep.equal(["f", "x"]);
        expect(deleted.claims).to.deep.equal({ other: ["x"], legacy9: ["z"] });
    });

    it("in a replace on the same account, the predecessor's delete removes nothing its successor lists", function () {
        // GIVEN the old resource (o1.old) listed x and y; its replacement (o1.new) wants x only
        const old = reconcile([], {}, "o1.old", ["x", "y"]);
        const created = reconcile(old.entries, old.claims, "o1.new", ["x"]);
        expect(created.absorbed).to.deep.equal(["o1.old"]);
        expect(names(created.entries)).to.deep.equal(["x"]);
        // WHEN the old one is deleted (create-before-delete), from its state
        const deleted = reconcile(created.entries, created.claims, "o1.old", [], old.owned);
        // THEN x stays, held by the successor's claim
        expect(names(deleted.entries)).to.deep.equal(["x"]);
        expect(deleted.claims).to.deep.equal({ "o1.new": ["x"] });
    });

    it("records the live uid with the claims and removes it with the last claim", function () {
        const added = reconcile([], {}, "me", ["x"], [], { claimsUid: undefined, ownedUid: "" });
        expect(added.claimsUid).to.equal(UID);
        expect(added.changed).to.equal(true);
        const again = reconcile(added.entries, added.claims, "me", ["x"], added.owned);
        expect(again.changed).to.equal(false);
        const released = reconcile(again.entries, again.claims, "me", [], again.owned);
        expect(released.claimsUid).to.equal(undefined);
        expect(released.entries).to.deep.equal([]);
    });

    describe("namesHeldByAppliers (managedFields)", function () {
        const entries = [{ name: "all-icr-io" }, { name: "mine" }];
        const atomic = (manager: string, operation: string, extra: Partial<ManagedFieldsEntry> = {}) => ({
            manager,
            operation,
            fieldsType: "FieldsV1",
            fieldsV1: { "f:imagePullSecrets": {} },
            ...extra,
        });

        it("holds every listed name for an applier that owns the atomic list", function () {
            expect(namesHeldByAppliers([atomic("iks", "Apply")], entries, "pulumi-icr-access")).to.deep.equal(
                ["all-icr-io", "mine"],
            );
        });

        it("counts neither plain updates, nor our own manager, nor subresources, nor other fields", function () {
            const fields: ManagedFieldsEntry[] = [
                atomic("kubectl-edit", "Update"),
                atomic("pulumi-icr-access", "Apply"),
                atomic("iks", "Apply", { subresource: "status" }),
                { manager: "iks", operation: "Apply", fieldsV1: { "f:metadata": { "f:labels": {} } } },
            ];
            expect(namesHeldByAppliers(fields, entries, "pulumi-icr-access")).to.deep.equal([]);
            expect(namesHeldByAppliers(undefined, entries, "pulumi-icr-access")).to.deep.equal([]);
        });

        it("reads per-item ownership of a list keyed by name", function () {
            const granular: ManagedFieldsEntry = {
                manager: "iks",
                operation: "Apply",
                fieldsV1: {
                    "f:imagePullSecrets": {
                        'k:{"name":"all-icr-io"}': { ".": {} },
                        'k:{"name":"gone"}': {},
                        "k:{bad": {},
                    },
                },
            };
            expect(namesHeldByAppliers([granular], entries, "pulumi-icr-access")).to.deep.equal([
                "all-icr-io",
            ]);
        });
    });

    it("serviceAccountView: reads the list, both annotations, the uid and the appliers from the object", function () {
        const view = serviceAccountView(
            {
                metadata: {
                    uid: UID,
                    annotations: {
                        [CLAIMS_ANNOTATION]: '{"o1.a":["mine"]}',
                        [CLAIMS_UID_ANNOTATION]: UID,
                    },
                    managedFields: [
                        { manager: "iks", operation: "Apply", fieldsV1: { "f:imagePullSecrets": {} } },
                        {
                            manager: "pulumi-icr-access",
                            operation: "Update",
                            fieldsV1: { "f:imagePullSecrets": {} },
                        },
                    ],
                },
                imagePullSecrets: [{ name: "all-icr-io" }, { name: "mine" }],
            },
            "pulumi-icr-access",
        );
        expect(view).to.deep.equal({
            entries: [{ name: "all-icr-io" }, { name: "mine" }],
            claims: { "o1.a": ["mine"] },
            claimsUid: UID,
            uid: UID,
            heldByAppliers: ["all-icr-io", "mine"],
        });
    });

    it("namesHeldByOthers: what a writer that removes entries it did not add must leave alone", function () {
        const view = {
            entries: [],
            claims: { a: ["x"], b: ["y"] },
            claimsUid: UID,
            uid: UID,
            heldByAppliers: ["z"],
        };
        expect(namesHeldByOthers(view)).to.deep.equal(["x", "y", "z"]);
        expect(namesHeldByOthers(view, "a")).to.deep.equal(["y", "z"]);
        expect(namesHeldByOthers({ ...view, claimsUid: OLD_UID })).to.deep.equal(["z"]);
    });

    describe("properties", function () {
        const name: fc.Arbitrary<string> = fc.constantFrom("a", "b", "c", "d", "e");
        const entries = fc.array(
            name.map((n) => ({ name: n }) as PullSecretEntry),
            { maxLength: 6 },
        );
        const names4 = fc.uniqueArray(name, { maxLength: 4 });
        const uid = fc.constantFrom(UID, OLD_UID);
        const claimsUid = fc.constantFrom(UID, OLD_UID, undefined);

        it("removes only names this incarnation got from us, never one an applier or another claim holds", function () {
            fc.assert(
                fc.property(
                    entries,
                    names4,
                    names4,
                    names4,
                    names4,
                    uid,
                    claimsUid,
                    (start, mineClaimed, other, owned, appliers, ownedUid, cUid) => {
                        const claims = { "o1.me": mineClaimed, "o2.x": other };
                        const r = reconcile(start, claims, "o1.me", [], owned, {
                            claimsUid: cUid,
                            ownedUid,
                            heldByAppliers: appliers.filter((n) => start.some((e) => e.name === n)),
                        });
                        const live = cUid !== OLD_UID;
                        const ours = new Set([
                            ...(cUid === UID || ownedUid === UID ? mineClaimed : []),
                            ...(ownedUid === UID ? owned : []),
                        ]);
                        for (const n of r.removed) {
                            expect(ours.has(n), `${n} was ours`).to.equal(true);
                            expect(appliers, `${n} not an applier's`).not.to.include(n);
                            if (live) expect(other, `${n} not held by another claim`).not.to.include(n);
                        }
                    },
                ),
            );
        });
    });
});

describe("claims annotation", function () {
    it("formats sorted and parses back; malformed text reads as no claims", function () {
        expect(formatClaims({ b: ["y", "x", "x"], a: ["z"], c: [] })).to.equal('{"a":["z"],"b":["x","y"]}');
        expect(formatClaims({})).to.equal(undefined);
        expect(parseClaims('{"a":["z"],"b":["x","y"]}')).to.deep.equal({ a: ["z"], b: ["x", "y"] });
        expect(parseClaims("{not json")).to.deep.equal({});
        expect(parseClaims('["a"]')).to.deep.equal({});
        expect(parseClaims('{"a":"x","b":["y",3]}')).to.deep.equal({ b: ["y"] });
        expect(parseClaims(undefined)).to.deep.equal({});
    });
});
