// How error messages talk about a value given in a secret field (an API key, a `credentials`
// object, kubeconfig text) without showing it: its type, length and the kinds of character in
// it. A `check` failure or a ResourceError is printed by `pulumi preview` and kept in CI logs,
// so a swapped field (the key in `accountId`, a token where a name belongs) must not put the
// secret there.

/**
 * A description of `value` that never contains any of its characters, e.g.
 * `a 44-character string of letters, digits, "-" and "_"` or `a number`.
 * @internal
 */
export function describeSecretValue(value: unknown): string {
    if (value === undefined) return "nothing";
    if (value === null) return "null";
    if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? "" : "s"}`;
    if (typeof value === "object") return "an object";
    if (typeof value !== "string") return `a ${typeof value}`;
    if (value === "") return "an empty string";
    if (value.trim() === "") {
        return `a string of ${value.length} white-space character${value.length === 1 ? "" : "s"}`;
    }
    const kinds: string[] = [];
    if (/[A-Za-z]/.test(value)) kinds.push("letters");
    if (/[0-9]/.test(value)) kinds.push("digits");
    const marks = [...new Set(value.replace(/[A-Za-z0-9\s]/g, ""))];
    // Naming a few common marks helps tell an API key ("-", "_") from a URL (":", "/") or YAML;
    // more than a few would start to spell the value out.
    if (marks.length > 0 && marks.length <= 3 && marks.every((m) => "-_.:/".includes(m))) {
        kinds.push(...marks.map((m) => `"${m}"`));
    } else if (marks.length > 0) {
        kinds.push("other characters");
    }
    const lines = value.split("\n").length;
    const layout =
        lines > 1
            ? ` on ${lines} lines`
            : value !== value.trim()
              ? " with white space at its start or end"
              : /\s/.test(value)
                ? " with white space inside"
                : "";
    return `a ${value.length}-character string of ${listed(kinds)}${layout}`;
}

function listed(items: readonly string[]): string {
    return items.length <= 1
        ? (items[0] ?? "")
        : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
