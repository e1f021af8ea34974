// The shape of a stack: its resources with their parents, dependencies and providers, with
// the stack and project names taken out of every URN, so that the floor's state can be
// shown to have exactly the real stack's resources and edges. Also how many resources each
// namespace adds, counted from state rather than assumed.
import { CheckpointResource } from "./stackState";

/**
 * `urn:pulumi:<stack>::<project>::<type>::<name>` without its stack and project; the Stack
 * resource's own name is `<project>-<stack>`, so it goes too.
 */
function localUrn(urn: string): string {
    const [type, ...name] = urn.split("::").slice(2);
    return type === "pulumi:pulumi:Stack" ? type : [type, ...name].join("::");
}

/** A provider reference, `<urn>::<id>`, without its stack, project or (random) id. */
function localProvider(ref: string): string {
    return localUrn(ref.slice(0, ref.lastIndexOf("::")));
}

/** One line per resource: what it is, and every edge it has, in a comparable form. */
export function stateShape(resources: readonly CheckpointResource[]): string[] {
    return resources
        .map((r) =>
            [
                localUrn(r.urn),
                `parent=${r.parent === undefined ? "-" : localUrn(r.parent)}`,
                `provider=${r.provider === undefined ? "-" : localProvider(r.provider)}`,
                `dependsOn=[${(r.dependencies ?? []).map(localUrn).sort().join(", ")}]`,
            ].join(" "),
        )
        .sort();
}

/** Lines of one shape missing from the other, both ways; empty when the shapes are equal. */
export function shapeDifferences(ours: readonly string[], floor: readonly string[]): string[] {
    const inFloor = new Set(floor);
    const inOurs = new Set(ours);
    return [
        ...ours.filter((l) => !inFloor.has(l)).map((l) => `only in ours:  ${l}`),
        ...floor.filter((l) => !inOurs.has(l)).map((l) => `only in floor: ${l}`),
    ];
}

/** Resources per namespace and outside any namespace, from state. */
export interface ResourceCount {
    readonly total: number;
    /** Resources not named for a namespace: the stack, providers, the cluster component. */
    readonly fixed: number;
    /** Resources per namespace, when every namespace has the same number; else undefined. */
    readonly perNamespace: number | undefined;
}

/**
 * Counts by name: our resources are named `<prefix>-<namespace>` or `<prefix>-<namespace>-<suffix>`
 * (the benchmark's namespace names are of one width, so none is a prefix of another).
 */
export function countResources(
    resources: readonly CheckpointResource[],
    namespaces: readonly string[],
): ResourceCount {
    const counts = new Map(namespaces.map((ns) => [ns, 0]));
    let fixed = 0;
    for (const r of resources) {
        const name = r.urn.slice(r.urn.lastIndexOf("::") + 2);
        const ns = namespaces.find((n) => name.endsWith(`-${n}`) || name.includes(`-${n}-`));
        if (ns === undefined) fixed++;
        else counts.set(ns, counts.get(ns)! + 1);
    }
    const distinct = new Set(counts.values());
    return {
        total: resources.length,
        fixed,
        perNamespace: distinct.size === 1 ? [...distinct][0] : undefined,
    };
}

/** "8 per namespace + 4" (or "uneven" when namespaces differ). */
export function describeCount(c: ResourceCount): string {
    const per = c.perNamespace === undefined ? "uneven per namespace" : `${c.perNamespace} per namespace`;
    return `${c.total} (${per} + ${c.fixed})`;
}
