// The checks of what users write for a Portieris policy, and the spec it becomes.
import { expect } from "chai";
import { checkPattern } from "../../components/portieris/patternCheck";
import {
    checkDeclaration,
    checkImageRules,
    createdKeySecrets,
    existingKeySecrets,
    specOf,
} from "../../components/portieris/policyRules";
import { trustedContentDeclarations } from "../../components/portieris/trustedContent";

const problemsOf = (pattern: unknown, other: string[] = []) => checkPattern("p", pattern, other).problems;

describe("Portieris policy arguments", function () {
    describe("pattern syntax and hosts", function () {
        it("accepts IBM domains, wildcard IBM hosts and explicitly named other registries", function () {
            for (const ok of [
                "de.icr.io/team-a/*",
                "icr.io/ibm/*",
                "private.us.icr.io/team/app:1.0",
                "*.icr.io/team-a/*",
                "de.icr.io/team-a/app@sha256:" + "0".repeat(64),
            ]) {
                expect(problemsOf(ok), ok).to.deep.equal([]);
            }
            expect(problemsOf("quay.io/org/*", ["quay.io"])).to.deep.equal([]);
            expect(problemsOf("registry.example.com:5000/x/*", ["registry.example.com:5000"])).to.deep.equal(
                [],
            );
            expect(problemsOf("nginx", ["docker.io"])).to.deep.equal([]);
            expect(problemsOf("*", ["*"])).to.deep.equal([]);
        });

        it("refuses an unknown icr.io domain, naming the field and the likely domain", function () {
            const [p] = problemsOf("fr2.icr.io/team/*");
            expect(p).to.match(/^p: "fr2\.icr\.io" is not an IBM Cloud Container Registry domain/);
            expect(problemsOf("dee.icr.io/team/*")[0]).to.contain('Did you mean "de.icr.io"?');
        });

        it("refuses another registry unless otherRegistries names it", function () {
            expect(problemsOf("quay.io/org/*")[0]).to.contain('add "quay.io" to otherRegistries');
            expect(problemsOf("nginx")[0]).to.contain('Add "docker.io" to otherRegistries');
            expect(problemsOf("*")[0]).to.contain('add "*" to otherRegistries');
            expect(problemsOf("*/team/*")[0]).to.contain(
                "matches hosts outside IBM Cloud Container Registry",
            );
            expect(problemsOf("*icr.io/team/*")[0]).to.contain(
                "matches hosts outside IBM Cloud Container Registry",
            );
        });

        it("refuses the deprecated bluemix.net domains with their icr.io replacement", function () {
            expect(problemsOf("registry.eu-de.bluemix.net/team/*")[0]).to.contain('use "de.icr.io"');
        });

        it("refuses glob syntax Portieris does not have, schemes, ** and a trailing /", function () {
            expect(problemsOf("de.icr.io/team-?/*")[0]).to.contain('Portieris\'s only wildcard is "*"');
            expect(problemsOf("de.icr.io/team-[ab]/*")[0]).to.contain('only wildcard is "*"');
            expect(problemsOf("https://de.icr.io/team/*")[0]).to.contain('Write "de.icr.io/team/*"');
            expect(problemsOf("de.icr.io/team/**")[0]).to.contain('Write "de.icr.io/team/*"');
            expect(problemsOf("de.icr.io/team/")[0]).to.contain('Write "de.icr.io/team/*"');
            expect(problemsOf("")[0]).to.contain("a repository pattern is required");
            expect(problemsOf("de.icr.io/team a/*")[0]).to.contain("characters no image name has");
        });

        it("warns that a docker.io pattern does not match short names", function () {
            const f = checkPattern("p", "docker.io/library/*", ["docker.io"]);
            expect(f.problems).to.deep.equal([]);
            expect(f.warnings[0]).to.contain('"nginx:1.27" and "library/nginx" are not matched');
        });
    });

    describe("rules", function () {
        it("names the field of every problem, at once", function () {
            const { problems } = checkImageRules(
                "namespaces.team-a",
                {
                    repositories: ["de.icr.io/team-a/*", "de.icr.io/team-a/*", { name: "fr.icr.io/x/*" }],
                    signedBy: [{ keySecret: "Team_Key" }],
                    otherRegistries: ["not a host"],
                },
                { namespaced: true },
            );
            expect(problems).to.have.length(5);
            expect(problems.join("\n")).to.contain("namespaces.team-a.otherRegistries[0]:");
            expect(problems.join("\n")).to.contain(
                'namespaces.team-a.repositories[1]: "de.icr.io/team-a/*" is already listed as namespaces.team-a.repositories[0]',
            );
            expect(problems.join("\n")).to.contain("namespaces.team-a.repositories[2].name:");
            expect(problems.join("\n")).to.contain("namespaces.team-a.mutateImage: say whether");
            expect(problems.join("\n")).to.contain("namespaces.team-a.signedBy[0].keySecret:");
        });

        it("refuses an empty list, Notary for icr.io and reject with signatures", function () {
            expect(checkImageRules("", { repositories: [] }, { namespaced: true }).problems[0]).to.contain(
                "repositories: the list is empty, so every image would be denied",
            );
            const { problems } = checkImageRules(
                "",
                {
                    repositories: [
                        { name: "de.icr.io/a/*", trust: { enabled: true }, mutateImage: false },
                        {
                            name: "de.icr.io/b/*",
                            reject: true,
                            signedBy: [{ keySecret: "k" }],
                            mutateImage: true,
                        },
                    ],
                },
                { namespaced: true },
            );
            expect(problems[0]).to.match(
                /^repositories\[0\]\.trust: IBM's Notary .* discontinued in November 2021/,
            );
            expect(problems[1]).to.match(/^repositories\[1\]\.reject:/);
        });

        it("refuses the IKS add-on's own policy names", function () {
            const { problems } = trustedContentDeclarations({
                namespaces: { "team-a": { policyName: "default", repositories: ["de.icr.io/team-a/*"] } },
                clusterPolicies: { "ibm-signed-image-enforcement": { repositories: ["icr.io/ibm/*"] } },
            });
            expect(problems).to.have.length(2);
            expect(problems[0]).to.match(
                /^namespaces\.team-a\.policyName: "default" is the name of a policy the IKS add-on owns/,
            );
            expect(problems[1]).to.match(
                /^clusterPolicies \(key "ibm-signed-image-enforcement"\): .* IKS add-on owns/,
            );
        });

        it("asks for the namespace of a created key secret of a cluster policy", function () {
            const { problems } = checkDeclaration(
                { name: "policyName", rules: "" },
                "ClusterImagePolicy",
                "signed",
                undefined,
                {
                    repositories: ["de.icr.io/a/*"],
                    signedBy: [{ keySecret: "k", publicKey: "KEY" }],
                    mutateImage: true,
                },
            );
            expect(problems[0]).to.match(
                /^signedBy\[0\]\.keySecretNamespace: a ClusterImagePolicy's key secret/,
            );
        });
    });

    describe("the spec", function () {
        it("writes patterns, signedBy requirements, mutateImage and Vulnerability Advisor as Portieris reads them", function () {
            const rules = {
                repositories: [
                    "de.icr.io/team-a/*",
                    { name: "de.icr.io/team-a/legacy/*", reject: true },
                    { name: "de.icr.io/team-a/scanned/*", vulnerabilityAdvisor: { account: "acc" } },
                ],
                signedBy: [
                    { keySecret: "team-a-key", publicKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----" },
                    {
                        keySecret: "shared-key",
                        keySecretNamespace: "keys",
                        signedIdentity: { type: "matchRepository" as const },
                    },
                ],
                mutateImage: false,
            };
            expect(specOf(rules, "team-a")).to.deep.equal({
                repositories: [
                    {
                        name: "de.icr.io/team-a/*",
                        policy: {
                            simple: {
                                requirements: [
                                    {
                                        type: "signedBy",
                                        keySecret: "team-a-key",
                                        keySecretNamespace: "team-a",
                                    },
                                    {
                                        type: "signedBy",
                                        keySecret: "shared-key",
                                        keySecretNamespace: "keys",
                                        signedIdentity: { type: "matchRepository" },
                                    },
                                ],
                            },
                            mutateImage: false,
                        },
                    },
                    {
                        name: "de.icr.io/team-a/legacy/*",
                        policy: { simple: { requirements: [{ type: "reject" }] } },
                    },
                    {
                        name: "de.icr.io/team-a/scanned/*",
                        policy: { vulnerability: { ICCRVA: { enabled: true, account: "acc" } } },
                    },
                ],
            });
            expect([...createdKeySecrets(rules, "team-a").keys()]).to.deep.equal(["team-a/team-a-key"]);
            expect(existingKeySecrets(rules, "team-a", "namespaces.team-a")).to.deep.equal([
                { field: "namespaces.team-a.signedBy[1].keySecret", namespace: "keys", name: "shared-key" },
            ]);
        });

        it("writes a bare pattern as a name alone", function () {
            expect(specOf({ repositories: ["de.icr.io/a/*"] }, undefined)).to.deep.equal({
                repositories: [{ name: "de.icr.io/a/*" }],
            });
        });
    });
});
