import { expect } from "chai";
import * as fc from "fast-check";
import {
    Claims,
    entryNames,
    formatClaims,
    parseClaims,
    PullSecretEntry,
    reconcilePullSecrets,
} from "../../components/internal/imagePullSecretList";

const names = (entries: readonly PullSecretEntry[]) => entryNames(entries);
const reconcile = (
    entries: PullSecretEntry[],
    claims: Claims,
    claimId: string,
    wanted: string[],
    owned: string[] = [],
) => reconcilePullSecrets({ entries, claims, claimId, wanted, owned });

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
