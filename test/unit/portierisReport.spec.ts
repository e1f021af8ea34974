// The enforcement preview's report over a cluster snapshot: which workloads the declared set
// would deny and why, which namespaces it covers, which live objects it replaces, its text and
// its refusal.
import { expect } from "chai";
import { ClusterSnapshot } from "../../components/portieris/clusterSnapshot";
import {
    buildEnforcementReport,
    denialRefusal,
    formatEnforcementReport,
    OWNER_LABEL,
    policySetAfterApply,
} from "../../components/portieris/enforcementReport";
import { ownerLabelValue } from "../../components/portieris/enforcementPreview";
import { PolicyObject } from "../../components/portieris/types";
import { Workload, workloadsOf } from "../../components/portieris/admittedWorkloads";

const OWNER = "proj.dev";
const ours = { "app.kubernetes.io/managed-by": "pulumi-icr-access", [OWNER_LABEL]: OWNER };
const deploy = (namespace: string, name: string, ...images: string[]): Workload => ({
    kind: "Deployment",
    namespace,
    name,
    containers: images.map((image, i) => ({ name: `c${i}`, image, init: false })),
});

describe("enforcement report", function () {
    const declared: PolicyObject[] = [
        {
            kind: "ImagePolicy",
            name: "trusted-images",
            namespace: "team-a",
            spec: { repositories: [{ name: "de.icr.io/team-a/*" }] },
            labels: ours,
        },
        {
            kind: "ClusterImagePolicy",
            name: "shared",
            spec: { repositories: [{ name: "us.icr.io/shared/*" }] },
            labels: ours,
        },
    ];
    const snapshot: ClusterSnapshot = {
        portierisServed: true,
        policies: [
            // The IKS add-on's own, kept as they are.
            {
                kind: "ImagePolicy",
                name: "default",
                namespace: "kube-system",
                spec: { repositories: [{ name: "*" }] },
            },
            // An older version of ours, replaced by the declared one.
            {
                kind: "ClusterImagePolicy",
                name: "shared",
                spec: { repositories: [{ name: "*" }] },
                labels: ours,
            },
            // One of ours this stack no longer declares: deleted by the update.
            {
                kind: "ClusterImagePolicy",
                name: "retired",
                spec: { repositories: [{ name: "*" }] },
                labels: ours,
            },
        ],
        workloads: [
            deploy("team-a", "api", "de.icr.io/team-a/api:1"),
            deploy("team-a", "web", "us.icr.io/other/web:1"),
            deploy("team-a", "tool", "us.icr.io/shared/tool:1"),
            {
                kind: "Job",
                namespace: "team-a",
                name: "migrate",
                containers: [
                    { name: "wait", image: "busybox:1.36", init: true },
                    { name: "run", image: "de.icr.io/team-a/migrate:1", init: false },
                ],
            },
            deploy("team-b", "svc", "us.icr.io/shared/svc:2"),
            deploy("team-b", "other", "quay.io/x/y:1"),
            deploy("kube-system", "dns", "quay.io/coredns:1"),
        ],
    };

    it("replaces same-named objects, drops this stack's undeclared ones and keeps everyone else's", function () {
        const set = policySetAfterApply(snapshot.policies, declared, OWNER);
        expect(set.map((p) => `${p.kind} ${p.namespace ?? ""}/${p.name}`)).to.deep.equal([
            "ImagePolicy kube-system/default",
            "ImagePolicy team-a/trusted-images",
            "ClusterImagePolicy /shared",
        ]);
        // Another stack's objects are not this stack's to drop.
        expect(policySetAfterApply(snapshot.policies, declared, "other.stack")).to.have.length(4);
    });

    it("names exactly the workloads that would be denied, with the reason, in the namespaces the set decides", function () {
        const report = buildEnforcementReport(snapshot, declared, OWNER);
        expect(report.namespaces.map((n) => n.namespace)).to.deep.equal(["team-a", "team-b"]);
        expect(report.denied).to.deep.equal([
            "Deployment team-a/tool",
            "Deployment team-a/web",
            "Deployment team-b/other",
            "Job team-a/migrate",
        ]);
        const teamA = report.namespaces[0];
        expect(teamA.decidedBy).to.deep.equal(["ImagePolicy team-a/trusted-images"]);
        const reason = (kind: string, name: string) =>
            teamA.workloads
                .find((w) => w.kind === kind && w.name === name)!
                .containers.map((c) =>
                    c.decision.verdict === "denied" ? c.decision.reason : c.decision.verdict,
                );
        expect(reason("Deployment", "tool")).to.deep.equal(["shadowed"]);
        expect(reason("Deployment", "web")).to.deep.equal(["no-match"]);
        expect(reason("Job", "migrate")).to.deep.equal(["no-match", "admitted"]);
        expect(reason("Deployment", "api")).to.deep.equal(["admitted"]);
    });

    it("says it is a prediction, and refuses naming the workloads and the argument", function () {
        const report = buildEnforcementReport(snapshot, declared, OWNER);
        const text = formatEnforcementReport(report);
        expect(text).to.contain("a prediction from Portieris's pattern rules");
        expect(text).to.contain("decided by Portieris at admission");
        expect(text).to.contain(
            "would be denied: Job team-a/migrate init container wait (busybox:1.36): no pattern of ImagePolicy team-a/trusted-images matches it",
        );
        const refusal = denialRefusal(report, "allowDenyingRunningWorkloads")!;
        // One line per denied workload, between a count and the way out; nothing else.
        const lines = refusal.split("\n");
        expect(lines[0]).to.equal("these policies would deny 4 running workload(s) at their next rollout:");
        expect(lines.slice(1, -1).map((l) => /^ - ([^:]+):/.exec(l)?.[1])).to.deep.equal([
            "Deployment team-a/tool",
            "Deployment team-a/web",
            "Deployment team-b/other",
            "Job team-a/migrate",
        ]);
        expect(lines[4]).to.equal(
            " - Job team-a/migrate: init container wait (busybox:1.36): no pattern of ImagePolicy team-a/trusted-images matches it",
        );
        expect(lines.at(-1)).to.contain("set allowDenyingRunningWorkloads: true");
        const clean = buildEnforcementReport(
            { ...snapshot, workloads: [snapshot.workloads[0]] },
            declared,
            OWNER,
        );
        expect(denialRefusal(clean, "allowDenyingRunningWorkloads")).to.equal(undefined);
    });

    it("lists pod templates of every workload kind, init containers first, and skips owned pods and jobs", function () {
        const template = {
            spec: {
                initContainers: [{ name: "i", image: "a/i" }],
                containers: [{ name: "c", image: "a/c" }],
            },
        };
        const meta = (name: string, owner?: string) => ({
            name,
            namespace: "n",
            ...(owner ? { ownerReferences: [{ kind: owner, controller: true }] } : {}),
        });
        const images = (w: Workload[]) =>
            w.map(
                (x) =>
                    `${x.kind} ${x.name} ${x.containers.map((c) => `${c.init ? "init:" : ""}${c.image}`).join(",")}`,
            );
        expect(
            images(workloadsOf("Deployment", [{ metadata: meta("d"), spec: { template } }])),
        ).to.deep.equal(["Deployment d init:a/i,a/c"]);
        expect(
            images(
                workloadsOf("CronJob", [
                    { metadata: meta("cj"), spec: { jobTemplate: { spec: { template } } } },
                ]),
            ),
        ).to.deep.equal(["CronJob cj init:a/i,a/c"]);
        expect(
            images(
                workloadsOf("Pod", [
                    { metadata: meta("bare"), spec: template.spec },
                    { metadata: meta("owned", "ReplicaSet"), spec: template.spec },
                ]),
            ),
        ).to.deep.equal(["Pod bare init:a/i,a/c"]);
        expect(
            images(workloadsOf("Job", [{ metadata: meta("from-cron", "CronJob"), spec: { template } }])),
        ).to.deep.equal([]);
    });

    it("derives a label value from the project and stack", function () {
        expect(ownerLabelValue("icr-trusted-content", "dev")).to.equal("icr-trusted-content.dev");
        expect(ownerLabelValue("p", "org/stack name")).to.equal("p.org-stack-name");
        expect(ownerLabelValue("x".repeat(70), "s")).to.have.length(63);
    });
});
