// A namespace's image policy following its registry access, and the warnings where the two disagree.
import { expect } from "chai";
import {
    accessPolicyMismatches,
    namespaceImagePolicyProblems,
    namespaceImageRules,
    pullablePatterns,
} from "../../components/portieris/namespaceImagePolicy";

describe("namespace image policy from registry access", function () {
    it("admits by default exactly the domains and registry namespace the namespace pulls from", function () {
        expect(
            pullablePatterns({ regions: ["eu-de"], includeGlobal: false, registryNamespace: "team-a" }),
        ).to.deep.equal(["de.icr.io/team-a/*"]);
        expect(pullablePatterns({ regions: ["us-south"] })).to.deep.equal(["icr.io/*", "us.icr.io/*"]);
        expect(
            pullablePatterns({ regions: ["eu-de"], includeGlobal: false, endpoints: "both" }),
        ).to.deep.equal(["de.icr.io/*", "private.de.icr.io/*"]);
    });

    it("adds the user's patterns after the defaults, or uses only them", function () {
        const scope = { regions: ["eu-de"], includeGlobal: false, registryNamespace: "team-a" };
        expect(
            namespaceImageRules(scope, { repositories: ["de.icr.io/team-a/*", "icr.io/ibm/*"] }).repositories,
        ).to.deep.equal(["de.icr.io/team-a/*", "icr.io/ibm/*"]);
        expect(
            namespaceImageRules(scope, { admitPullableImages: false, repositories: ["de.icr.io/team-a/web"] })
                .repositories,
        ).to.deep.equal(["de.icr.io/team-a/web"]);
    });

    it("warns when access and policy disagree, either way", function () {
        const scope = { regions: ["eu-de"], includeGlobal: false, registryNamespace: "team-a" };
        expect(accessPolicyMismatches("f", scope, namespaceImageRules(scope, {}))).to.deep.equal([]);
        const narrow = accessPolicyMismatches("f", scope, { repositories: ["de.icr.io/team-a/web"] });
        expect(narrow).to.have.length(1);
        expect(narrow[0]).to.contain(
            "the namespace can pull from de.icr.io/team-a/, but its image policy admits none of those images",
        );
        const wide = accessPolicyMismatches("f", scope, {
            repositories: ["de.icr.io/team-a/*", "us.icr.io/team-a/*", "de.icr.io/team-b/*"],
        });
        expect(wide).to.have.length(2);
        expect(wide[0]).to.contain(
            '"us.icr.io/team-a/*" admits images from us.icr.io, but the namespace has no pull access there',
        );
        expect(wide[1]).to.contain('"de.icr.io/team-b/*" admits registry namespace "team-b"');
    });

    it("reports bad patterns under the namespace's imagePolicy field, at the user's index", function () {
        const problems = namespaceImagePolicyProblems(
            {
                "team-a": {
                    regions: ["eu-de"],
                    includeGlobal: false,
                    imagePolicy: { repositories: ["fr.icr.io/x/*"] },
                },
                web: { identity: "shop", imagePolicy: true },
                off: { imagePolicy: false },
            },
            { shop: { regions: ["us-south"] } },
        );
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(
            /^namespaces\.team-a\.imagePolicy\.repositories\[0\]: "fr\.icr\.io" is not an IBM Cloud/,
        );
    });
});
