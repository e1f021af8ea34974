// The image report and the workload listing it reads: containers and init containers of every
// workload kind, controller-owned pods and jobs left to their owners, rows only for old
// domains (with the replacement) and icr.io domains without a pull secret.
import { expect } from "chai";
import { formatImageReport, imageHost, imageReport } from "../../components/coverage/imageReport";
import { containersOf, ownedByListedWorkload, WorkloadContainer } from "../../components/k8s/workloadImages";

const podSpec = (images: string[], init: string[] = []) => ({
    containers: images.map((image, i) => ({ name: `c${i}`, image })),
    initContainers: init.map((image, i) => ({ name: `i${i}`, image })),
});

describe("workload images", function () {
    it("reads the pod spec of each kind, init containers first", function () {
        expect(
            containersOf("Deployment", {
                metadata: { name: "d", namespace: "n" },
                spec: { template: { spec: podSpec(["a/b"], ["c/d"]) } },
            }).map((c) => [c.container, c.init, c.image]),
        ).to.deep.equal([
            ["i0", true, "c/d"],
            ["c0", false, "a/b"],
        ]);
        expect(
            containersOf("CronJob", {
                metadata: { name: "cj" },
                spec: { jobTemplate: { spec: { template: { spec: podSpec(["x"]) } } } },
            }).map((c) => c.image),
        ).to.deep.equal(["x"]);
        expect(
            containersOf("Pod", {
                metadata: { name: "p" },
                spec: { ...podSpec(["y"]), serviceAccountName: "sa", imagePullSecrets: [{ name: "s" }] },
            })[0],
        ).to.include({ serviceAccount: "sa", kind: "Pod" });
    });

    it("leaves pods and jobs a listed controller owns to their owner", function () {
        const owned = (kind: string) => ({ metadata: { ownerReferences: [{ kind, controller: true }] } });
        expect(ownedByListedWorkload("Pod", owned("ReplicaSet"))).to.equal(true);
        expect(ownedByListedWorkload("Job", owned("CronJob"))).to.equal(true);
        expect(ownedByListedWorkload("Pod", owned("SomeOperatorKind"))).to.equal(false);
        expect(ownedByListedWorkload("Pod", {})).to.equal(false);
    });
});

describe("image report", function () {
    const c = (workload: string, image: string, init = false, namespace = "default"): WorkloadContainer => ({
        namespace,
        kind: "Deployment",
        workload,
        container: "main",
        init,
        image,
        serviceAccount: "default",
        imagePullSecrets: [],
    });

    it("lists old-domain images with their icr.io reference, and icr.io images without a pull secret", function () {
        const rows = imageReport(
            [
                c("old", "registry.ng.bluemix.net/team/app:1"),
                c("old-init", "registry.eu-gb.bluemix.net/team/init:2", true),
                c("ok", "us.icr.io/team/app:1"),
                c("missing", "jp.icr.io/team/app:1"),
                c("hub", "nginx:1.27"),
                c("other", "quay.io/x/y"),
            ],
            () => ["us.icr.io", "icr.io"],
        );
        expect(rows.map((r) => [r.workload, r.init, r.finding, r.replacement])).to.deep.equal([
            ["old", false, "deprecatedDomain", "us.icr.io/team/app:1"],
            ["old-init", true, "deprecatedDomain", "uk.icr.io/team/init:2"],
            ["missing", false, "noPullSecret", undefined],
        ]);
        const table = formatImageReport(rows);
        expect(table.split("\n")[0]).to.match(/^NAMESPACE\s+WORKLOAD\s+CONTAINER\s+IMAGE/);
        expect(table).to.contain("main (init)").and.to.contain("no pull secret for jp.icr.io in default");
        expect(imageHost("localhost:5000/a")).to.equal("localhost:5000");
        expect(imageHost("library/nginx")).to.equal(undefined);
    });
});
