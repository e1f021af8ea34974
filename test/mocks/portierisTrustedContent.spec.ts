// Construction of TrustedContent with Pulumi mocks, the cluster read by the enforcement preview
// being a small API server on loopback: the exact children, and the objects held back when the
// preview refuses.
import { expect } from "chai";
import { TrustedContent } from "../../components/portieris/trustedContent";
import { seen, unhandledRejections, unwrap } from "./hooks";
import { apiServer, deployment } from "./listingApiServer";

const IMAGE_POLICY = "kubernetes:portieris.cloud.ibm.com/v1:ImagePolicy";

describe("TrustedContent (construction)", function () {
    it("declares each policy object with its spec and labels, once the preview passes", async function () {
        const bed = await apiServer([deployment("team-a", "api", "de.icr.io/team-a/api:1")]);
        try {
            const t = new TrustedContent("trusted", {
                kubeconfig: bed.kubeconfig,
                namespaces: { "team-a": { repositories: ["de.icr.io/team-a/*"] } },
                clusterPolicies: { shared: { repositories: ["us.icr.io/shared/*"] } },
            });
            expect(await unwrap(t.policies)).to.deep.equal({
                "ImagePolicy team-a/trusted-images": { repositories: [{ name: "de.icr.io/team-a/*" }] },
                "ClusterImagePolicy shared": { repositories: [{ name: "us.icr.io/shared/*" }] },
            });
            // The policy objects wait for the enforcement preview (a dependency), then register.
            for (
                let i = 0;
                i < 100 && seen.filter((r) => r.type.includes("portieris.cloud.ibm.com")).length < 2;
                i++
            )
                await new Promise((r) => setTimeout(r, 50));
            expect(seen.map((r) => [r.type, r.name]).sort()).to.deep.equal([
                ["icr:portieris:TrustedContent", "trusted"],
                ["kubernetes:portieris.cloud.ibm.com/v1:ClusterImagePolicy", "trusted-cluster-shared"],
                [IMAGE_POLICY, "trusted-team-a-trusted-images"],
            ]);
            const policy = seen.find((r) => r.type === IMAGE_POLICY)!;
            expect(policy.inputs.metadata).to.deep.equal({
                name: "trusted-images",
                namespace: "team-a",
                labels: {
                    "app.kubernetes.io/managed-by": "pulumi-icr-access",
                    "icr-access.pulumi.com/owner": "icr-test.unit",
                },
                annotations: { "pulumi.com/patchForce": "true" },
            });
            expect(seen[0].inputs).to.deep.equal({});
        } finally {
            await bed.close();
        }
    });

    it("writes nothing when the preview refuses, and says which workload and which argument", async function () {
        const bed = await apiServer([deployment("team-a", "web", "us.icr.io/other/web:1")]);
        try {
            const t = new TrustedContent("refused", {
                kubeconfig: bed.kubeconfig,
                namespaces: { "team-a": { repositories: ["de.icr.io/team-a/*"] } },
            });
            // The report still resolves (it may be a stack output); the object's inputs fail.
            expect((await unwrap(t.enforcementReport)).denied).to.deep.equal(["Deployment team-a/web"]);
            const failure = (await unhandledRejections()).map((e) => e.message).join("\n");
            expect(failure).to.contain("would deny 1 running workload(s) at their next rollout:");
            expect(failure).to.match(/ - Deployment team-a\/web\b/);
            expect(failure).to.contain("set allowDenyingRunningWorkloads: true");
            expect(seen.filter((r) => r.type === IMAGE_POLICY)).to.deep.equal([]);
        } finally {
            await bed.close();
        }
    });
});
