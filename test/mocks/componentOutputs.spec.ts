// The per-namespace components register outputs with nothing to wait for. The engine writes
// the whole state when a new component's outputs arrive (pulumi/pulumi
// pkg/backend/snapshot.go, SnapshotManager.RegisterResourceOutputs), so outputs that wait for
// the component's children would put two whole-state writes per namespace at the end of the
// run, when the state is largest (docs/performance.md, "Component outputs"). The values stay on
// the classes, which this also checks.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ClusterRegistryAccess } from "../../components/clusterRegistryAccess";
import { NamespaceIdentity } from "../../components/iam/namespaceIdentity";
import { NamespacePullSecrets } from "../../components/k8s/namespacePullSecrets";
import { KUBECONFIG, unwrap } from "./hooks";

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

describe("Per-namespace component outputs", function () {
    const registrations: Registration[] = [];
    const original = prototype.registerOutputs;

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

    it("registers NamespaceIdentity and NamespacePullSecrets outputs with nothing to wait for", async function () {
        const access = new ClusterRegistryAccess("outs", {
            cluster: "outs",
            kubeconfig: KUBECONFIG,
            namespaces: { shop: { regions: ["us-south"] }, web: {} },
        });
        const ofClass = (cls: abstract new (...args: never[]) => pulumi.ComponentResource) =>
            registrations.filter((r) => r.component instanceof cls);

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
});
