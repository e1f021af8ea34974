// One program at one size, on a fresh stack: `up`, a second `up` that must change nothing,
// `preview`, each timed as the CLI's wall time; the state file after the first `up`; then
// `destroy` and `stack rm`, so that the next program and the next size start from nothing
// (the namespaces excepted) and the backend does not grow across sizes.
import { ConfigMap } from "@pulumi/pulumi/automation";
import { ProgramStack, PulumiSandbox } from "../bed/pulumi";
import { runPulumi } from "./pulumiCli";
import { bytesByType, TypeBytes } from "./stateBytesByType";
import { countResources, ResourceCount, stateShape } from "./stateShape";
import { readStackState } from "./stackState";

/** Something observed around each timed run, e.g. API calls counted by the servers. */
export interface Probe<T> {
    before(): Promise<void>;
    after(): Promise<T>;
}

/** One timed run and what the probe saw during it. */
export interface TimedRun<T> {
    readonly seconds: number;
    readonly changes: Record<string, number>;
    readonly observed: T;
}

/** What the benchmark keeps of one program at one size. */
export interface ProgramFigures<T> {
    readonly up: TimedRun<T>;
    readonly rerun: TimedRun<T>;
    readonly preview: TimedRun<T>;
    /** The checkpoint file's size after the first `up`. */
    readonly stateBytes: number;
    readonly count: ResourceCount;
    readonly shape: string[];
    readonly byType: Map<string, TypeBytes>;
}

export interface ProgramRun<T> {
    readonly sandbox: PulumiSandbox;
    readonly programDir: string;
    readonly stackName: string;
    readonly config: ConfigMap;
    readonly namespaces: readonly string[];
    readonly probe: Probe<T>;
}

export async function measureProgram<T>(run: ProgramRun<T>): Promise<ProgramFigures<T>> {
    const stack = await run.sandbox.stack(run.programDir, run.stackName, run.config);
    const timed = async (op: "up" | "preview"): Promise<TimedRun<T>> => {
        await run.probe.before();
        const { seconds, changes } = await runPulumi(stack, op);
        return { seconds, changes, observed: await run.probe.after() };
    };
    let figures: ProgramFigures<T>;
    try {
        const up = await timed("up");
        const state = await readStackState(stack);
        const rerun = await timed("up");
        const preview = await timed("preview");
        figures = {
            up,
            rerun,
            preview,
            stateBytes: state.bytes,
            count: countResources(state.resources, run.namespaces),
            shape: stateShape(state.resources),
            byType: bytesByType(state.resources),
        };
    } catch (err) {
        // Clean up after a failure too, but report the failure, not the clean-up's.
        await removeStack(stack, run.stackName).catch((e: unknown) =>
            console.error(`cleaning up stack ${run.stackName} after a failure: ${e}`),
        );
        throw err;
    }
    await removeStack(stack, run.stackName);
    return figures;
}

async function removeStack(stack: ProgramStack, name: string): Promise<void> {
    await runPulumi(stack, "destroy");
    await stack.stack.workspace.removeStack(name);
}
