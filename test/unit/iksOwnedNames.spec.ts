import { expect } from "chai";
import { iksOwnedNameProblems, isIksPullSecretName } from "../../components/k8s/iksOwnedNames";
import {
    CREATED_BY_ANNOTATION,
    GuardedObject,
    takeoverProblem,
} from "../../components/shared/k8s/createdByMark";
import { stackMark } from "../../components/ownership/legacyStackMark";

describe("names IKS owns", function () {
    it("knows IKS's pull secret names in default, and only there", function () {
        for (const n of ["all-icr-io", "default-icr-io", "default-us-icr-io", "default-private-jp-icr-io"])
            expect(isIksPullSecretName("default", n), n).to.equal(true);
        for (const n of ["icr-pull", "default-icr-io-copy", "all-icr-io-2", "team-us-icr-io"])
            expect(isIksPullSecretName("default", n), n).to.equal(false);
        expect(isIksPullSecretName("shop", "all-icr-io")).to.equal(false);
    });

    it("refuses a combined secret under IKS's name in default, naming the field, the conflict and the fix", function () {
        expect(
            iksOwnedNameProblems("namespaces.default", {
                namespace: "default",
                layout: "combined",
                secretName: "all-icr-io",
            }),
        ).to.deep.equal([
            `namespaces.default.secretName: "all-icr-io" in namespace "default" is a pull secret IKS itself writes and keeps ` +
                `up to date. This stack would take the existing Secret over, replace its credentials, and delete it on destroy. ` +
                `Set secretName to a name of your own (e.g. "icr-pull"), or leave IKS's secret to IKS and give this namespace no entry.`,
        ]);
        // the default combined name, and IKS's per-domain names given as secretName
        expect(iksOwnedNameProblems("", { namespace: "default", layout: "combined" })[0]).to.match(
            /^secretName: not set, so the combined secret would be "all-icr-io", which in namespace "default" is a pull secret IKS/,
        );
        expect(
            iksOwnedNameProblems("", {
                namespace: "default",
                layout: "combined",
                secretName: "default-us-icr-io",
            }),
        ).to.have.length(1);
    });

    it("lets the runbook's per-domain names, other names and other namespaces through (checked live instead)", function () {
        expect(iksOwnedNameProblems("namespaces.default", { namespace: "default" })).to.deep.equal([]);
        expect(
            iksOwnedNameProblems("namespaces.default", { namespace: "default", layout: "perDomain" }),
        ).to.deep.equal([]);
        expect(
            iksOwnedNameProblems("namespaces.default", {
                namespace: "default",
                layout: "combined",
                secretName: "icr-pull",
            }),
        ).to.deep.equal([]);
        expect(
            iksOwnedNameProblems("namespaces.shop", { namespace: "shop", layout: "combined" }),
        ).to.deep.equal([]);
        expect(
            iksOwnedNameProblems("namespaces.shop", { namespace: "shop", createNamespace: true }),
        ).to.deep.equal([]);
    });

    it("refuses createNamespace for namespaces every cluster has", function () {
        for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
            expect(
                iksOwnedNameProblems(`namespaces.${ns}`, { namespace: ns, createNamespace: true }),
            ).to.deep.equal([
                `namespaces.${ns}.createNamespace: namespace "${ns}" exists in every cluster. Creating it would make this stack ` +
                    `its owner, and destroy would delete it with everything in it. Remove createNamespace.`,
            ]);
        }
    });
});

describe("takeover guard (the decision)", function () {
    const owner = "0b7e6f5c-1d2a-4c3b-9e8f-7a6b5c4d3e2f";
    const legacy = stackMark("organization", "icr-access", "prod");
    const marks = [owner, legacy];
    const ns: GuardedObject = {
        kind: "Namespace",
        name: "shop",
        field: "namespaces.shop.createNamespace",
        consequence: "Remove createNamespace.",
    };

    it("lets through what does not exist, and what carries this stack's owner id or its old mark", function () {
        expect(takeoverProblem(ns, undefined, marks)).to.equal(undefined);
        expect(takeoverProblem(ns, { annotations: { [CREATED_BY_ANNOTATION]: owner } }, marks)).to.equal(
            undefined,
        );
        expect(takeoverProblem(ns, { annotations: { [CREATED_BY_ANNOTATION]: legacy } }, marks)).to.equal(
            undefined,
        );
    });

    it("refuses what exists and another stack, or no stack, created", function () {
        expect(takeoverProblem(ns, {}, marks)).to.equal(
            `namespaces.shop.createNamespace: namespace "shop" already exists and this stack did not create it ` +
                `(it carries no pulumi-icr-access/created-by mark). Nothing was created or changed. Remove createNamespace.`,
        );
        const other = stackMark("organization", "icr-access", "staging");
        expect(takeoverProblem(ns, { annotations: { [CREATED_BY_ANNOTATION]: other } }, marks)).to.equal(
            `namespaces.shop.createNamespace: namespace "shop" already exists and another stack created it ` +
                `(pulumi-icr-access/created-by: ${other}). Nothing was created or changed. Remove createNamespace.`,
        );
        const secret: GuardedObject = {
            kind: "Secret",
            namespace: "default",
            name: "default-us-icr-io",
            field: "layout",
            consequence: "Fix.",
        };
        expect(takeoverProblem(secret, {}, marks)).to.match(
            /^layout: Secret "default\/default-us-icr-io" already exists/,
        );
    });

    it("does not take a field manager's name for ownership: no mark is no mark", function () {
        expect(takeoverProblem(ns, {}, [])).to.match(/this stack did not create it/);
        expect(takeoverProblem(ns, { annotations: { [CREATED_BY_ANNOTATION]: owner } }, [])).to.match(
            /another stack created it/,
        );
    });
});
