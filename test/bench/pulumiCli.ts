// Runs `pulumi up`, `pulumi preview` and `pulumi destroy` for a benchmark stack by starting
// the CLI itself, as a user does, in the stack's working copy with the sandbox's
// environment. Not through ProgramStack.up()/preview(): those add an `--event-log` that the
// engine writes for every event and `--diff` rendering, and `up` then runs the CLI twice
// more (`stack output`, `stack history`), all of which would be timed as if it were `up`.
import { execFile } from "child_process";
import * as path from "path";
import { ProgramStack } from "../bed/pulumi";
import { toolchain } from "../bed/toolchain";
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
    const pulumi = toolchain().pulumi;
    const args = [...ARGS[op], "--stack", stack.stack.name, "--non-interactive"];
    const env = {
        ...process.env,
        ...stack.sandbox.envVars,
        // As the Automation API does: the CLI's directory first, where its plugins sit.
        PATH: `${path.dirname(pulumi)}${path.delimiter}${process.env.PATH ?? ""}`,
    };
    const t0 = process.hrtime.bigint();
    const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
            pulumi,
            args,
            { cwd: stack.stack.workspace.workDir, env, maxBuffer: 256 << 20 },
            (err, out, errOut) => {
                if (err === null) return resolve(out);
                // The end of the output holds the engine's diagnostics.
                const tail = `${out}\n${errOut}`.trim().split("\n").slice(-40).join("\n");
                reject(new Error(`pulumi ${op} of stack ${stack.stack.name} failed:\n${tail}`));
            },
        );
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { seconds, changes: resourceSummary(stdout) };
}
