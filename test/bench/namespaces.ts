// The Kubernetes namespaces of one benchmark size. They exist before any program runs, so
// no program pays for them, and each size has its own, so sizes never share objects. Names
// are zero-padded to one width, so that no namespace's name is a prefix of another's and
// a resource can be attributed to its namespace by name (see stateShape.ts).
import { LocalCluster } from "../bed/cluster";

/** The namespace names for a size: bench-<n>-000, bench-<n>-001, ... */
export function namespaceNames(n: number): string[] {
    const width = String(n - 1).length;
    return Array.from({ length: n }, (_, i) => `bench-${n}-${String(i).padStart(width, "0")}`);
}

/** Creates the namespaces and waits until the controller manager has given each its `default` account. */
export async function createNamespaces(cluster: LocalCluster, names: readonly string[]): Promise<void> {
    for (const ns of names) {
        const res = await cluster.api.post("/api/v1/namespaces", { metadata: { name: ns } });
        if (res.status !== 201 && res.status !== 409) {
            throw new Error(`creating namespace ${ns}: HTTP ${res.status} ${JSON.stringify(res.data)}`);
        }
    }
    const deadline = Date.now() + 120_000;
    for (const ns of names) {
        while ((await cluster.api.get(`/api/v1/namespaces/${ns}/serviceaccounts/default`)).status !== 200) {
            if (Date.now() > deadline) throw new Error(`namespace ${ns} has no default service account`);
            await new Promise((r) => setTimeout(r, 100));
        }
    }
}
