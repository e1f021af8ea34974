// The images a cluster's workloads run, as Portieris v0.14.2 sees them at admission: the pod
// template of each Deployment, ReplicaSet, ReplicationController, DaemonSet, StatefulSet, Job
// and CronJob, and each Pod's own spec, init containers included, grouped per workload. These
// are the kinds Portieris reads a pod spec from (pkg/kubernetes/podspec.go GetPodSpec) and
// that its Helm chart sends it (helm/portieris/templates/webhooks.yaml rules). Where each kind
// keeps its pod spec is components/k8s/workloadImages.ts's (the image report reads the same).
//
// An object with an owner of one of these kinds, controller or not, is admitted by Portieris
// without a look at its images (podspec.go decodeObject returns ErrObjectHasParents, and
// pkg/controller/multi/controller.go Admit allows it): its owner was judged instead. Only the
// owner's kind is compared, not its API group. Pure.
import { PodTemplateKind, podSpecOf, WORKLOAD_KINDS as LISTED_WORKLOAD_KINDS } from "../k8s/workloadImages";
import type { ContainerSpec, WorkloadObject } from "../k8s/workloadImages";

/** A kind whose objects Portieris judges. */
export type AdmittedKind = PodTemplateKind;

/** podspec.go supportedKinds: the owner kinds that make an object a child. */
export const PORTIERIS_KINDS: readonly AdmittedKind[] = [
    "Deployment",
    "Pod",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
    "CronJob",
    "Job",
];

/** The kinds Portieris judges, with the API path of their cluster-wide list. */
export const ADMITTED_WORKLOAD_LISTS: readonly { readonly kind: AdmittedKind; readonly path: string }[] = [
    ...LISTED_WORKLOAD_KINDS.map(({ kind, collection, plural }) => ({
        kind,
        path: `${collection}/${plural}`,
    })),
    { kind: "ReplicaSet", path: "/apis/apps/v1/replicasets" },
    { kind: "ReplicationController", path: "/api/v1/replicationcontrollers" },
];

/** One container of a workload's pod template. */
export interface AdmittedContainer {
    readonly name: string;
    readonly image: string;
    /** True for an init container. */
    readonly init: boolean;
}

/** A workload and the containers its pods run. */
export interface Workload {
    readonly kind: AdmittedKind;
    readonly namespace: string;
    readonly name: string;
    readonly containers: readonly AdmittedContainer[];
}

/** True when an owner of the object has a kind Portieris handles: Portieris admits it unseen. */
export function hasPortierisParent(object: WorkloadObject): boolean {
    return (object.metadata?.ownerReferences ?? []).some(
        (o) => o.kind !== undefined && (PORTIERIS_KINDS as readonly string[]).includes(o.kind),
    );
}

/**
 * The workloads among `items` (one kind's list), each with its init containers first, then its
 * containers, as Portieris checks them. Objects with a parent Portieris handles are skipped.
 */
export function workloadsOf(kind: AdmittedKind, items: readonly unknown[]): Workload[] {
    const list = (containers: readonly ContainerSpec[] | undefined, init: boolean): AdmittedContainer[] =>
        (containers ?? [])
            .filter((c) => typeof c.image === "string" && c.image !== "")
            .map((c) => ({ name: c.name ?? "", image: c.image!, init }));
    return (items as readonly WorkloadObject[])
        .filter((obj) => !hasPortierisParent(obj))
        .map((obj) => {
            const spec = podSpecOf(kind, obj);
            return {
                kind,
                namespace: obj.metadata?.namespace ?? "",
                name: obj.metadata?.name ?? "",
                containers: [...list(spec?.initContainers, true), ...list(spec?.containers, false)],
            };
        });
}
