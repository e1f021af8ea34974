// A stack's state as the file backend keeps it: the checkpoint file the engine rewrites after
// every step, which is what makes state size a cost of `up` time. Read from disk, not with
// `pulumi stack export`, so the bytes are the ones the engine writes.
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { ProgramStack, StateResource } from "../bed/pulumi";

/** A resource in the checkpoint, with the fields the benchmark compares. */
export interface CheckpointResource extends StateResource {
    provider?: string;
}

/** The stack's checkpoint file: its size on disk and its resources. */
export interface StackState {
    readonly file: string;
    readonly bytes: number;
    readonly resources: CheckpointResource[];
}

interface Checkpoint {
    checkpoint?: { latest?: { resources?: CheckpointResource[] } };
}

export async function readStackState(stack: ProgramStack): Promise<StackState> {
    const project = (await stack.stack.workspace.projectSettings()).name;
    const stacks = path.join(stack.sandbox.backendDir, ".pulumi", "stacks");
    // Project-scoped layout first (what a new file backend uses), then the legacy one.
    const candidates = [path.join(stacks, project, stack.stack.name), path.join(stacks, stack.stack.name)]
        .flatMap((base) => [`${base}.json`, `${base}.json.gz`])
        .filter((f) => fs.existsSync(f));
    if (candidates.length === 0) {
        throw new Error(`no state file for stack ${stack.stack.name} of project ${project} under ${stacks}`);
    }
    const file = candidates[0];
    const raw = fs.readFileSync(file);
    const text = (file.endsWith(".gz") ? zlib.gunzipSync(raw) : raw).toString("utf8");
    const resources = (JSON.parse(text) as Checkpoint).checkpoint?.latest?.resources ?? [];
    return { file, bytes: raw.length, resources };
}
