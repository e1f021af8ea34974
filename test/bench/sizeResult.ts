// The figures the summary compares, per program and size: all the benchmark keeps once a
// size is done (state shapes and per-run details are printed and dropped), so memory stays
// flat however many sizes run.
import { ProgramFigures } from "./measureProgram";

/** One program at one size. Times in seconds. */
export interface Figures {
    readonly up: number;
    readonly rerun: number;
    readonly preview: number;
    readonly stateBytes: number;
    readonly resources: number;
}

/** The three programs at one size. */
export interface SizeResult {
    readonly namespaces: number;
    readonly bare: Figures;
    readonly floor: Figures;
    readonly ours: Figures;
}

export function figuresOf<T>(p: ProgramFigures<T>): Figures {
    return {
        up: p.up.seconds,
        rerun: p.rerun.seconds,
        preview: p.preview.seconds,
        stateBytes: p.stateBytes,
        resources: p.count.total,
    };
}

/** State bytes per resource in state (the stack and providers included). */
export function bytesPerResource(f: Figures): number {
    return f.stateBytes / f.resources;
}
