// Reads what the enforcement preview needs from the live cluster: every workload's images and
// every Portieris policy object, plus the key secrets that `signedBy` requirements name. Read
// with the library's own Kubernetes client at program time, during preview and up alike; it
// only reads. No Pulumi import.
import { KubeClient } from "../clients/kube/client";
import { KubeconfigSource, loadKubeconfig } from "../clients/kube/config_sources";
import {
    CLUSTER_IMAGE_POLICY_KIND,
    CLUSTER_IMAGE_POLICY_PLURAL,
    IMAGE_POLICY_KIND,
    IMAGE_POLICY_PLURAL,
    ImagePolicySpec,
    PORTIERIS_API_VERSION,
    PolicyObject,
} from "./types";
import { Workload, ADMITTED_WORKLOAD_LISTS, workloadsOf } from "./admittedWorkloads";

/** The cluster as the preview saw it. */
export interface ClusterSnapshot {
    readonly workloads: readonly Workload[];
    /** Every ImagePolicy and ClusterImagePolicy the API server holds. */
    readonly policies: readonly PolicyObject[];
    /** False when the API server does not serve portieris.cloud.ibm.com/v1 (Portieris is not installed). */
    readonly portierisServed: boolean;
}

interface RawPolicy {
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
    spec?: ImagePolicySpec;
}

function policyObjects(kind: PolicyObject["kind"], items: readonly unknown[]): PolicyObject[] {
    return items.map((raw) => {
        const p = raw as RawPolicy;
        return {
            kind,
            name: p.metadata?.name ?? "",
            namespace: kind === IMAGE_POLICY_KIND ? p.metadata?.namespace : undefined,
            spec: { repositories: p.spec?.repositories ?? [] },
            labels: p.metadata?.labels ?? {},
        };
    });
}

/** Connects with the kubeconfig a preview was given (text, the stack setting, or the ambient one). */
export async function connect(source: KubeconfigSource): Promise<KubeClient> {
    return KubeClient.connect(loadKubeconfig(source));
}

/** Reads every workload and policy of the cluster. */
export async function readClusterSnapshot(client: KubeClient): Promise<ClusterSnapshot> {
    const lists = await Promise.all(ADMITTED_WORKLOAD_LISTS.map((k) => client.list(k.path)));
    const workloads = ADMITTED_WORKLOAD_LISTS.flatMap((k, i) => workloadsOf(k.kind, lists[i] ?? []));
    const base = `/apis/${PORTIERIS_API_VERSION}`;
    const [namespaced, cluster] = await Promise.all([
        client.list(`${base}/${IMAGE_POLICY_PLURAL}`),
        client.list(`${base}/${CLUSTER_IMAGE_POLICY_PLURAL}`),
    ]);
    return {
        workloads,
        policies: [
            ...policyObjects(IMAGE_POLICY_KIND, namespaced ?? []),
            ...policyObjects(CLUSTER_IMAGE_POLICY_KIND, cluster ?? []),
        ],
        portierisServed: namespaced !== undefined && cluster !== undefined,
    };
}

/** What a `signedBy` key secret looks like on the cluster. */
export type KeySecretState = "present" | "missing" | "no-key";

/** Whether `namespace/name` exists and holds the public key under `key`, where Portieris reads it. */
export async function keySecretState(
    client: KubeClient,
    namespace: string,
    name: string,
): Promise<KeySecretState> {
    const res = await client.get<{ data?: Record<string, string> }>(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`,
    );
    if (res.status === 404) return "missing";
    return typeof res.data.data?.key === "string" && res.data.data.key !== "" ? "present" : "no-key";
}
