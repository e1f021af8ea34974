// The change counts in the "Resources:" block the CLI prints at the end of `up`, `preview`
// and `destroy` ("+ 12 created", "+ 12 to create", "3 unchanged"), by the engine's step
// names, so that a rerun can be shown to have changed nothing without an event log.

const OPS: Record<string, string> = {
    created: "create",
    "to create": "create",
    updated: "update",
    "to update": "update",
    deleted: "delete",
    "to delete": "delete",
    replaced: "replace",
    "to replace": "replace",
    unchanged: "same",
};

/** Counts by step ("create", "update", "delete", "replace", "same", or the CLI's own words). */
export function resourceSummary(stdout: string): Record<string, number> {
    const lines = stdout.split("\n");
    const start = lines.findIndex((l) => l.trim() === "Resources:");
    const out: Record<string, number> = {};
    if (start < 0) return out;
    for (const line of lines.slice(start + 1)) {
        const m = /^\s*(?:[-+~]+\s*)?(\d+) (.+?)\s*$/.exec(line);
        if (m === null) break;
        const op = OPS[m[2]] ?? m[2];
        out[op] = (out[op] ?? 0) + Number(m[1]);
    }
    return out;
}

/** Whether a run changed nothing: every resource it counted is unchanged. */
export function changedNothing(changes: Record<string, number>): boolean {
    return Object.keys(changes).length > 0 && Object.keys(changes).every((op) => op === "same");
}
