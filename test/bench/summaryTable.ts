// The plain table printed at the end: per size, each program's figures, then ours as a
// ratio to the floor (our own cost) and to bare Secrets (the cost a user sees against the
// simplest program).
import { bytesPerResource, Figures, SizeResult } from "./sizeResult";

const HEADER = [
    "namespaces",
    "program",
    "resources",
    "up s",
    "up again s",
    "preview s",
    "state bytes",
    "bytes/resource",
];

const seconds = (s: number): string => s.toFixed(1);
const bytes = (b: number): string => Math.round(b).toLocaleString("en-US");
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;

function figureCells(f: Figures): string[] {
    return [
        String(f.resources),
        seconds(f.up),
        seconds(f.rerun),
        seconds(f.preview),
        bytes(f.stateBytes),
        bytes(bytesPerResource(f)),
    ];
}

function ratioCells(a: Figures, b: Figures): string[] {
    return [
        ratio(a.resources, b.resources),
        ratio(a.up, b.up),
        ratio(a.rerun, b.rerun),
        ratio(a.preview, b.preview),
        ratio(a.stateBytes, b.stateBytes),
        ratio(bytesPerResource(a), bytesPerResource(b)),
    ];
}

export function summaryTable(results: readonly SizeResult[]): string {
    const rows: string[][] = [HEADER];
    for (const r of results) {
        const n = String(r.namespaces);
        rows.push([n, "bare", ...figureCells(r.bare)]);
        rows.push([n, "floor", ...figureCells(r.floor)]);
        rows.push([n, "ours", ...figureCells(r.ours)]);
        rows.push([n, "ours/floor", ...ratioCells(r.ours, r.floor)]);
        rows.push([n, "ours/bare", ...ratioCells(r.ours, r.bare)]);
    }
    const widths = HEADER.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    // Text columns left-aligned, numbers right-aligned, as a reader scans them.
    const line = (row: string[]): string =>
        row
            .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
            .join("  ")
            .trimEnd();
    const rule = widths.map((w) => "-".repeat(w)).join("  ");
    return [line(rows[0]), rule, ...rows.slice(1).map(line)].join("\n");
}
