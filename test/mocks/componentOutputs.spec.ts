// Components made per namespace register outputs with nothing to wait for. The engine writes
// the whole state when a new component's outputs arrive (pulumi/pulumi
// pkg/backend/snapshot.go, SnapshotManager.RegisterResourceOutputs), so outputs that wait for
// the component's children would put two whole-state writes per namespace at the end of the
// run, when the state is largest (docs/performance.md, "Component outputs"). The values stay on
// the classes, which this also checks. The same holds for the Portieris components a program
// may make per namespace: TrustedContent (ClusterRegistryAccess makes one per namespace with
// `imagePolicy`) and ImagePolicy.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ClusterRegistryAccess } from "../../components/clusterRegistryAccess";
import { NamespaceIdentity } from "../../components/iam/namespaceIdentity";
import { NamespacePullSecrets } from "../../components/k8s/namespacePullSecrets";
import { ImagePolicy } from "../../components/portieris/imagePolicy";
import { TrustedContent } from "../../components/portieris/trustedContent";
import { KUBECONFIG, unwrap } from "./hooks";
import { apiServer } from "./listingApiServer";

/** What one component passed to registerOutputs, by the component's class. */
interface Registration {
    readonly component: pulumi.ComponentResource;
    readonly outputs: pulumi.Inputs | undefined;
}

/** Names of the values in a registration that are not known yet: Outputs and promises. */
function pendingValues(outputs: pulumi.Inputs | undefined): string[] {
    return Object.entries(outputs ?? {})
        .filter(([, v]) => pulumi.Output.isInstance(v) || v instanceof Promise)
        .map(([k]) => k);
}

/** registerOutputs is protected; the spy replaces it on the prototype all components share. */
type RegisterOutputs = (this: pulumi.ComponentResource, outputs?: unknown) => void;
const prototype = pulumi.ComponentResource.prototype as unknown as { registerOutputs: RegisterOutputs };

type ComponentClass = abstract new (...args: never[]) => pulumi.ComponentResource;

describe("Per-namespace component outputs", function () {
    const registrations: Registration[] = [];
    const original = prototype.registerOutputs;

    const ofClass = (cls: ComponentClass) => registrations.filter((r) => r.component instanceof cls);

    before(function () {
        prototype.registerOutputs = function (outputs) {
            if (!pulumi.Output.isInstance(outputs) && !(outputs instanceof Promise))
                registrations.push({ component: this, outputs: outputs as pulumi.Inputs | undefined });
            return original.call(this, outputs);
        };
    });
    after(function () {
        prototype.registerOutputs = original;
    });
    // Each test sees the registrations of what it constructed, not the SDK's later no-op calls
    // (initializeAndRegisterOutputs) for an earlier test's components.
    beforeEach(function () {
        registrations.length = 0;
    });

    it("registers NamespaceIdentity and NamespacePullSecrets outputs with nothing to wait for", async function () {
        const access = new ClusterRegistryAccess("outs", {
            cluster: "outs",
            kubeconfig: KUBECONFIG,
            namespaces: { shop: { regions: ["us-south"] }, web: {} },
        });

        // Registered in the constructor, before any child has been created.
        expect(ofClass(NamespaceIdentity), "one registration per identity").to.have.length(2);
        expect(ofClass(NamespacePullSecrets), "one registration per namespace").to.have.length(2);
        for (const r of [...ofClass(NamespaceIdentity), ...ofClass(NamespacePullSecrets)]) {
            expect(pendingValues(r.outputs), "values that would delay the write").to.deep.equal([]);
        }

        // The values are still there for programs, on the classes.
        const identity = ofClass(NamespaceIdentity)[0].component as NamespaceIdentity;
        expect(await unwrap(identity.serviceIdId))
            .to.be.a("string")
            .and.not.equal("");
        const secrets = ofClass(NamespacePullSecrets).map((r) => r.component as NamespacePullSecrets);
        const names = await Promise.all(secrets.map((s) => unwrap(s.secretNames)));
        expect(names.flat()).to.include.members(["shop-icr-io", "shop-us-icr-io"]);
        expect(await unwrap(access.coveredNamespaces)).to.have.keys(["shop", "web"]);
    });

    it("registers TrustedContent and ImagePolicy outputs with nothing to wait for", async function () {
        const bed = await apiServer([]);
        try {
            const access = new ClusterRegistryAccess("portieris", {
                cluster: "portieris",
                kubeconfig: bed.kubeconfig,
                namespaces: { shop: { regions: ["us-south"], imagePolicy: true }, web: {} },
            });
            const policy = new ImagePolicy("team-a", {
                kubeconfig: bed.kubeconfig,
                namespace: "team-a",
                repositories: ["de.icr.io/team-a/*"],
            });

            // One TrustedContent, for the one namespace with `imagePolicy`, and the ImagePolicy.
            const trusted = ofClass(TrustedContent);
            expect(trusted, "one per namespace with imagePolicy").to.have.length(1);
            expect(ofClass(ImagePolicy).map((r) => r.component)).to.deep.equal([policy]);
            for (const r of [...trusted, ...ofClass(ImagePolicy)]) {
                expect(pendingValues(r.outputs), "values that would delay the write").to.deep.equal([]);
            }

            // The values are still there for programs, on the classes.
            const shop = trusted[0].component as TrustedContent;
            expect(Object.keys(await unwrap(shop.policies))).to.have.length(1);
            expect(await unwrap(shop.enforcementReport)).to.have.property("denied");
            expect(await unwrap(policy.spec)).to.deep.equal({
                repositories: [{ name: "de.icr.io/team-a/*" }],
            });
            expect(await unwrap(access.coveredNamespaces)).to.have.keys(["shop", "web"]);
        } finally {
            await bed.close();
        }
    });
});
