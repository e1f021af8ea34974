// The benchmark's floor: the resources of the per-cluster stack (examples/per-cluster,
// ClusterRegistryAccess) for the benchmark's configuration, with the same names, type
// tokens, parents, dependencies and providers, but nothing of ours in them. Components are
// empty, IAM objects and service-account patches are no-op dynamic resources, and the one
// pull secret per namespace is a bare Secret. What the real stack costs above this is ours.
//
// It reads the real stack's own config keys (`icr-access:*`), so the benchmark gives both
// programs one config. It mirrors only the shape the benchmark asks for: `combined` layout,
// IAM region names in `regions`, no shared identities; the benchmark compares the two
// stacks' states and says so when they differ.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EmptyComponent } from "./component";
import { Noop } from "./noop";

interface FloorNamespace {
    regions?: string[];
    includeGlobal?: boolean;
    layout?: string;
    serviceAccounts?: string[];
}

const config = new pulumi.Config("icr-access");
const cluster = config.require("cluster");
const namespaces = config.requireObject<Record<string, FloorNamespace>>("namespaces");

const access = new EmptyComponent("icr:index:ClusterRegistryAccess", cluster);
// As ours: the stack's own Kubernetes provider, a child of the component.
const provider = new k8s.Provider(
    `${cluster}-cluster`,
    { kubeconfig: config.requireSecret("kubeconfig"), enableSecretMutable: true },
    { parent: access },
);

for (const [namespace, scope] of Object.entries(namespaces)) {
    if (scope.layout !== "combined") {
        throw new Error(`namespaces.${namespace}: the floor mirrors the "combined" layout only`);
    }
    const name = `${cluster}-${namespace}`;

    // NamespaceIdentity: service ID, one policy per region (and global), then the key.
    const identity = new EmptyComponent("icr:iam:NamespaceIdentity", name, { parent: access });
    const serviceId = new Noop("ServiceId", `${name}-id`, {}, { parent: identity });
    const locations =
        scope.regions === undefined
            ? [undefined]
            : [...scope.regions, ...(scope.includeGlobal === false ? [] : ["global"])];
    const policies = locations.map(
        (region) =>
            new Noop(
                "AccessPolicy",
                region === undefined ? `${name}-policy` : `${name}-policy-${region}`,
                { iamId: serviceId.id },
                { parent: identity },
            ),
    );
    const key = new Noop(
        "ApiKey",
        `${name}-key`,
        { iamId: serviceId.id },
        { parent: identity, dependsOn: policies, additionalSecretOutputs: ["value"] },
    );
    identity.finish();

    // NamespacePullSecrets: one combined secret holding the key, then the service accounts.
    const pull = new EmptyComponent("icr:k8s:NamespacePullSecrets", name, {
        parent: access,
        providers: [provider],
    });
    const secret = new k8s.core.v1.Secret(
        `${name}-combined`,
        {
            metadata: { name: "floor-icr-io", namespace },
            stringData: { apikey: pulumi.secret(key.value) },
        },
        { parent: pull },
    );
    for (const account of scope.serviceAccounts ?? ["default"]) {
        new Noop(
            "ServiceAccountPullSecrets",
            `${name}-sa-${account}`,
            { namespace, serviceAccount: account, secretNames: pulumi.all([secret.metadata.name]) },
            { parent: pull },
        );
    }
    pull.finish();
}
access.finish();
