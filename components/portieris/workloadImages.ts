// The images a cluster's workloads run, as Portieris sees them at admission: the pod template
// of each Deployment, StatefulSet, DaemonSet, Job and CronJob, and each bare Pod, init
// containers included. Pods and Jobs that a listed workload owns are left out (Portieris admits
// the owner; the children follow it), as are ReplicaSets, which Deployments own. Pure.

/** The kinds listed, with the API path of their cluster-wide list. */
export const WORKLOAD_KINDS = [
    { kind: "Deployment", path: "/apis/apps/v1/deployments" },
    { kind: "StatefulSet", path: "/apis/apps/v1/statefulsets" },
    { kind: "DaemonSet", path: "/apis/apps/v1/daemonsets" },
    { kind: "Job", path: "/apis/batch/v1/jobs" },
    { kind: "CronJob", path: "/apis/batch/v1/cronjobs" },
    { kind: "Pod", path: "/api/v1/pods" },
] as const;

/** One of {@link WORKLOAD_KINDS}. */
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number]["kind"];

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

/** Kinds whose pods (or jobs) Portieris treats as the owner's, not as top-level objects. */
const OWNER_KINDS: readonly string[] = [
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

interface ApiObject {
    metadata?: {
        name?: string;
        namespace?: string;
        ownerReferences?: { kind?: string }[];
    };
    spec?: Record<string, unknown>;
}

interface PodSpecLike {
    containers?: { name?: string; image?: string }[];
    initContainers?: { name?: string; image?: string }[];
}

/** Where each kind keeps its pod spec. */
function podSpecOf(kind: WorkloadKind, obj: ApiObject): PodSpecLike | undefined {
    const spec = obj.spec as Record<string, unknown> | undefined;
    if (spec === undefined) return undefined;
    if (kind === "Pod") return spec as PodSpecLike;
    if (kind === "CronJob") {
        const job = (spec.jobTemplate as { spec?: { template?: { spec?: PodSpecLike } } } | undefined)?.spec;
        return job?.template?.spec;
    }
    return (spec.template as { spec?: PodSpecLike } | undefined)?.spec;
}

/**
 * The workloads among `items` (one kind's list), each with its init containers first, then its
 * containers, as Portieris checks them. Objects owned by another workload are skipped.
 */
export function workloadsOf(kind: WorkloadKind, items: readonly unknown[]): Workload[] {
    const out: Workload[] = [];
    for (const raw of items) {
        const obj = raw as ApiObject;
        const owned = (obj.metadata?.ownerReferences ?? []).some((o) => OWNER_KINDS.includes(o.kind ?? ""));
        if ((kind === "Pod" || kind === "Job") && owned) continue;
        const pod = podSpecOf(kind, obj);
        const containers: WorkloadContainer[] = [
            ...(pod?.initContainers ?? []).map((c) => ({
                name: c.name ?? "",
                image: c.image ?? "",
                init: true,
            })),
            ...(pod?.containers ?? []).map((c) => ({
                name: c.name ?? "",
                image: c.image ?? "",
                init: false,
            })),
        ];
        out.push({
            kind,
            namespace: obj.metadata?.namespace ?? "",
            name: obj.metadata?.name ?? "",
            containers,
        });
    }
    return out;
}
