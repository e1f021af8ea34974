// What is in a namespace, kind by kind, as the API server's discovery lists the kinds: every
// namespaced resource that can be listed, in the core group and every served group's preferred
// version. Used before a namespace this stack created is deleted (./namespaceRemovalGuard.ts),
// so that nothing that is not the stack's goes with it. Runs in the dynamic-provider host.
//
// Left out, because they are not anyone's data or go with something that is listed:
// - what Kubernetes itself puts in every namespace: ServiceAccount `default` (made by the
//   service-account controller) and ConfigMap `kube-root-ca.crt` (the root-CA publisher);
//   Secrets of type kubernetes.io/service-account-token (made for service accounts by old
//   clusters' token controller);
// - Events (core and events.k8s.io), which expire by themselves;
// - objects with an ownerReference: they are deleted with their owner, which is listed.
import type { KubeClient } from "../../clients/kube/client";

interface ApiResourceList {
    groupVersion?: string;
    resources?: { name: string; kind: string; namespaced?: boolean; verbs?: string[] }[];
}

interface ApiGroupList {
    groups?: { name: string; preferredVersion?: { groupVersion?: string } }[];
}

interface ListedObject {
    metadata?: { name?: string; ownerReferences?: unknown[] };
    type?: string;
}

/** One object found: `Kind/name`. */
export type FoundObject = string;

const SKIPPED_KINDS = new Set(["Event"]);

function isKubernetesDefault(kind: string, o: ListedObject): boolean {
    const name = o.metadata?.name ?? "";
    if (kind === "ServiceAccount" && name === "default") return true;
    if (kind === "ConfigMap" && name === "kube-root-ca.crt") return true;
    if (kind === "Secret" && o.type === "kubernetes.io/service-account-token") return true;
    return false;
}

/** The namespaced, listable kinds the API server serves: [collection path prefix, resource, kind]. */
async function listableKinds(
    client: KubeClient,
): Promise<{ base: string; resource: string; kind: string }[]> {
    const out: { base: string; resource: string; kind: string }[] = [];
    const add = (base: string, list: ApiResourceList | undefined) => {
        for (const r of list?.resources ?? []) {
            if (!r.namespaced || r.name.includes("/") || !(r.verbs ?? []).includes("list")) continue;
            if (SKIPPED_KINDS.has(r.kind)) continue;
            out.push({ base, resource: r.name, kind: r.kind });
        }
    };
    add("/api/v1", (await client.get<ApiResourceList>("/api/v1")).data);
    const groups = (await client.get<ApiGroupList>("/apis")).data?.groups ?? [];
    for (const g of groups) {
        const gv = g.preferredVersion?.groupVersion;
        if (!gv) continue;
        const res = await client.get<ApiResourceList>(`/apis/${gv}`);
        if (res.status === 404) continue;
        add(`/apis/${gv}`, res.data);
    }
    // One kind served by two groups (e.g. events in core and events.k8s.io): list it once.
    const seen = new Set<string>();
    return out.filter((k) =>
        seen.has(`${k.kind}/${k.resource}`) ? false : (seen.add(`${k.kind}/${k.resource}`), true),
    );
}

/**
 * A reader of what is in namespaces of one cluster: for a namespace, the objects that are neither
 * Kubernetes' own nor in `ours` (`Kind/name`), sorted; undefined when the namespace does not
 * exist. The API server's discovery is read once per reader, however many namespaces it reads.
 */
export function foreignObjectsReader(
    client: KubeClient,
): (namespace: string, ours: readonly string[]) => Promise<FoundObject[] | undefined> {
    let kinds: Promise<{ base: string; resource: string; kind: string }[]> | undefined;
    return async (namespace, ours) => {
        const exists = await client.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}`);
        if (exists.status === 404) return undefined;
        const mine = new Set(ours);
        const found: FoundObject[] = [];
        for (const k of await (kinds ??= listableKinds(client))) {
            const items = await client.list<ListedObject>(
                `${k.base}/namespaces/${encodeURIComponent(namespace)}/${k.resource}`,
            );
            for (const o of items ?? []) {
                if ((o.metadata?.ownerReferences ?? []).length > 0) continue;
                if (isKubernetesDefault(k.kind, o)) continue;
                const id = `${k.kind}/${o.metadata?.name ?? ""}`;
                if (!mine.has(id)) found.push(id);
            }
        }
        return [...new Set(found)].sort();
    };
}
