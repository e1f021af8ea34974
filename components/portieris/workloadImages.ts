// The images a cluster's workloads run, as Portieris sees them at admission: the pod template
// of each Deployment, StatefulSet, DaemonSet, Job and CronJob, and each bare Pod, init
// containers included, grouped per workload. Which objects count and where each kind keeps its
// pod spec is components/k8s/workloadImages.ts's (the image report reads the same); this file
// only gives the cluster-wide list paths and the per-workload grouping the preview needs. Pure.
import {
    containersOf,
    ownedByListedWorkload,
    WORKLOAD_KINDS as NAMESPACED_WORKLOAD_KINDS,
    WorkloadKind,
    WorkloadObject,
} from "../k8s/workloadImages";

export type { WorkloadKind } from "../k8s/workloadImages";

/** The kinds listed, with the API path of their cluster-wide list. */
export const WORKLOAD_KINDS: readonly { readonly kind: WorkloadKind; readonly path: string }[] =
    NAMESPACED_WORKLOAD_KINDS.map(({ kind, collection, plural }) => ({
        kind,
        path: `${collection}/${plural}`,
    }));

/** One container of a workload's pod template. */
export interface WorkloadContainer {
    readonly name: string;
    readonly image: string;
    /** True for an init container. */
    readonly init: boolean;
}

/** A workload and the containers its pods run. */
export interface Workload {
    readonly kind: WorkloadKind;
    readonly namespace: string;
    readonly name: string;
    readonly containers: readonly WorkloadContainer[];
}

/**
 * The workloads among `items` (one kind's list), each with its init containers first, then its
 * containers, as Portieris checks them. Pods and Jobs a listed workload controls are skipped:
 * Portieris admits the owner, and its children follow it.
 */
export function workloadsOf(kind: WorkloadKind, items: readonly unknown[]): Workload[] {
    return (items as readonly WorkloadObject[])
        .filter((obj) => !ownedByListedWorkload(kind, obj))
        .map((obj) => ({
            kind,
            namespace: obj.metadata?.namespace ?? "",
            name: obj.metadata?.name ?? "",
            containers: containersOf(kind, obj).map((c) => ({
                name: c.container,
                image: c.image,
                init: c.init,
            })),
        }));
}
