// Which namespace counts the benchmark runs: `npm run bench -- 1,10` (or `-- 1 10`), else
// BENCH_NAMESPACES="1,10", else the sizes the README's figures and goals are stated for.

/** The default sizes; the goals are judged at 50 and 200. */
export const DEFAULT_SIZES: readonly number[] = [1, 10, 50, 200];

/** Namespace counts from the command line, then BENCH_NAMESPACES, ascending and without repeats. */
export function benchSizes(argv: readonly string[], env: NodeJS.ProcessEnv): number[] {
    const text = argv.length > 0 ? argv.join(",") : (env.BENCH_NAMESPACES ?? "");
    const words = text.split(/[\s,]+/).filter((w) => w !== "");
    if (words.length === 0) return [...DEFAULT_SIZES];
    const bad = words.filter((w) => !/^[1-9][0-9]*$/.test(w));
    if (bad.length > 0) {
        throw new Error(
            `namespace counts must be positive integers, e.g. \`npm run bench -- 1,10\`; got ${bad.join(", ")}`,
        );
    }
    return [...new Set(words.map(Number))].sort((a, b) => a - b);
}
