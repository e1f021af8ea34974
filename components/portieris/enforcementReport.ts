// The enforcement preview's report: for the policy set a program declares, applied over what
// the cluster already holds, which running workloads Portieris would deny and why, per
// namespace. Only namespaces whose deciding policies include a declared object are reported:
// those are the decisions the program changes. A prediction for review; Portieris enforces at
// admission, and signatures and vulnerabilities are left to it. Pure.
import { DECIDED_AT_ADMISSION, ImageDecision, policiesInForce, predictWorkload } from "./admissionPrediction";
import { ClusterSnapshot } from "./clusterSnapshot";
import { describePolicyObject, PolicyObject } from "./types";
import { Workload } from "./admittedWorkloads";

/** Label every policy object of ours carries, with a value naming the stack that owns it. */
export const OWNER_LABEL = "icr-access.pulumi.com/owner";

/** One container's predicted decision. */
export interface ContainerReport {
    /** The container's name. */
    readonly container: string;
    /** The image exactly as the pod spec writes it. */
    readonly image: string;
    /** True for an init container. */
    readonly init: boolean;
    /** What Portieris would decide for the image. */
    readonly decision: ImageDecision;
    /** The key Portieris files the decision under, when the image parses. */
    readonly key?: string;
    /** A later container of the same list with the same key, whose result Portieris keeps instead. */
    readonly supersededBy?: string;
}

/** A workload and its containers' decisions. */
export interface WorkloadReport {
    /** The workload's kind. */
    readonly kind: Workload["kind"];
    /** The workload's name. */
    readonly name: string;
    /** Its containers and init containers, each with its decision. */
    readonly containers: readonly ContainerReport[];
    /** True when any container's denial counts: Portieris denies the whole pod. */
    readonly denied: boolean;
}

/** One namespace whose decisions the declared policies change. */
export interface NamespaceReport {
    /** The namespace's name. */
    readonly namespace: string;
    /** The policies that would decide there, e.g. `ImagePolicy team-a/trusted-images`. */
    readonly decidedBy: readonly string[];
    /** The namespace's running workloads, each with its containers' decisions. */
    readonly workloads: readonly WorkloadReport[];
}

/** The whole preview. */
export interface EnforcementReport {
    /** Every namespace whose deciding policies include one the program declares. */
    readonly namespaces: readonly NamespaceReport[];
    /** `Kind namespace/name` of every workload that would be denied, sorted. */
    readonly denied: readonly string[];
}

const key = (p: Pick<PolicyObject, "kind" | "name" | "namespace">) =>
    `${p.kind}/${p.namespace ?? ""}/${p.name}`;

/**
 * The policy set after the program is applied: the cluster's objects, with those the program
 * declares in place of the same-named ones, and without this stack's objects that it no longer
 * declares (they would be deleted).
 */
export function policySetAfterApply(
    live: readonly PolicyObject[],
    declared: readonly PolicyObject[],
    owner: string,
): PolicyObject[] {
    const replaced = new Set(declared.map(key));
    const kept = live.filter((p) => !replaced.has(key(p)) && p.labels?.[OWNER_LABEL] !== owner);
    return [...kept, ...declared];
}

/** The report for `declared` over `snapshot`. `owner` is this stack's {@link OWNER_LABEL} value. */
export function buildEnforcementReport(
    snapshot: ClusterSnapshot,
    declared: readonly PolicyObject[],
    owner: string,
): EnforcementReport {
    const set = policySetAfterApply(snapshot.policies, declared, owner);
    const declaredKeys = new Set(declared.map(key));
    const byNamespace = new Map<string, NamespaceReport & { workloads: WorkloadReport[] }>();
    const namespaces = [...new Set(snapshot.workloads.map((w) => w.namespace))].sort();
    for (const namespace of namespaces) {
        const inForce = policiesInForce(set, namespace).objects;
        if (!inForce.some((p) => declaredKeys.has(key(p)))) continue;
        byNamespace.set(namespace, {
            namespace,
            decidedBy: inForce.map(describePolicyObject),
            workloads: [],
        });
    }
    for (const w of snapshot.workloads) {
        const report = byNamespace.get(w.namespace);
        if (report === undefined) continue;
        const prediction = predictWorkload(set, w.namespace, w.containers);
        const containers: ContainerReport[] = w.containers.map((c, i) => ({
            container: c.name,
            image: c.image,
            init: c.init,
            ...prediction.containers[i],
        }));
        report.workloads.push({ kind: w.kind, name: w.name, containers, denied: prediction.denied });
    }
    const reports = [...byNamespace.values()].map((r) => ({
        ...r,
        workloads: [...r.workloads].sort((a, b) =>
            `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`),
        ),
    }));
    const denied = reports
        .flatMap((r) => r.workloads.filter((w) => w.denied).map((w) => `${w.kind} ${r.namespace}/${w.name}`))
        .sort();
    return { namespaces: reports, denied };
}

function describeContainer(c: ContainerReport): string {
    return `${c.init ? "init container" : "container"} ${c.container} (${c.image})`;
}

/** The report as text, one line per container, for preview output. */
export function formatEnforcementReport(report: EnforcementReport): string {
    const lines: string[] = [
        "Enforcement preview: a prediction from Portieris's pattern rules, for review. Portieris enforces at admission; " +
            `signature and vulnerability checks are ${DECIDED_AT_ADMISSION}.`,
    ];
    if (report.namespaces.length === 0) lines.push("No running workload is decided by these policies.");
    for (const ns of report.namespaces) {
        lines.push(`namespace ${ns.namespace} (decided by ${ns.decidedBy.join(", ")}):`);
        if (ns.workloads.length === 0) lines.push("  no workloads");
        for (const w of ns.workloads) {
            for (const c of w.containers) {
                const d = c.decision;
                const what = `${w.kind} ${ns.namespace}/${w.name} ${describeContainer(c)}`;
                if (c.supersededBy !== undefined) lines.push(`  replaced: ${what}: ${supersededDetail(c)}`);
                else if (d.verdict === "denied") lines.push(`  would be denied: ${what}: ${d.detail}`);
                else if (d.verdict === "skipped") lines.push(`  not checked: ${what}: ${d.detail}`);
                else {
                    const checks = d.atAdmission.length > 0 ? `; ${d.atAdmission.join("; ")}` : "";
                    lines.push(`  admitted by pattern: ${what}: ${d.policy} pattern "${d.pattern}"${checks}`);
                }
            }
        }
    }
    return lines.join("\n");
}

/** Why a replaced container's own decision does not count (controller.go keys decisions by image). */
function supersededDetail(c: ContainerReport): string {
    const own =
        c.decision.verdict === "denied"
            ? `on its own it would be denied (${c.decision.detail})`
            : c.decision.verdict === "admitted"
              ? `on its own it is admitted by ${c.decision.policy} pattern "${c.decision.pattern}"`
              : "on its own it is not checked";
    return (
        `${own}, but Portieris files each ${c.init ? "init container's" : "container's"} result under the ` +
        `image's normalized name (${c.key}) and keeps only the later ${c.init ? "init container" : "container"} ` +
        `${c.supersededBy}'s result there`
    );
}

/** The denials of one workload that count, each `container c (image): why`. */
function countedDenials(w: WorkloadReport): string[] {
    return w.containers.flatMap((c) =>
        c.decision.verdict === "denied" &&
        (c.supersededBy === undefined || c.decision.reason === "request-fails")
            ? [`${describeContainer(c)}: ${c.decision.detail}`]
            : [],
    );
}

/** One line per denied workload: `Kind namespace/name: container c (image): why; …`, sorted. */
export function denialDetails(report: EnforcementReport): string[] {
    return report.namespaces
        .flatMap((ns) =>
            ns.workloads
                .filter((w) => w.denied)
                .map((w) => [`${w.kind} ${ns.namespace}/${w.name}`, countedDenials(w).join("; ")] as const),
        )
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([id, why]) => `${id}: ${why}`);
}

/**
 * The error for a set that would deny running workloads: a first line with their number, one
 * line per denied workload, and a last line naming the argument that allows it.
 */
export function denialRefusal(report: EnforcementReport, allowField: string): string | undefined {
    if (report.denied.length === 0) return undefined;
    return [
        `these policies would deny ${report.denied.length} running workload(s) at their next rollout:`,
        ...denialDetails(report).map((d) => ` - ${d}`),
        `Admit their images (add patterns), or set ${allowField}: true to apply the policies anyway.`,
    ].join("\n");
}
