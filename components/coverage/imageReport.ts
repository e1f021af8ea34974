// Which workloads still pull from the deprecated registry.*.bluemix.net domains, and which
// pull from an icr.io domain their namespace holds no pull secret for. IBM's advice for old
// clusters is to move image references to icr.io; this says where, and what to write instead.
// Read-only: it is computed from a listing and changes nothing. Pure: no Pulumi import.
import type { WorkloadContainer } from "../k8s/workloadImages";
import { icrImageReference, isOldRegistryDomain, registryHost } from "../shared/migration/tokenSecrets";

/** One container the report names. */
export interface ImageReportRow {
    /** The workload's namespace. */
    readonly namespace: string;
    /** The workload's kind: `Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob` or `Pod`. */
    readonly kind: string;
    /** The workload's name. */
    readonly workload: string;
    /** The container's name. */
    readonly container: string;
    /** True for an init container. */
    readonly init: boolean;
    /** The image exactly as the pod spec writes it. */
    readonly image: string;
    /**
     * `deprecatedDomain`: the image names a registry.*.bluemix.net host;
     * `noPullSecret`: it names an icr.io domain no pull secret of the namespace covers.
     */
    readonly finding: "deprecatedDomain" | "noPullSecret";
    /** For `deprecatedDomain`: the same image on its icr.io domain. */
    readonly replacement?: string;
}

/** The registry host an image reference names, or undefined for Docker Hub's short form. */
export function imageHost(image: string): string | undefined {
    const slash = image.indexOf("/");
    if (slash < 0) return undefined;
    const first = image.slice(0, slash);
    // As the container runtimes decide: a first part with a dot or a port, or localhost, is a host.
    return first.includes(".") || first.includes(":") || first === "localhost"
        ? registryHost(first)
        : undefined;
}

/** True for `icr.io` and every `*.icr.io` domain, private ones included. */
export function isIcrDomain(host: string): boolean {
    return host === "icr.io" || host.endsWith(".icr.io");
}

/**
 * The report rows for these containers, in their order.
 * @param coveredHosts per namespace, the registry hosts its pull secrets hold credentials for
 */
export function imageReport(
    containers: readonly WorkloadContainer[],
    coveredHosts: (namespace: string) => readonly string[],
): ImageReportRow[] {
    const rows: ImageReportRow[] = [];
    for (const c of containers) {
        const host = imageHost(c.image);
        if (host === undefined) continue;
        const base = {
            namespace: c.namespace,
            kind: c.kind,
            workload: c.workload,
            container: c.container,
            init: c.init,
            image: c.image,
        };
        if (isOldRegistryDomain(host)) {
            const replacement = icrImageReference(c.image);
            rows.push({ ...base, finding: "deprecatedDomain", ...(replacement ? { replacement } : {}) });
        } else if (isIcrDomain(host) && !coveredHosts(c.namespace).includes(host)) {
            rows.push({ ...base, finding: "noPullSecret" });
        }
    }
    return rows;
}

/** The rows as a plain-text table (for the demo and logs); a line saying so when there are none. */
export function formatImageReport(rows: readonly ImageReportRow[]): string {
    if (rows.length === 0)
        return "No workload pulls from a deprecated domain or from an icr.io domain without a pull secret.";
    const header = ["NAMESPACE", "WORKLOAD", "CONTAINER", "IMAGE", "USE INSTEAD / PROBLEM"];
    const lines = rows.map((r) => [
        r.namespace,
        `${r.kind}/${r.workload}`,
        r.init ? `${r.container} (init)` : r.container,
        r.image,
        r.finding === "deprecatedDomain"
            ? (r.replacement ?? "no icr.io counterpart")
            : `no pull secret for ${imageHost(r.image)} in ${r.namespace}`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    return [header, ...lines]
        .map((l) =>
            l
                .map((cell, i) => cell.padEnd(widths[i]))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
}
