// The namespace selector: its checks, the API server's labelSelector text, and the local
// decision (explicit names win, exclusions by name and glob, terminating namespaces left out).
import { expect } from "chai";
import {
    globMatches,
    labelSelectorQuery,
    labelsMatch,
    namespaceSelectorProblems,
    selectedNamespaceNames,
} from "../../components/coverage/namespaceSelector";

describe("namespaceSelector", function () {
    it("refuses a selector without label conditions, and bad keys, operators and globs, naming the field", function () {
        expect(namespaceSelectorProblems("namespaceSelector", {}).join("\n")).to.match(
            /give matchLabels or matchExpressions.*every namespace/,
        );
        const problems = namespaceSelectorProblems("namespaceSelector", {
            matchLabels: { "bad key!": "x" },
            matchExpressions: [
                { key: "tier", operator: "Like" as never },
                { key: "env", operator: "In", values: [] },
                { key: "x", operator: "Exists", values: ["y"] },
            ],
            exclude: ["Kube_*"],
        });
        expect(problems).to.have.length(5);
        expect(problems[0]).to.match(/^namespaceSelector\.matchLabels: "bad key!" is not a label key/);
        expect(problems[1]).to.match(/^namespaceSelector\.matchExpressions\[0\]\.operator/);
        expect(problems[2]).to.match(
            /^namespaceSelector\.matchExpressions\[1\]\.values: "In" needs at least one value/,
        );
        expect(problems[3]).to.match(
            /^namespaceSelector\.matchExpressions\[2\]\.values: "Exists" takes no values/,
        );
        expect(problems[4]).to.match(/^namespaceSelector\.exclude\[0\]/);
        expect(
            namespaceSelectorProblems("s", {
                matchLabels: { "example.com/icr": "on" },
                exclude: ["kube-*", "ibm-system"],
            }),
        ).to.deep.equal([]);
    });

    it("writes the labelSelector the API server evaluates", function () {
        expect(
            labelSelectorQuery({
                matchLabels: { team: "a", "icr-access": "enabled" },
                matchExpressions: [
                    { key: "env", operator: "In", values: ["prod", "dev"] },
                    { key: "tier", operator: "NotIn", values: ["x"] },
                    { key: "owner", operator: "Exists" },
                    { key: "legacy", operator: "DoesNotExist" },
                ],
            }),
        ).to.equal("icr-access=enabled,team=a,env in (dev,prod),tier notin (x),owner,!legacy");
    });

    it("matches labels as the API server does", function () {
        const sel = {
            matchLabels: { a: "1" },
            matchExpressions: [{ key: "b", operator: "NotIn" as const, values: ["x"] }],
        };
        expect(labelsMatch(sel, { a: "1" })).to.equal(true);
        expect(labelsMatch(sel, { a: "1", b: "y" })).to.equal(true);
        expect(labelsMatch(sel, { a: "1", b: "x" })).to.equal(false);
        expect(labelsMatch(sel, { a: "2" })).to.equal(false);
    });

    it("leaves out explicit, excluded and terminating namespaces", function () {
        const ns = (name: string, labels: Record<string, string> = { icr: "on" }, phase = "Active") => ({
            metadata: { name, labels },
            status: { phase },
        });
        expect(
            selectedNamespaceNames(
                { matchLabels: { icr: "on" }, exclude: ["kube-*", "tmp-?"] },
                [
                    ns("web"),
                    ns("admin"),
                    ns("kube-system"),
                    ns("tmp-1"),
                    ns("tmp-12"),
                    ns("off", {}),
                    ns("going", undefined, "Terminating"),
                    ns("shop"),
                ],
                ["shop"],
            ),
        ).to.deep.equal(["admin", "tmp-12", "web"]);
        expect(globMatches("a*b?", "axxbc")).to.equal(true);
        expect(globMatches("a.b", "axb")).to.equal(false);
    });
});
