// Preview placeholders and value comparison for dynamic providers. During `pulumi preview`
// an input that depends on a not-yet-created resource reaches `check` and `diff` as this
// magic string, whatever the input's type (pulumi/pulumi#6310; `rpc.unknownValue` in the
// Node.js SDK).

/**
 * The string the provider host passes for an unknown input during preview.
 * @internal
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * True when `value` is the preview placeholder.
 * @internal
 */
export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

/**
 * True when `value` is, or contains at any depth, the preview placeholder.
 * @internal
 */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

/**
 * Structural equality of JSON-like values. An object key holding `undefined` counts as
 * absent, as it does once a value has been through Pulumi state.
 * @internal
 */
export function deepEqual(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a) || Array.isArray(b)) {
        if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
        return a.every((x, i) => deepEqual(x, b[i]));
    }
    if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) {
        if (!deepEqual(ao[k], bo[k])) return false;
    }
    return true;
}
