// ClusterRegistryAccess under Pulumi mocks: what the per-cluster component declares for named
// namespaces, a shared identity and a namespace it creates. Each namespace gets its pull
// secrets and service-account patches under the component, through the stack's own Kubernetes
// provider; each identity (the namespace's own, or the shared one) gets one service ID,
// policies and a key; the stack owner, the creation guard and the record of created namespaces
// exist; and the kubeconfig stays a secret wherever it goes.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ClusterRegistryAccess } from "../../components/clusterRegistryAccess";
import { holdsSecret, KUBECONFIG, registeredUrns, reveal, seen, STACK_OWNER_ID, unwrap } from "./hooks";

const COMPONENT = "icr:index:ClusterRegistryAccess";
const PULL_SECRETS = "icr:k8s:NamespacePullSecrets";
const IDENTITY = "icr:iam:NamespaceIdentity";
const SECRET = "kubernetes:core/v1:Secret";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const K8S_PROVIDER = "pulumi:providers:kubernetes";
const PATCH = "pulumi-nodejs:dynamic/k8s:ServiceAccountPullSecrets";
const SERVICE_ID = "pulumi-nodejs:dynamic/iam:ServiceId";
const POLICY = "pulumi-nodejs:dynamic/iam:AccessPolicy";
const API_KEY = "pulumi-nodejs:dynamic/iam:ApiKey";
const STACK_OWNER = "pulumi-nodejs:dynamic/ownership:StackOwner";
const CREATION_GUARD = "pulumi-nodejs:dynamic/k8s:CreationGuard";
const REMOVAL_GUARD = "pulumi-nodejs:dynamic/k8s:NamespaceRemovalGuard";

const ofType = (type: string) => seen.filter((r) => r.type === type);
const namesOf = (type: string) => ofType(type).map((r) => r.name);
/** The URN of a registered resource by type and name; its parents' types are part of it. */
const urnOf = (type: string, name: string): string => {
    const urn = registeredUrns().find((u) => u.endsWith(`${type}::${name}`));
    if (urn === undefined) throw new Error(`no ${type} named ${name}`);
    return urn;
};

/** Waits until every output the component registers has settled, dynamic resources included. */
async function declared(access: ClusterRegistryAccess): Promise<void> {
    await unwrap(
        pulumi.all([access.coveredNamespaces, access.serviceIds, access.keyExpiries, access.imageReport]),
    );
    // Dynamic resources register after their provider shim is serialized.
    for (let i = 0; i < 50 && ofType(REMOVAL_GUARD).length < 2; i++)
        await new Promise((r) => setTimeout(r, 20));
}

describe("ClusterRegistryAccess construction", function () {
    const declare = () =>
        new ClusterRegistryAccess("prod", {
            cluster: "prod",
            kubeconfig: KUBECONFIG,
            sharedIdentities: { frontends: { regions: ["eu-de"] } },
            namespaces: {
                shop: { regions: ["us-south"], createNamespace: true },
                web: { identity: "frontends", serviceAccounts: ["default", "builder"] },
            },
        });

    it("declares one NamespacePullSecrets per namespace, under the component, and its outputs name them", async function () {
        const access = declare();
        await declared(access);

        expect(namesOf(COMPONENT)).to.deep.equal(["prod"]);
        expect(namesOf(PULL_SECRETS).sort()).to.deep.equal(["prod-shop", "prod-web"]);
        for (const name of ["prod-shop", "prod-web"]) {
            expect(urnOf(PULL_SECRETS, name)).to.contain(`::${COMPONENT}$${PULL_SECRETS}::`);
        }
        expect(await unwrap(access.coveredNamespaces)).to.deep.equal({
            shop: {
                secretNames: ["shop-icr-io", "shop-us-icr-io"],
                serviceId: "prod-shop-id-id",
                serviceAccounts: ["default"],
            },
            web: {
                secretNames: ["web-icr-io", "web-de-icr-io"],
                serviceId: "prod-frontends-id-id",
                serviceAccounts: ["default", "builder"],
            },
        });
        expect(Object.keys(access.namespaces)).to.deep.equal(["shop", "web"]);
        expect(await unwrap(access.namespaces.web.serviceId)).to.equal("prod-frontends-id-id");
        expect(await unwrap(access.imageReport)).to.deep.equal([]);
    });

    it("makes one identity per namespace of its own and one per shared identity, none for a namespace that shares", async function () {
        const access = declare();
        await declared(access);

        expect(namesOf(IDENTITY).sort()).to.deep.equal(["prod-frontends", "prod-shop"]);
        for (const name of ["prod-frontends", "prod-shop"]) {
            expect(urnOf(IDENTITY, name)).to.contain(`::${COMPONENT}$${IDENTITY}::`);
        }
        expect(namesOf(SERVICE_ID).sort()).to.deep.equal(["prod-frontends-id", "prod-shop-id"]);
        expect(namesOf(API_KEY).sort()).to.deep.equal(["prod-frontends-key", "prod-shop-key"]);
        expect(namesOf(POLICY).sort()).to.deep.equal([
            "prod-frontends-policy-eu-de",
            "prod-frontends-policy-global",
            "prod-shop-policy-global",
            "prod-shop-policy-us-south",
        ]);
        expect(await unwrap(access.serviceIds)).to.deep.equal({
            frontends: "prod-frontends-id-id",
            shop: "prod-shop-id-id",
        });
        expect(await unwrap(access.keyExpiries)).to.deep.equal({ frontends: "never", shop: "never" });
    });

    it("writes each namespace's secrets and patches its service accounts through the stack's own Kubernetes provider", async function () {
        const access = declare();
        await declared(access);

        const providers = ofType(K8S_PROVIDER);
        expect(providers.map((p) => p.name)).to.deep.equal(["prod-cluster"]);
        expect(providers[0].inputs.enableSecretMutable).to.equal("true");
        expect(holdsSecret(providers[0].inputs.kubeconfig), "provider kubeconfig is a secret").to.equal(true);
        expect(urnOf(K8S_PROVIDER, "prod-cluster")).to.contain(`::${COMPONENT}$${K8S_PROVIDER}::`);

        const secrets = ofType(SECRET);
        expect(secrets.map((s) => s.name).sort()).to.deep.equal([
            "prod-shop-icr-io",
            "prod-shop-us-icr-io",
            "prod-web-de-icr-io",
            "prod-web-icr-io",
        ]);
        for (const s of secrets) {
            expect(s.provider, `${s.name} provider`).to.contain(`$${K8S_PROVIDER}::prod-cluster::`);
            expect(holdsSecret(s.inputs.data), `${s.name} data is a secret`).to.equal(true);
        }
        expect(
            secrets.map((s) => (s.inputs.metadata as { namespace: string }).namespace).sort(),
        ).to.deep.equal(["shop", "shop", "web", "web"]);

        const patches = ofType(PATCH);
        expect(patches.map((p) => p.name).sort()).to.deep.equal([
            "prod-shop-sa-default",
            "prod-web-sa-builder",
            "prod-web-sa-default",
        ]);
        for (const p of patches) {
            expect(holdsSecret(p.inputs.kubeconfig), `${p.name} kubeconfig is a secret`).to.equal(true);
            expect(reveal(p.inputs.kubeconfig)).to.equal(KUBECONFIG);
        }
        const builder = patches.find((p) => p.name === "prod-web-sa-builder")!;
        expect(builder.inputs.namespace).to.equal("web");
        expect(builder.inputs.serviceAccount).to.equal("builder");
        expect(builder.inputs.secretNames).to.deep.equal(["web-icr-io", "web-de-icr-io"]);
    });

    it("has the stack owner, the creation guard and the record of the namespaces it creates", async function () {
        const access = declare();
        await declared(access);

        // One per stack, registered by the first component that needs it (here or in an earlier test).
        expect(registeredUrns().filter((u) => u.includes(`::${STACK_OWNER}::`))).to.deep.equal([
            `urn:pulumi:unit::icr-test::${STACK_OWNER}::pulumi-icr-access-stack-owner`,
        ]);
        expect(namesOf(NAMESPACE)).to.deep.equal(["prod-shop-namespace"]);

        const guards = ofType(CREATION_GUARD);
        expect(guards.map((g) => g.name)).to.deep.equal(["prod-shop-creation-guard"]);
        expect(guards[0].inputs.ownerId).to.equal(STACK_OWNER_ID);
        expect(guards[0].inputs.objects).to.deep.include({
            kind: "Namespace",
            name: "shop",
            field: "namespaces.shop.createNamespace",
            consequence: (guards[0].inputs.objects as { consequence: string }[])[0].consequence,
        });
        expect(holdsSecret(guards[0].inputs.kubeconfig), "guard kubeconfig is a secret").to.equal(true);

        const removal = ofType(REMOVAL_GUARD).find((g) => g.name === "prod-created-namespaces");
        expect(removal, "the component's record of created namespaces").to.not.equal(undefined);
        expect(urnOf(REMOVAL_GUARD, "prod-created-namespaces")).to.contain(
            `::${COMPONENT}$${REMOVAL_GUARD}::`,
        );
        expect(removal!.inputs.namespaces).to.deep.equal({
            shop: { field: "namespaces.shop.createNamespace" },
        });
        expect(removal!.inputs.ours).to.deep.equal({ shop: ["Secret/shop-icr-io", "Secret/shop-us-icr-io"] });
        expect(removal!.inputs.deleteContentsField).to.equal("deleteNamespaceContents");
        expect(holdsSecret(removal!.inputs.kubeconfig), "removal guard kubeconfig is a secret").to.equal(
            true,
        );
    });

    it("declares nothing when an argument is wrong, and names the argument", function () {
        expect(
            () =>
                new ClusterRegistryAccess("bad", {
                    cluster: "bad",
                    kubeconfig: KUBECONFIG,
                    namespaces: { web: { identity: "nobody" } },
                }),
        ).to.throw(/namespaces\.web\.identity: no shared identity "nobody"/);
        expect(namesOf(PULL_SECRETS)).to.deep.equal([]);
        expect(namesOf(IDENTITY)).to.deep.equal([]);
    });
});
