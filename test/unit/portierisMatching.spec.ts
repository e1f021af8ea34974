// The evaluator of Portieris's pattern rules against a table of cases restated from Portieris's
// own tests (v0.14.2: helpers/wildcard/wildcard_test.go, pkg/apis/.../v1/types_test.go) and its
// documented behaviour: globs, host anchoring, tags, digests, Docker Hub short names,
// best-match precedence, and ImagePolicy over ClusterImagePolicy.
import { expect } from "chai";
import * as fc from "fast-check";
import { predictImage, policiesInForce } from "../../components/portieris/admissionPrediction";
import { imageHost, parseImage } from "../../components/portieris/imageReference";
import {
    bestRepositoryMatch,
    globMatches,
    globMatchesAnyTag,
    patternMatchesImage,
} from "../../components/portieris/patternMatch";
import { PolicyObject } from "../../components/portieris/types";

const imagePolicy = (namespace: string, name: string, ...patterns: string[]): PolicyObject => ({
    kind: "ImagePolicy",
    name,
    namespace,
    spec: { repositories: patterns.map((p) => ({ name: p })) },
});
const clusterPolicy = (name: string, ...patterns: string[]): PolicyObject => ({
    kind: "ClusterImagePolicy",
    name,
    spec: { repositories: patterns.map((p) => ({ name: p })) },
});

describe("Portieris pattern matching", function () {
    describe("whole-string glob (wildcard.Compare cases)", function () {
        const cases: [string, string, boolean][] = [
            ["", "", true],
            ["", "abcdefgh", false],
            ["abcdefgh", "abcdefgh", true],
            ["abcdefgh", "stuvwxyz", false],
            ["*", "stuvwxyz", true],
            ["*", "abcd*fgh", true],
            ["*wxyz", "stuvwxyz", true],
            ["*efgh", "stuvwxyz", false],
            ["s*wx*z", "stuvwxyz", true],
            ["a*de*h", "stuvwxyz", false],
            ["a*de*h", "abcwxyz", false],
            ["stuv*", "stuvwxyz", true],
            ["efgh*", "stuvwxyz", false],
            // "*" also matches the empty run and crosses "/".
            ["ab*", "ab", true],
            ["a*a", "a", false],
            ["de.icr.io/*", "de.icr.io/team/sub/app:1", true],
        ];
        for (const [pattern, value, expected] of cases) {
            it(`${JSON.stringify(pattern)} ${expected ? "matches" : "does not match"} ${JSON.stringify(value)}`, function () {
                expect(globMatches(pattern, value)).to.equal(expected);
            });
        }

        it("agrees with a regular-expression glob on random strings over a small alphabet", function () {
            const toRegex = (p: string) =>
                new RegExp(
                    `^${p
                        .split("*")
                        .map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
                        .join(".*")}$`,
                    "s",
                );
            fc.assert(
                fc.property(
                    fc.stringMatching(/^[ab*/:]{0,8}$/),
                    fc.stringMatching(/^[ab/:]{0,10}$/),
                    (pattern, value) => globMatches(pattern, value) === toRegex(pattern).test(value),
                ),
                { numRuns: 2000 },
            );
        });
    });

    describe("any tag (wildcard.CompareAnyTag cases)", function () {
        const cases: [string, string, boolean][] = [
            ["stuvwxyz", "stuvwxyz:latest", true],
            ["stuvwxyz:*", "stuvwxyz:latest", true],
            ["uk.icr.io/*", "uk.icr.io/imagesec-demo/alpinegood:demo", true],
            ["uk.icr.io/imagesec-demo/*", "uk.icr.io/imagesec-demo/alpinegood:demo", true],
            ["uk.icr.io/imagesec-demo/alpinegood", "uk.icr.io/imagesec-demo/alpinegood:demo", true],
            ["abcdefgh", "stuvwxyz:latest", false],
        ];
        for (const [pattern, value, expected] of cases) {
            it(`${pattern} ${expected ? "matches" : "does not match"} ${value}`, function () {
                expect(globMatchesAnyTag(pattern, value)).to.equal(expected);
            });
        }
    });

    describe("host anchoring (wildcard.CompareImageRef cases, v0.14.2)", function () {
        const admitted: [string, string][] = [
            ["*.registry.example.com/myorg/*", "us.registry.example.com/myorg/foo:latest"],
            ["*.registry.example.com/myrepo/*", "eu.registry.example.com/myrepo/node:v1"],
            ["*.registry.example.com/myrepo/*", "ap.registry.example.com/myrepo/control:v2"],
            ["registry*.example.com/myorg/*", "registry01.example.com/myorg/worker:v1"],
            ["registry.example.com/myorg/*", "registry.example.com/myorg/foo:latest"],
            ["*", "attacker.example.com/anything:latest"],
            ["trusted.example.com/*", "trusted.example.com/myorg/myimage:demo"],
        ];
        const denied: [string, string][] = [
            ["*.registry.example.com/myorg/*", "attacker.com/x.registry.example.com/myorg/malware:latest"],
            ["*.registry.example.com/myorg/*", "attacker.com/x.registry.example.com/myorg/malware"],
            ["registry*.example.com/myorg/*", "registry.attacker.com/x.example.com/myorg/evil"],
            ["*.registry.example.com/myrepo/*", "evil.io/fake.registry.example.com/myrepo/pwn:latest"],
            ["*.registry.example.com/myrepo/*", "evil.io/fake.registry.example.com/myrepo/pwn:v1"],
            ["registry.example.com/myorg/*", "evilreg.io/myorg/foo:latest"],
            ["trusted.example.com/*", "evil.io/trusted.example.com/myorg/myimage:demo"],
            // The same attack on IBM's domains.
            ["*.icr.io/team-a/*", "evil.example/x.icr.io/team-a/app:1"],
        ];
        for (const [pattern, image] of admitted) {
            it(`${pattern} admits ${image}`, function () {
                expect(patternMatchesImage(pattern, image)).to.equal(true);
            });
        }
        for (const [pattern, image] of denied) {
            it(`${pattern} does not admit ${image}`, function () {
                expect(patternMatchesImage(pattern, image)).to.equal(false);
            });
        }
    });

    describe("images as the pod spec writes them: tags, digests, Docker Hub short names", function () {
        const cases: [string, string, boolean][] = [
            // No tag in the pattern: any tag, and the image without one.
            ["de.icr.io/team-a/app", "de.icr.io/team-a/app", true],
            ["de.icr.io/team-a/app", "de.icr.io/team-a/app:1.0", true],
            ["de.icr.io/team-a/app", "de.icr.io/team-a/app-v2:1.0", false],
            // A tag in the pattern is exact.
            ["de.icr.io/team-a/app:1.0", "de.icr.io/team-a/app:1.1", false],
            // A digest is part of the string: a bare repository pattern does not match it ...
            ["de.icr.io/team-a/app", "de.icr.io/team-a/app@sha256:" + "a".repeat(64), false],
            // ... but a trailing "*" does, and so does a tag pattern before a digest.
            ["de.icr.io/team-a/app*", "de.icr.io/team-a/app@sha256:" + "a".repeat(64), true],
            ["de.icr.io/team-a/app", "de.icr.io/team-a/app:1.0@sha256:" + "a".repeat(64), true],
            ["de.icr.io/team-a/*", "de.icr.io/team-a/app@sha256:" + "a".repeat(64), true],
            // Short names are not expanded to docker.io/library/...
            ["docker.io/library/nginx", "nginx:1.27", false],
            ["docker.io/*", "library/nginx:1.27", false],
            ["docker.io/*", "bitnami/nginx", false],
            ["docker.io/library/nginx", "docker.io/library/nginx:1.27", true],
            ["nginx", "nginx:1.27", true],
            ["nginx", "library/nginx:1.27", false],
            // A pattern with a host never matches an image without one.
            ["de.icr.io/*", "app", false],
        ];
        for (const [pattern, image, expected] of cases) {
            it(`${pattern} ${expected ? "admits" : "does not admit"} ${image}`, function () {
                expect(patternMatchesImage(pattern, image)).to.equal(expected);
            });
        }

        it("finds the host Portieris looks up in a pull secret's auths", function () {
            expect(
                [
                    "de.icr.io/a/b:1",
                    "nginx",
                    "library/nginx",
                    "localhost:5000/x",
                    "registry.example.com:5000/x/y",
                ].map(imageHost),
            ).to.deep.equal(["de.icr.io", "docker.io", "docker.io", "localhost", "registry.example.com"]);
        });

        it("tells blank, unparsable and valid images apart", function () {
            expect(
                [
                    "",
                    "  ",
                    "de.icr.io/a/b:1",
                    "nginx",
                    "Nginx/UPPER",
                    "de.icr.io/a/b:1@sha256:abc",
                    "a b",
                    "de.icr.io/a/B",
                ].map(parseImage),
            ).to.deep.equal(["blank", "blank", "valid", "valid", "invalid", "valid", "invalid", "invalid"]);
        });
    });

    describe("best match (FindImagePolicy)", function () {
        it("returns nothing without policies, or when no pattern matches", function () {
            expect(bestRepositoryMatch([], "test.com/hello")).to.equal(undefined);
            expect(bestRepositoryMatch([imagePolicy("ns", "p", "test.com/*")], "unknown.com/hello")).to.equal(
                undefined,
            );
        });

        it("prefers an exact name, else the pattern with the most characters other than *", function () {
            const p = imagePolicy(
                "ns",
                "p",
                "de.icr.io/*",
                "de.icr.io/team-a/*",
                "de.icr.io/team-a/app",
                "*",
            );
            expect(bestRepositoryMatch([p], "de.icr.io/team-a/app")?.repository.name).to.equal(
                "de.icr.io/team-a/app",
            );
            expect(bestRepositoryMatch([p], "de.icr.io/team-a/app")?.exact).to.equal(true);
            // With a tag the bare name still matches (any tag), and it has the most literal characters.
            expect(bestRepositoryMatch([p], "de.icr.io/team-a/app:2")?.repository.name).to.equal(
                "de.icr.io/team-a/app",
            );
            expect(bestRepositoryMatch([p], "de.icr.io/team-a/web:2")?.repository.name).to.equal(
                "de.icr.io/team-a/*",
            );
            expect(bestRepositoryMatch([p], "de.icr.io/team-b/web:2")?.repository.name).to.equal(
                "de.icr.io/*",
            );
            expect(bestRepositoryMatch([p], "quay.io/x/y")?.repository.name).to.equal("*");
        });

        it("keeps the first of equally specific matches, across objects in name order", function () {
            const a = imagePolicy("ns", "a", "de.icr.io/team-a/*");
            const b = imagePolicy("ns", "b", "de.icr.io/*/app:*");
            // "de.icr.io/team-a/*" has 17 literal characters, "de.icr.io/*/app:*" 14.
            expect(bestRepositoryMatch([a, b], "de.icr.io/team-a/app:1")?.policy.name).to.equal("a");
            const c = imagePolicy("ns", "c", "de.icr.io/team-*/*");
            const d = imagePolicy("ns", "d", "de.icr.io/*-a/app*");
            expect(bestRepositoryMatch([c, d], "de.icr.io/team-a/app")?.policy.name).to.equal("c");
            expect(bestRepositoryMatch([d, c], "de.icr.io/team-a/app")?.policy.name).to.equal("d");
        });
    });

    describe("which policies count (GetPolicyToEnforce)", function () {
        const set = [
            clusterPolicy("open", "*"),
            clusterPolicy("shared", "us.icr.io/shared/*"),
            imagePolicy("team-a", "trusted-images", "de.icr.io/team-a/*"),
        ];

        it("uses only the namespace's ImagePolicies when it has any, sorted by name", function () {
            const inForce = policiesInForce(
                [...set, imagePolicy("team-a", "b-extra", "de.icr.io/extra/*")],
                "team-a",
            );
            expect(inForce.kind).to.equal("ImagePolicy");
            expect(inForce.objects.map((p) => p.name)).to.deep.equal(["b-extra", "trusted-images"]);
        });

        it("uses the ClusterImagePolicies in a namespace without any ImagePolicy", function () {
            expect(policiesInForce(set, "team-b").objects.map((p) => p.name)).to.deep.equal([
                "open",
                "shared",
            ]);
            expect(predictImage(set, "team-b", "quay.io/anything:1")).to.include({
                verdict: "admitted",
                pattern: "*",
            });
        });

        it("denies with no policy at all, or with no matching pattern", function () {
            expect(predictImage([], "x", "de.icr.io/a/b:1")).to.include({
                verdict: "denied",
                reason: "no-policy",
            });
            expect(predictImage([clusterPolicy("only", "us.icr.io/x/*")], "x", "de.icr.io/a/b:1")).to.include(
                {
                    verdict: "denied",
                    reason: "no-match",
                },
            );
        });

        it("reports an image a cluster policy would admit, in a namespace with its own policy, as shadowed", function () {
            const d = predictImage(set, "team-a", "us.icr.io/shared/tool:1");
            expect(d).to.include({ verdict: "denied", reason: "shadowed" });
            expect((d as { detail: string }).detail).to.contain("ImagePolicy team-a/trusted-images");
            expect((d as { detail: string }).detail).to.contain("ClusterImagePolicy shared");
            expect(predictImage(set, "team-a", "de.icr.io/team-a/api:1")).to.include({ verdict: "admitted" });
        });

        it("denies on a reject requirement and leaves signatures and vulnerabilities to Portieris", function () {
            const p: PolicyObject = {
                kind: "ClusterImagePolicy",
                name: "p",
                spec: {
                    repositories: [
                        { name: "de.icr.io/*" },
                        {
                            name: "de.icr.io/legacy/*",
                            policy: { simple: { requirements: [{ type: "reject" }] } },
                        },
                        {
                            name: "de.icr.io/signed/*",
                            policy: {
                                simple: { requirements: [{ type: "signedBy", keySecret: "team-key" }] },
                                vulnerability: { ICCRVA: { enabled: true } },
                            },
                        },
                    ],
                },
            };
            expect(predictImage([p], "n", "de.icr.io/legacy/app:1")).to.include({
                verdict: "denied",
                reason: "rejected",
            });
            const signed = predictImage([p], "n", "de.icr.io/signed/app:1") as {
                atAdmission: readonly string[];
            };
            expect(signed.atAdmission).to.deep.equal([
                "signature by the key in secret team-key: decided by Portieris at admission",
                "Vulnerability Advisor: decided by Portieris at admission",
            ]);
            expect(predictImage([p], "n", "de.icr.io/other/app:1")).to.deep.include({ atAdmission: [] });
        });

        it("skips blank images and denies unparsable ones", function () {
            expect(predictImage(set, "team-b", "")).to.include({ verdict: "skipped" });
            expect(predictImage(set, "team-b", "Not An Image")).to.include({
                verdict: "denied",
                reason: "invalid-image",
            });
        });
    });
});
