// "Did you mean …" for error messages (cdk8s-plus `network-policy.ts` style).

/**
 * Levenshtein distance between two strings.
 * @internal
 */
export function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length];
}

/**
 * The closest candidate to `value`, if it is close enough to be a likely typo: a case
 * difference, or at most a third of the value's length in edits (and at most 3).
 * @internal
 */
export function closest(value: string, candidates: readonly string[]): string | undefined {
    const lower = value.toLowerCase();
    const exactIgnoringCase = candidates.find((c) => c.toLowerCase() === lower);
    if (exactIgnoringCase !== undefined) return exactIgnoringCase;
    const budget = Math.min(3, Math.max(1, Math.floor(value.length / 3)));
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const d = editDistance(lower, c.toLowerCase());
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return bestDistance <= budget ? best : undefined;
}

/**
 * ` Did you mean "x"?` or the empty string, ready to splice into a sentence.
 * @internal
 */
export function didYouMean(value: string, candidates: readonly string[]): string {
    const c = closest(value, candidates);
    return c === undefined ? "" : ` Did you mean "${c}"?`;
}
