// The config each program gets at a size. The real stack and the floor get the same map (the
// floor reads the real stack's `icr-access:*` keys): one identity and one combined pull
// secret per namespace, for us-south and the global registry, so two policies each.
import { ConfigMap } from "@pulumi/pulumi/automation";

export interface ClusterTarget {
    readonly kubeconfig: string;
    readonly iamEndpoint: string;
    readonly adminKey: string;
}

/** Config of the per-cluster stack (and of the floor) for these namespaces. */
export function clusterStackConfig(
    n: number,
    namespaces: readonly string[],
    target: ClusterTarget,
): ConfigMap {
    return {
        "icr-access:cluster": { value: `bench${n}` },
        "icr-access:namespaces": {
            value: JSON.stringify(
                Object.fromEntries(
                    namespaces.map((ns) => [ns, { regions: ["us-south"], layout: "combined" }]),
                ),
            ),
        },
        "icr-access:kubeconfig": { value: target.kubeconfig, secret: true },
        "ibmcloud:apiKey": { value: target.adminKey, secret: true },
        "ibmcloud:iamEndpoint": { value: target.iamEndpoint },
    };
}

/** Config of the bare-Secrets program: the namespaces, one Secret each. */
export function bareSecretsConfig(namespaces: readonly string[]): ConfigMap {
    return { namespaces: { value: JSON.stringify(namespaces) } };
}
