// The block printed after each size, as the run goes: resource counts from state (ours and
// the floor must match), whether the two states have the same shape, the calls the servers
// saw, whether the rerun changed nothing, and the times.
import { Calls } from "./callProbe";
import { ProgramFigures, TimedRun } from "./measureProgram";
import { changedNothing } from "./resourceSummary";
import { describeCount } from "./stateShape";

/** The three programs at one size, as measured. */
export interface MeasuredSize {
    readonly namespaces: number;
    readonly bare: ProgramFigures<Calls>;
    readonly floor: ProgramFigures<Calls>;
    readonly ours: ProgramFigures<Calls>;
    /** Lines of the shape comparison that differ; empty when ours and the floor match. */
    readonly shapeDifferences: readonly string[];
}

/** How many differing shape lines to print before eliding. */
const SHOWN_DIFFERENCES = 12;

function iamCalls(run: TimedRun<Calls>): string {
    const { total, writes, ...byKind } = run.observed.iam;
    const kinds = Object.entries(byKind)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
    return `total=${total} writes=${writes}${kinds === "" ? "" : ` ${kinds}`}`;
}

function rerunVerdict(run: TimedRun<unknown>): string {
    return changedNothing(run.changes) ? "nothing" : `CHANGES ${JSON.stringify(run.changes)}`;
}

function times(p: ProgramFigures<unknown>): string {
    return `${p.up.seconds.toFixed(1)} / ${p.rerun.seconds.toFixed(1)} / ${p.preview.seconds.toFixed(1)} s`;
}

/** Per type: mean JSON bytes in state and mean `__provider` bytes, ours then the floor's. */
function byTypeLines(m: MeasuredSize): string[] {
    const types = [...new Set([...m.ours.byType.keys(), ...m.floor.byType.keys()])].sort();
    const cell = (p: ProgramFigures<unknown>, type: string): string => {
        const t = p.byType.get(type);
        if (t === undefined) return "none";
        const provider = t.meanProviderBytes > 0 ? `, __provider ${Math.round(t.meanProviderBytes)} B` : "";
        return `${t.count} x ${Math.round(t.meanBytes)} B${provider}`;
    };
    return [
        `  state by type (compact JSON, mean per resource): ours | floor`,
        ...types.map((t) => `    ${t}: ${cell(m.ours, t)} | ${cell(m.floor, t)}`),
    ];
}

export function sizeDetails(m: MeasuredSize, withTypes: boolean): string {
    const { bare, floor, ours } = m;
    const lines = [
        `namespaces=${m.namespaces}`,
        `  resources in state: ours ${describeCount(ours.count)}, floor ${describeCount(floor.count)}, ` +
            `bare ${describeCount(bare.count)}`,
        m.shapeDifferences.length === 0
            ? `  shape: ours and the floor have the same resources, parents, providers and dependencies`
            : `  shape: ours and the floor DIFFER in ${m.shapeDifferences.length} line(s):`,
        ...m.shapeDifferences.slice(0, SHOWN_DIFFERENCES).map((d) => `    ${d}`),
        ...(m.shapeDifferences.length > SHOWN_DIFFERENCES
            ? [`    ... ${m.shapeDifferences.length - SHOWN_DIFFERENCES} more`]
            : []),
        `  IAM calls (ours), up: ${iamCalls(ours.up)}`,
        `  IAM calls (ours), up again: ${iamCalls(ours.rerun)}; preview: ${iamCalls(ours.preview)}`,
        `  Kubernetes objects written, up: ours ${JSON.stringify(ours.up.observed.kube)}, ` +
            `floor ${JSON.stringify(floor.up.observed.kube)}, bare ${JSON.stringify(bare.up.observed.kube)}`,
        `  Kubernetes objects written, up again: ours ${JSON.stringify(ours.rerun.observed.kube)}, ` +
            `floor ${JSON.stringify(floor.rerun.observed.kube)}, bare ${JSON.stringify(bare.rerun.observed.kube)}`,
        `  second up changed: ours ${rerunVerdict(ours.rerun)}, floor ${rerunVerdict(floor.rerun)}, ` +
            `bare ${rerunVerdict(bare.rerun)}`,
        `  up / up again / preview: ours ${times(ours)}, floor ${times(floor)}, bare ${times(bare)}`,
        `  state: ours ${ours.stateBytes} B, floor ${floor.stateBytes} B, bare ${bare.stateBytes} B`,
        ...(withTypes ? byTypeLines(m) : []),
    ];
    return lines.join("\n");
}
