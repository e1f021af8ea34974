// One rule for what an identity is granted and which domains get pull secrets
// (registryDomains.ts policyLocations, resolveRegistryDomains; namespacePullSecrets.ts
// selectionWithin, ungrantedDomainProblems), checked over every selection fast-check makes.
import { expect } from "chai";
import fc from "fast-check";
import { IdentityGrant } from "../../components/internal/identityGrants";
import { selectionWithin, ungrantedDomainProblems } from "../../components/k8s/namespacePullSecrets";
import {
    findRegion,
    policyLocations,
    RegistryDomainSelection,
    resolveRegistryDomains,
} from "../../components/shared/registry/registryDomains";
import { REGISTRY_REGIONS } from "../../components/shared/registry/registryRegions";

/** Every spelling of each region: IAM name, domain prefix, former name. */
const spellings = REGISTRY_REGIONS.map((r) =>
    [r.iamRegion, r.prefix, r.formerName].filter((s): s is string => s !== undefined && s !== ""),
);
/** A valid selection: distinct regions in any spelling (or none given), includeGlobal, endpoints. */
const selection: fc.Arbitrary<RegistryDomainSelection> = fc
    .record({
        picks: fc.option(
            fc.uniqueArray(fc.integer({ min: 0, max: spellings.length - 1 }), { maxLength: 6 }),
            { nil: undefined },
        ),
        spelling: fc.nat(),
        includeGlobal: fc.constantFrom(undefined, true, false),
        endpoints: fc.constantFrom(undefined, "public", "private", "both"),
    })
    .map(({ picks, spelling, includeGlobal, endpoints }) => ({
        regions: picks?.map((i) => spellings[i][spelling % spellings[i].length]),
        includeGlobal,
        endpoints,
    }))
    .filter((s) => !(s.regions?.length === 0 && s.includeGlobal !== true));

const grantOf = (sel: RegistryDomainSelection): IdentityGrant => ({
    identity: "id",
    locations: policyLocations(sel),
    settings: JSON.stringify(sel),
});
const regionsOf = (sel: RegistryDomainSelection) =>
    new Set(resolveRegistryDomains(sel).map((d) => d.iamRegion));

describe("one rule for grants and pull secrets", function () {
    it("policyLocations: each region by its IAM name, in order, then global unless includeGlobal is false", function () {
        expect(policyLocations({ regions: ["de", "ap-south"] })).to.deep.equal(["eu-de", "au-syd", "global"]);
        expect(policyLocations({ regions: ["global", "us"] })).to.deep.equal(["global", "us-south"]);
        expect(policyLocations({ regions: ["us"], includeGlobal: false })).to.deep.equal(["us-south"]);
        expect(policyLocations({ regions: [], includeGlobal: true })).to.deep.equal(["global"]);
        expect(policyLocations({ includeGlobal: false })).to.equal(undefined);
    });

    it("a selection's pull secrets cover exactly the regions its identity is granted (every region when omitted)", function () {
        fc.assert(
            fc.property(selection, (sel) => {
                const granted = policyLocations(sel);
                const secrets = regionsOf(sel);
                if (granted === undefined) {
                    // One unscoped policy: every secret is covered; icr.io only if not excluded.
                    expect(secrets.size).to.equal(sel.includeGlobal === false ? 12 : 13);
                } else {
                    expect([...secrets].sort()).to.deep.equal([...new Set(granted)].sort());
                }
            }),
        );
    });

    it("pull secrets fed from an identity follow it when nothing is chosen, and are never refused then", function () {
        fc.assert(
            fc.property(selection, fc.constantFrom(undefined, "public", "both"), (idSel, endpoints) => {
                const grant = grantOf(idSel);
                const sel = selectionWithin(grant, { endpoints });
                const domains = resolveRegistryDomains(sel);
                expect(ungrantedDomainProblems(grant, sel, domains)).to.deep.equal([]);
                const granted = grant.locations ?? REGISTRY_REGIONS.map((r) => r.iamRegion);
                // Exactly what it grants (an identity of every region grants icr.io too).
                expect([...new Set(domains.map((d) => d.iamRegion))].sort()).to.deep.equal(
                    [...new Set(granted)].sort(),
                );
            }),
        );
    });

    it("any selection the program makes is refused exactly when it names a registry the identity lacks", function () {
        fc.assert(
            fc.property(selection, selection, (idSel, pullSel) => {
                const grant = grantOf(idSel);
                if (
                    grant.locations?.every((l) => l === "global") &&
                    pullSel.regions === undefined &&
                    pullSel.includeGlobal === false
                ) {
                    // icr.io only, less icr.io: nothing is left, and that is said.
                    expect(() => selectionWithin(grant, pullSel)).to.throw(
                        "includeGlobal: false leaves no registry",
                    );
                    return;
                }
                const sel = selectionWithin(grant, pullSel);
                const domains = resolveRegistryDomains(sel);
                const problems = ungrantedDomainProblems(grant, sel, domains);
                const lacking = domains.filter(
                    (d) => grant.locations !== undefined && !grant.locations.includes(d.iamRegion),
                );
                expect(problems.length > 0).to.equal(lacking.length > 0);
                for (const d of lacking) {
                    const region = findRegion(d.iamRegion)!;
                    expect(problems.join("\n")).to.contain(
                        region.prefix === "" ? "icr.io" : `region ${region.iamRegion}`,
                    );
                }
            }),
        );
    });
});
