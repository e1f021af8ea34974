// Growth of `up` time with the number of namespaces, and the goals the README's figures are
// held to, printed as met or not met (never asserted: wall time on a shared 2-core machine
// is a figure, not a test). The floor runs the same resources with none of our code, so
// when it grows as well, the growth is the engine's, and this says so.
import type { LargestSizeFigures } from "./largestSizeRuns";
import { SizeResult } from "./sizeResult";

/** `up` at these sizes is to be within UP_RATIO_GOAL of the floor's. */
const UP_GOAL_SIZES: readonly number[] = [50, 200];
const UP_RATIO_GOAL = 1.5;
/** `up` time per namespace from GROWTH_FROM to GROWTH_TO is to grow at most the floor's growth plus GROWTH_MARGIN. */
const GROWTH_FROM = 50;
const GROWTH_TO = 200;
const GROWTH_MARGIN = 0.1;
/** A preview of the largest plan (every regional domain, GROWTH_TO namespaces) within this many seconds. */
const WIDE_PREVIEW_GOAL_S = 60;
/** Stretch: `up` at GROWTH_TO namespaces within this many times the bare-Secrets program's. */
const BARE_RATIO_STRETCH = 10;

type Program = "ours" | "floor" | "bare";
const PROGRAMS: readonly Program[] = ["ours", "floor", "bare"];

const x = (v: number): string => `${v.toFixed(2)}x`;
const verdict = (ok: boolean): string => (ok ? "met" : "not met");

function at(results: readonly SizeResult[], n: number): SizeResult | undefined {
    return results.find((r) => r.namespaces === n);
}

/**
 * Up time per namespace at b over that at a: 1.0 is linear. The fixed start-up (CLI, language
 * host, plugins: seconds) is spread over more namespaces at b, so this understates growth;
 * the marginal figures below do not include it.
 */
function growth(a: SizeResult, b: SizeResult, p: Program): number {
    return b[p].up / b.namespaces / (a[p].up / a.namespaces);
}

function perNamespaceLine(results: readonly SizeResult[], p: Program): string {
    return results.map((r) => `${r.namespaces}: ${(r[p].up / r.namespaces).toFixed(2)} s`).join(", ");
}

/** What each namespace added between consecutive sizes: free of the fixed start-up cost. */
function marginalLine(results: readonly SizeResult[], p: Program): string {
    const steps = results.slice(1).map((b, i) => {
        const a = results[i];
        return `${a.namespaces}->${b.namespaces}: ${((b[p].up - a[p].up) / (b.namespaces - a.namespaces)).toFixed(2)} s`;
    });
    return steps.length > 0 ? steps.join(", ") : "needs two sizes";
}

export function growthAndGoals(results: readonly SizeResult[], largest?: LargestSizeFigures): string {
    const out: string[] = ["Up time per namespace (up s / namespaces):"];
    for (const p of PROGRAMS) out.push(`  ${p.padEnd(5)}  ${perNamespaceLine(results, p)}`);
    out.push("Marginal up time per added namespace, between consecutive sizes:");
    for (const p of PROGRAMS) out.push(`  ${p.padEnd(5)}  ${marginalLine(results, p)}`);

    const from = at(results, GROWTH_FROM);
    const to = at(results, GROWTH_TO);
    if (from !== undefined && to !== undefined) {
        out.push(
            `Growth of up time per namespace from ${GROWTH_FROM} to ${GROWTH_TO} namespaces: ` +
                PROGRAMS.map((p) => `${p} ${x(growth(from, to, p))}`).join(", "),
        );
    } else if (results.length >= 2) {
        // Not the goal's sizes, but the same figure for the two largest that ran.
        const [a, b] = results.slice(-2);
        out.push(
            `Growth of up time per namespace from ${a.namespaces} to ${b.namespaces} namespaces ` +
                `(the goal is judged from ${GROWTH_FROM} to ${GROWTH_TO}): ` +
                PROGRAMS.map((p) => `${p} ${x(growth(a, b, p))}`).join(", "),
        );
    }

    out.push("Goals (reported, not asserted):");
    for (const size of UP_GOAL_SIZES) {
        const r = at(results, size);
        out.push(
            `  up at ${size} namespaces within ${UP_RATIO_GOAL}x the floor: ` +
                (r === undefined
                    ? `not measured (run the ${size}-namespace size)`
                    : `ours/floor ${x(r.ours.up / r.floor.up)}: ${verdict(r.ours.up / r.floor.up <= UP_RATIO_GOAL)}`),
        );
    }
    const growthGoal = `up time per namespace from ${GROWTH_FROM} to ${GROWTH_TO} namespaces grows at most the floor's growth + ${GROWTH_MARGIN * 100}%`;
    if (from === undefined || to === undefined) {
        out.push(`  ${growthGoal}: not measured (run the ${GROWTH_FROM}- and ${GROWTH_TO}-namespace sizes)`);
    } else {
        const ours = growth(from, to, "ours");
        const floor = growth(from, to, "floor");
        const limit = floor * (1 + GROWTH_MARGIN);
        out.push(
            `  ${growthGoal}: ours ${x(ours)}, floor ${x(floor)}, limit ${x(limit)}: ${verdict(ours <= limit)}`,
        );
    }
    const wideGoal = `preview of ${GROWTH_TO} namespaces with every regional domain within ${WIDE_PREVIEW_GOAL_S} s`;
    if (largest === undefined || largest.namespaces !== GROWTH_TO) {
        out.push(
            `  ${wideGoal}: not measured` +
                (largest === undefined
                    ? ""
                    : ` (at ${largest.namespaces} namespaces and ${largest.domains} domains: ` +
                      `${largest.allDomainsPreview.toFixed(1)} s for ${largest.allDomainsResources} resources)`),
        );
    } else {
        out.push(
            `  ${wideGoal}: ${largest.allDomainsPreview.toFixed(1)} s (${largest.domains} domains, ` +
                `${largest.allDomainsResources} resources): ${verdict(largest.allDomainsPreview <= WIDE_PREVIEW_GOAL_S)}`,
        );
    }
    const bareAt = to ?? results[results.length - 1];
    if (bareAt !== undefined) {
        out.push(
            `  stretch: up at ${bareAt.namespaces} namespaces within ${BARE_RATIO_STRETCH}x the bare Secrets: ` +
                `ours/bare ${x(bareAt.ours.up / bareAt.bare.up)}` +
                (bareAt.namespaces === GROWTH_TO
                    ? `: ${verdict(bareAt.ours.up / bareAt.bare.up <= BARE_RATIO_STRETCH)}`
                    : ` (judged at ${GROWTH_TO})`),
        );
    }
    if (largest !== undefined) {
        const withCheckpoints = at(results, largest.namespaces)?.ours.up;
        out.push(
            `PULUMI_SKIP_CHECKPOINTS=true at ${largest.namespaces} namespaces: up ${largest.skipCheckpointsUp.toFixed(1)} s` +
                (withCheckpoints === undefined
                    ? ""
                    : ` against ${withCheckpoints.toFixed(1)} s with checkpoints (${x(withCheckpoints / largest.skipCheckpointsUp)} faster).`) +
                " Not the default: the engine then writes state only when the run ends, so an up killed on the way " +
                "records nothing it made (docs/performance.md).",
        );
    }
    if (from !== undefined && to !== undefined) {
        const floor = growth(from, to, "floor");
        out.push(
            floor > 1.3
                ? `The floor itself grows ${x(floor)} with none of our code: the engine is superlinear on the file ` +
                      `backend at this many resources (it rewrites the whole state after every step).`
                : `The floor grows ${x(floor)}: the engine is not what would make ours grow.`,
        );
    }
    return out.join("\n");
}
