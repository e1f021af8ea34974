// Whose a Namespace or Secret is, as the creation guard decides it: the object must be absent,
// or carry the stack's owner id in CREATED_BY_ANNOTATION, written on it by the component that
// created it. Used by the program (which writes the mark and names the objects it guards) and
// by the guard's dynamic provider (which reads the live objects). Pure.

/** Annotation on the Namespaces and Secrets the library creates: the stack's owner id. @internal */
export const CREATED_BY_ANNOTATION = "pulumi-icr-access/created-by";

/** One object a component is about to create. @internal */
export interface GuardedObject {
    readonly kind: "Namespace" | "Secret";
    /** The Secret's namespace. */
    readonly namespace?: string;
    readonly name: string;
    /** The argument that asks for it, as the user wrote it (e.g. `namespaces.shop.createNamespace`). */
    readonly field: string;
    /** What taking it over would do, and the fix. */
    readonly consequence: string;
}

/** The parts of a live object the decision reads. @internal */
export interface LiveObjectMeta {
    readonly annotations?: Record<string, string>;
}

/**
 * Why creating `object` would take over someone else's, or undefined when it does not exist
 * (`live` undefined) or carries one of `marks`. Pure.
 * @internal
 */
export function takeoverProblem(
    object: GuardedObject,
    live: LiveObjectMeta | undefined,
    marks: readonly string[],
): string | undefined {
    if (live === undefined) return undefined;
    const recorded = live.annotations?.[CREATED_BY_ANNOTATION];
    if (recorded !== undefined && marks.includes(recorded)) return undefined;
    const what =
        object.kind === "Namespace"
            ? `namespace "${object.name}"`
            : `Secret "${object.namespace}/${object.name}"`;
    const whose =
        recorded === undefined
            ? "this stack did not create it (it carries no pulumi-icr-access/created-by mark)"
            : `another stack created it (pulumi-icr-access/created-by: ${recorded})`;
    return `${object.field}: ${what} already exists and ${whose}. Nothing was created or changed. ${object.consequence}`;
}
