import { expect } from "chai";
import * as fc from "fast-check";
import {
    checkNamespaceName,
    checkObjectName,
    isDns1123Label,
    isDns1123Subdomain,
    toDns1123,
} from "../../../components/shared/k8sNames";
import { copiedSecretName } from "../../../components/k8s/copiedPullSecrets";
import { planPullSecrets } from "../../../components/k8s/namespacePullSecrets";
import { resolveRegistryDomains } from "../../../components/shared/registry/registryDomains";
import { REGISTRY_REGIONS } from "../../../components/shared/registry/registryRegions";

const LABEL_RULE =
    'a DNS-1123 label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit';

describe("Kubernetes names", function () {
    it("accepts and rejects namespace names as the API server does", function () {
        for (const ok of ["default", "team-a", "a", "0", "a".repeat(63), "kube-system"]) {
            expect(isDns1123Label(ok), ok).to.equal(true);
        }
        for (const bad of ["", "Team", "team_a", "-a", "a-", "a.b", "a".repeat(64), "ü"]) {
            expect(isDns1123Label(bad), bad).to.equal(false);
        }
        expect(isDns1123Subdomain("default-us-icr-io")).to.equal(true);
        expect(isDns1123Subdomain("a.b-c.d")).to.equal(true);
        expect(isDns1123Subdomain("a..b")).to.equal(false);
        expect(isDns1123Subdomain("a".repeat(253))).to.equal(true);
        expect(isDns1123Subdomain("a".repeat(254))).to.equal(false);
    });

    it("explains a bad namespace name with the rule and a corrected suggestion", function () {
        expect(checkNamespaceName("namespace", "Team_A")).to.equal(
            `namespace: "Team_A" is not a valid Kubernetes namespace name (${LABEL_RULE}). Did you mean "team-a"?`,
        );
        expect(checkNamespaceName("targetNamespaces[1]", "")).to.equal(
            `targetNamespaces[1]: a Kubernetes namespace name is required (${LABEL_RULE}); got "".`,
        );
        expect(checkNamespaceName("namespace", "team-a")).to.equal(undefined);
        expect(checkObjectName("secretName", "Secret", "All_ICR")).to.equal(
            `secretName: "All_ICR" is not a valid Secret name (a DNS-1123 subdomain: at most 253 lower-case letters, digits, "-" and ".", ` +
                `each dot-separated part starting and ending with a letter or digit). Did you mean "all-icr"?`,
        );
    });

    it("toDns1123 always yields a valid label (or nothing)", function () {
        fc.assert(
            fc.property(fc.string({ maxLength: 100 }), (s) => {
                const out = toDns1123(s);
                expect(out === "" || isDns1123Label(out), JSON.stringify(out)).to.equal(true);
            }),
        );
    });
});

describe("pull secret names", function () {
    it("names per-domain secrets exactly as the runbook, private ones without collision", function () {
        const plan = planPullSecrets(
            "default",
            resolveRegistryDomains({ endpoints: "both", regions: ["us", "uk", "de", "au", "jp"] }),
            "perDomain",
        );
        expect(plan.map((p) => [p.key, p.secretName, p.hosts])).to.deep.equal([
            ["icr-io", "default-icr-io", ["icr.io"]],
            ["private-icr-io", "default-private-icr-io", ["private.icr.io"]],
            ["us-icr-io", "default-us-icr-io", ["us.icr.io"]],
            ["private-us-icr-io", "default-private-us-icr-io", ["private.us.icr.io"]],
            ["uk-icr-io", "default-uk-icr-io", ["uk.icr.io"]],
            ["private-uk-icr-io", "default-private-uk-icr-io", ["private.uk.icr.io"]],
            ["de-icr-io", "default-de-icr-io", ["de.icr.io"]],
            ["private-de-icr-io", "default-private-de-icr-io", ["private.de.icr.io"]],
            ["au-icr-io", "default-au-icr-io", ["au.icr.io"]],
            ["private-au-icr-io", "default-private-au-icr-io", ["private.au.icr.io"]],
            ["jp-icr-io", "default-jp-icr-io", ["jp.icr.io"]],
            ["private-jp-icr-io", "default-private-jp-icr-io", ["private.jp.icr.io"]],
        ]);
    });

    it("puts every domain into one all-icr-io secret in the combined layout, or a chosen name", function () {
        const domains = resolveRegistryDomains({ regions: ["us"], endpoints: "both" });
        expect(planPullSecrets("team-a", domains, "combined")).to.deep.equal([
            {
                key: "combined",
                secretName: "all-icr-io",
                hosts: ["icr.io", "private.icr.io", "us.icr.io", "private.us.icr.io"],
            },
        ]);
        expect(planPullSecrets("team-a", domains, "combined", "team-a-icr")[0].secretName).to.equal(
            "team-a-icr",
        );
    });

    it("keeps every per-domain name a valid, unique Secret name for any valid namespace", function () {
        const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
        const all = resolveRegistryDomains({ endpoints: "both" });
        expect(all).to.have.length(REGISTRY_REGIONS.length * 2);
        fc.assert(
            fc.property(label, (ns) => {
                const names = planPullSecrets(ns, all, "perDomain").map((p) => p.secretName);
                expect(new Set(names).size).to.equal(names.length);
                for (const n of names) {
                    expect(isDns1123Subdomain(n), n).to.equal(true);
                    expect(n.length).to.be.at.most(253);
                }
            }),
        );
    });

    it("renames copies as the runbook's sed does, only at the start of the name", function () {
        expect(copiedSecretName("default-us-icr-io", "default", "team-a", false)).to.equal(
            "team-a-us-icr-io",
        );
        expect(copiedSecretName("default-icr-io", "default", "team-a", false)).to.equal("team-a-icr-io");
        expect(copiedSecretName("all-icr-io", "default", "team-a", false)).to.equal("all-icr-io");
        expect(copiedSecretName("my-default-secret", "default", "team-a", false)).to.equal(
            "my-default-secret",
        );
        expect(copiedSecretName("default-us-icr-io", "default", "team-a", true)).to.equal(
            "default-us-icr-io",
        );
    });
});
