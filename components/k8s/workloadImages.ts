// The images a namespace's workloads pull: every container and init container of its
// Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and bare Pods, read from the pod
// templates as written (the strings kubelet and admission controllers see). Pods and Jobs that
// a controller owns are left out: their owner's template is listed instead.
// Read-only: only list calls. No Pulumi import (it runs in programs and providers alike).
import type { KubeClient } from "../clients/kube/client";

/** The kinds listed, with the API collection each lives in. */
export const WORKLOAD_KINDS = [
    { kind: "Deployment", collection: "/apis/apps/v1", plural: "deployments" },
    { kind: "StatefulSet", collection: "/apis/apps/v1", plural: "statefulsets" },
    { kind: "DaemonSet", collection: "/apis/apps/v1", plural: "daemonsets" },
    { kind: "Job", collection: "/apis/batch/v1", plural: "jobs" },
    { kind: "CronJob", collection: "/apis/batch/v1", plural: "cronjobs" },
    { kind: "Pod", collection: "/api/v1", plural: "pods" },
] as const;

/** A kind of workload whose images are read: Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod. */
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number]["kind"];

/** One container of one workload. */
export interface WorkloadContainer {
    readonly namespace: string;
    readonly kind: WorkloadKind;
    /** The workload's name. */
    readonly workload: string;
    /** The container's name. */
    readonly container: string;
    /** True for an init container. */
    readonly init: boolean;
    /** The image exactly as the pod spec writes it. */
    readonly image: string;
    /** The pod spec's service account. @default "default" */
    readonly serviceAccount: string;
    /** The pull secrets the pod spec names itself. */
    readonly imagePullSecrets: string[];
}

export interface ContainerSpec {
    readonly name?: string;
    readonly image?: string;
}

export interface PodSpec {
    readonly containers?: readonly ContainerSpec[];
    readonly initContainers?: readonly ContainerSpec[];
    readonly serviceAccountName?: string;
    readonly imagePullSecrets?: readonly { readonly name?: string }[];
}

/** A workload object as listed (only the fields read here). */
export interface WorkloadObject {
    readonly metadata?: {
        readonly name?: string;
        readonly namespace?: string;
        readonly ownerReferences?: readonly { readonly kind?: string; readonly controller?: boolean }[];
    };
    readonly spec?: {
        readonly template?: { readonly spec?: PodSpec };
        readonly jobTemplate?: { readonly spec?: { readonly template?: { readonly spec?: PodSpec } } };
    } & PodSpec;
}

/**
 * A workload kind Portieris reads a pod spec from: a {@link WorkloadKind}, or ReplicaSet or
 * ReplicationController (pod spec at `spec.template.spec`, not listed by the image report).
 */
export type PodTemplateKind = WorkloadKind | "ReplicaSet" | "ReplicationController";

/** The pod spec a workload of this kind runs: its template's, a CronJob's job template's, or a Pod's own. */
export function podSpecOf(kind: PodTemplateKind, object: WorkloadObject): PodSpec | undefined {
    if (kind === "Pod") return object.spec;
    if (kind === "CronJob") return object.spec?.jobTemplate?.spec?.template?.spec;
    return object.spec?.template?.spec;
}

/**
 * True when a controller owns the object, so that its containers are already listed under the
 * owner: a Deployment's pods, a CronJob's jobs. A Job or Pod owned by something that is not
 * listed here (an operator's custom resource) is still its own entry, since no listed
 * template shows its images.
 */
export function ownedByListedWorkload(kind: WorkloadKind, object: WorkloadObject): boolean {
    if (kind !== "Pod" && kind !== "Job") return false;
    const owners = (object.metadata?.ownerReferences ?? []).filter((o) => o.controller === true);
    const listedOwners: readonly string[] =
        kind === "Job" ? ["CronJob"] : ["ReplicaSet", "StatefulSet", "DaemonSet", "Job"];
    return owners.some((o) => o.kind !== undefined && listedOwners.includes(o.kind));
}

/** The containers (init containers first, as they run) of one workload object. */
export function containersOf(kind: WorkloadKind, object: WorkloadObject): WorkloadContainer[] {
    const spec = podSpecOf(kind, object);
    if (spec === undefined) return [];
    const base = {
        namespace: object.metadata?.namespace ?? "",
        kind,
        workload: object.metadata?.name ?? "",
        serviceAccount: spec.serviceAccountName || "default",
        imagePullSecrets: (spec.imagePullSecrets ?? [])
            .map((s) => s.name)
            .filter((n): n is string => typeof n === "string"),
    };
    const list = (containers: readonly ContainerSpec[] | undefined, init: boolean): WorkloadContainer[] =>
        (containers ?? [])
            .filter((c) => typeof c.image === "string" && c.image !== "")
            .map((c) => ({ ...base, container: c.name ?? "", init, image: c.image! }));
    return [...list(spec.initContainers, true), ...list(spec.containers, false)];
}

/**
 * The containers of every workload in a namespace, sorted by kind (table order), workload name,
 * then init containers before containers. Needs `list` on each kind in the namespace.
 */
export async function listWorkloadContainers(
    client: KubeClient,
    namespace: string,
): Promise<WorkloadContainer[]> {
    const ns = encodeURIComponent(namespace);
    const perKind = await Promise.all(
        WORKLOAD_KINDS.map(async ({ kind, collection, plural }) => {
            // A namespace that is gone (404) runs nothing.
            const objects =
                (await client.list<WorkloadObject>(`${collection}/namespaces/${ns}/${plural}`)) ?? [];
            return objects
                .filter((o) => !ownedByListedWorkload(kind, o))
                .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))
                .flatMap((o) => containersOf(kind, { ...o, metadata: { ...o.metadata, namespace } }));
        }),
    );
    return perKind.flat();
}
