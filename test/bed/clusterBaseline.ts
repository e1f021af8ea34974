// What a control plane holds right after it booted, and the way back to it: specs that share
// one cluster each get it as the previous one found it. Recorded once; restored by deleting
// every object made since (namespaces with their contents, CustomResourceDefinitions with
// their objects, anything else in the namespaces that were there) and by resetting what specs
// write onto objects that were there (service accounts' pull secrets, namespaces' labels).
//
// Objects the control plane makes and keeps on its own (events, leases, endpoints, the API
// services of CRDs, API priority and fairness settings, objects only kube-apiserver or
// kube-controller-manager ever wrote, and objects owned by another object, which go with
// their owner) are neither compared nor deleted: deleting them would only make the control
// plane write them again.
import { AxiosInstance } from "axios";

/** A kind of object the API server lists and deletes. */
interface ResourceType {
    /** e.g. `/api/v1` or `/apis/apps/v1` */
    readonly groupVersion: string;
    /** The plural resource name, e.g. `secrets`. */
    readonly name: string;
    readonly namespaced: boolean;
}

interface ObjectMeta {
    name: string;
    namespace?: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: unknown[];
    managedFields?: { manager?: string }[];
    deletionTimestamp?: string;
}

/** What the cluster held when it booted. */
export interface ClusterBaseline {
    /** Namespace name -> its labels and annotations. */
    readonly namespaces: ReadonlyMap<string, Pick<ObjectMeta, "labels" | "annotations">>;
    /** `<groupVersion>/<resource>/<namespace>/<name>` of every other object. */
    readonly objects: ReadonlySet<string>;
    /** `<namespace>/<name>` -> the service account's `secrets` and `imagePullSecrets`. */
    readonly serviceAccounts: ReadonlyMap<string, { secrets?: unknown; imagePullSecrets?: unknown }>;
    /** The API groups the server served. */
    readonly apiGroups: ReadonlySet<string>;
}

/** Kinds the control plane writes on its own, all the time. */
const SELF_MAINTAINED = new Set([
    "/api/v1/events",
    "/apis/events.k8s.io/v1/events",
    "/apis/coordination.k8s.io/v1/leases",
    "/api/v1/endpoints",
    "/apis/discovery.k8s.io/v1/endpointslices",
    "/apis/apiregistration.k8s.io/v1/apiservices",
    "/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas",
    "/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations",
    "/api/v1/namespaces",
]);
const CONTROL_PLANE_WRITERS = new Set(["kube-apiserver", "kube-controller-manager"]);

/** Every listable and deletable kind, at each group's preferred version. */
async function resourceTypes(api: AxiosInstance): Promise<ResourceType[]> {
    const out: ResourceType[] = [];
    const collect = async (groupVersion: string): Promise<void> => {
        const res = await api.get(groupVersion);
        // A group whose last CustomResourceDefinition went away since /apis was read.
        if (res.status === 404) return;
        if (res.status !== 200) throw new Error(`GET ${groupVersion}: HTTP ${res.status}`);
        for (const r of res.data.resources as { name: string; namespaced: boolean; verbs: string[] }[]) {
            if (r.name.includes("/") || !r.verbs.includes("list") || !r.verbs.includes("delete")) continue;
            if (SELF_MAINTAINED.has(`${groupVersion}/${r.name}`)) continue;
            out.push({ groupVersion, name: r.name, namespaced: r.namespaced });
        }
    };
    await collect("/api/v1");
    for (const g of await apiGroups(api)) await collect(`/apis/${g.preferredVersion}`);
    return out;
}

async function apiGroups(api: AxiosInstance): Promise<{ name: string; preferredVersion: string }[]> {
    const res = await api.get("/apis");
    if (res.status !== 200) throw new Error(`GET /apis: HTTP ${res.status}`);
    return (res.data.groups as { name: string; preferredVersion: { groupVersion: string } }[]).map((g) => ({
        name: g.name,
        preferredVersion: g.preferredVersion.groupVersion,
    }));
}

async function list(api: AxiosInstance, path: string): Promise<{ metadata: ObjectMeta }[]> {
    const res = await api.get(path);
    // A kind whose CRD went away between discovery and the list.
    if (res.status === 404) return [];
    if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return res.data.items as { metadata: ObjectMeta }[];
}

const objectKey = (t: ResourceType, m: ObjectMeta): string =>
    `${t.groupVersion}/${t.name}/${m.namespace ?? ""}/${m.name}`;

const objectPath = (t: ResourceType, m: ObjectMeta): string =>
    `${t.groupVersion}${t.namespaced ? `/namespaces/${m.namespace}` : ""}/${t.name}/${m.name}`;

/** Made and kept by the control plane itself, or going with its owner. */
function selfMaintained(m: ObjectMeta): boolean {
    if ((m.ownerReferences ?? []).length > 0) return true;
    const writers = (m.managedFields ?? []).map((f) => f.manager ?? "");
    return writers.length > 0 && writers.every((w) => CONTROL_PLANE_WRITERS.has(w));
}

/** Records what the cluster holds now. */
export async function recordBaseline(api: AxiosInstance): Promise<ClusterBaseline> {
    const namespaces = new Map<string, Pick<ObjectMeta, "labels" | "annotations">>();
    for (const ns of await list(api, "/api/v1/namespaces")) {
        namespaces.set(ns.metadata.name, {
            labels: ns.metadata.labels,
            annotations: ns.metadata.annotations,
        });
    }
    const objects = new Set<string>();
    for (const t of await resourceTypes(api)) {
        for (const o of await list(api, `${t.groupVersion}/${t.name}`)) objects.add(objectKey(t, o.metadata));
    }
    const serviceAccounts = new Map<string, { secrets?: unknown; imagePullSecrets?: unknown }>();
    for (const sa of (await list(api, "/api/v1/serviceaccounts")) as {
        metadata: ObjectMeta;
        secrets?: unknown;
        imagePullSecrets?: unknown;
    }[]) {
        serviceAccounts.set(`${sa.metadata.namespace}/${sa.metadata.name}`, {
            secrets: sa.secrets,
            imagePullSecrets: sa.imagePullSecrets,
        });
    }
    const groups = new Set((await apiGroups(api)).map((g) => g.name));
    return { namespaces, objects, serviceAccounts, apiGroups: groups };
}

/** `delete` for an object still to delete, `deleting` for one on its way out. */
const deleteOrWait = (m: ObjectMeta): string => (m.deletionTimestamp === undefined ? "delete" : "deleting");

/**
 * What differs from the baseline, as `<what> <path>` lines (`delete`, `deleting`, `changed`,
 * `group`); empty when nothing does.
 */
async function differences(api: AxiosInstance, baseline: ClusterBaseline): Promise<string[]> {
    const out: string[] = [];
    for (const ns of await list(api, "/api/v1/namespaces")) {
        const was = baseline.namespaces.get(ns.metadata.name);
        if (was === undefined)
            out.push(`${deleteOrWait(ns.metadata)} /api/v1/namespaces/${ns.metadata.name}`);
        else if (
            JSON.stringify(ns.metadata.labels ?? {}) !== JSON.stringify(was.labels ?? {}) ||
            JSON.stringify(ns.metadata.annotations ?? {}) !== JSON.stringify(was.annotations ?? {})
        ) {
            out.push(`changed /api/v1/namespaces/${ns.metadata.name}`);
        }
    }
    for (const t of await resourceTypes(api)) {
        for (const o of await list(api, `${t.groupVersion}/${t.name}`)) {
            const m = o.metadata;
            if (m.namespace !== undefined && !baseline.namespaces.has(m.namespace)) continue;
            if (baseline.objects.has(objectKey(t, m)) || selfMaintained(m)) continue;
            out.push(`${deleteOrWait(m)} ${objectPath(t, m)}`);
        }
    }
    for (const sa of (await list(api, "/api/v1/serviceaccounts")) as {
        metadata: ObjectMeta;
        secrets?: unknown;
        imagePullSecrets?: unknown;
    }[]) {
        const was = baseline.serviceAccounts.get(`${sa.metadata.namespace}/${sa.metadata.name}`);
        if (
            was !== undefined &&
            (JSON.stringify(sa.secrets ?? []) !== JSON.stringify(was.secrets ?? []) ||
                JSON.stringify(sa.imagePullSecrets ?? []) !== JSON.stringify(was.imagePullSecrets ?? []))
        ) {
            out.push(
                `changed /api/v1/namespaces/${sa.metadata.namespace}/serviceaccounts/${sa.metadata.name}`,
            );
        }
    }
    for (const g of await apiGroups(api)) {
        if (!baseline.apiGroups.has(g.name)) out.push(`group /apis/${g.preferredVersion}`);
    }
    return out;
}

/** Deletes or resets one difference. */
async function undo(api: AxiosInstance, baseline: ClusterBaseline, difference: string): Promise<void> {
    const [what, path] = difference.split(" ");
    const expectOk = (status: number, verb: string): void => {
        // 404: already gone; 409: already being deleted, or written meanwhile (the next pass sees it).
        if (status >= 300 && status !== 404 && status !== 409) {
            throw new Error(`${verb} ${path} while returning the shared cluster: HTTP ${status}`);
        }
    };
    if (what === "delete") {
        const res = await api.delete(path, { data: { propagationPolicy: "Foreground" } });
        expectOk(res.status, "DELETE");
    } else if (what === "changed" && path.includes("/serviceaccounts/")) {
        const [, , , , namespace, , name] = path.split("/");
        const was = baseline.serviceAccounts.get(`${namespace}/${name}`)!;
        const res = await api.patch(
            path,
            { secrets: was.secrets ?? null, imagePullSecrets: was.imagePullSecrets ?? null },
            { headers: { "Content-Type": "application/merge-patch+json" } },
        );
        expectOk(res.status, "PATCH");
    } else if (what === "changed") {
        const was = baseline.namespaces.get(path.split("/").pop()!)!;
        const current = (await api.get(path)).data as { metadata: ObjectMeta };
        const reset = (now: Record<string, string> = {}, then: Record<string, string> = {}) =>
            Object.fromEntries(Object.keys({ ...now, ...then }).map((k) => [k, then[k] ?? null]));
        const res = await api.patch(
            path,
            {
                metadata: {
                    labels: reset(current.metadata.labels, was.labels),
                    annotations: reset(current.metadata.annotations, was.annotations),
                },
            },
            { headers: { "Content-Type": "application/merge-patch+json" } },
        );
        expectOk(res.status, "PATCH");
    }
    // `deleting`: on its way out. `group`: goes when its CustomResourceDefinitions do.
}

/**
 * Returns the cluster to `baseline`: deletes and resets what differs, then waits until nothing
 * does (namespaces and CRDs take a while to go). Fails naming what is still there.
 */
export async function restoreBaseline(
    api: AxiosInstance,
    baseline: ClusterBaseline,
    timeoutMs = 180_000,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const left = await differences(api, baseline);
        if (left.length === 0) return;
        if (Date.now() > deadline) {
            throw new Error(
                `the shared cluster did not return to how it booted within ${timeoutMs} ms; still there:\n  ${left.join("\n  ")}`,
            );
        }
        for (const d of left) await undo(api, baseline, d);
        await new Promise((r) => setTimeout(r, 500));
    }
}
