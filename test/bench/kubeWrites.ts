// Kubernetes objects written, from the API server's own request counters (/metrics), so
// the figure covers every client: the Kubernetes provider and our service-account patches.
import { LocalCluster } from "../bed/cluster";

const WRITE_VERBS = new Set(["POST", "PUT", "PATCH", "DELETE", "APPLY"]);
/** The resources the programs write; the controller manager's own writes elsewhere are noise. */
const REPORTED = new Set(["secrets", "serviceaccounts", "namespaces"]);

/** Write requests the API server has counted so far, by resource (subresources left out). */
export type WriteCounts = Map<string, number>;

export async function kubeWrites(cluster: LocalCluster): Promise<WriteCounts> {
    const text = (await cluster.api.get<string>("/metrics", { responseType: "text" })).data;
    const out: WriteCounts = new Map();
    for (const line of text.split("\n")) {
        if (!line.startsWith("apiserver_request_total{")) continue;
        const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (!WRITE_VERBS.has(labels.verb) || labels.subresource) continue;
        const n = Number(line.slice(line.lastIndexOf(" ") + 1));
        out.set(labels.resource, (out.get(labels.resource) ?? 0) + n);
    }
    return out;
}

/** The reported resources' writes between two readings. */
export function writesBetween(before: WriteCounts, after: WriteCounts): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of after) {
        const d = v - (before.get(k) ?? 0);
        if (d > 0 && REPORTED.has(k)) out[k] = d;
    }
    return out;
}
