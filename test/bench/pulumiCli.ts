// Runs `pulumi up`, `pulumi preview` and `pulumi destroy` for a benchmark stack by starting
// the CLI itself, as a user does, in the stack's working copy with the sandbox's
// environment. Not through ProgramStack.up()/preview(): those add an `--event-log` that the
// engine writes for every event and `--diff` rendering, and `up` then runs the CLI twice
// more (`stack output`, `stack history`), all of which would be timed as if it were `up`.
import { ProgramStack } from "../bed/pulumi";
import { resourceSummary } from "./resourceSummary";

/** The operations the benchmark times. */
export type Operation = "up" | "preview" | "destroy";

const ARGS: Record<Operation, readonly string[]> = {
    // --skip-preview, so that `up` and `preview` are timed apart (a user's `pulumi up --yes`
    // is the two in a row).
    up: ["up", "--yes", "--skip-preview"],
    preview: ["preview"],
    destroy: ["destroy", "--yes", "--skip-preview"],
};

/** One CLI run: its wall time, from start to exit, and the change counts it printed. */
export interface CliRun {
    readonly seconds: number;
    readonly changes: Record<string, number>;
}

export async function runPulumi(stack: ProgramStack, op: Operation): Promise<CliRun> {
    const t0 = process.hrtime.bigint();
    const stdout = await stack.cli(ARGS[op]);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { seconds, changes: resourceSummary(stdout) };
}
