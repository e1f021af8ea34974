// Where state bytes go: per resource type, the mean size of a resource's JSON and of the
// serialized dynamic provider (`__provider`) it carries, which is the figure the provider
// shims were made to shrink. Compact JSON: the file itself is indented, so it is larger.
import { CheckpointResource } from "./stackState";

/** Per type: how many, mean compact JSON bytes, mean `__provider` bytes (0 when none). */
export interface TypeBytes {
    readonly count: number;
    readonly meanBytes: number;
    readonly meanProviderBytes: number;
}

export function bytesByType(resources: readonly CheckpointResource[]): Map<string, TypeBytes> {
    const sums = new Map<string, { count: number; bytes: number; provider: number }>();
    for (const r of resources) {
        const s = sums.get(r.type) ?? { count: 0, bytes: 0, provider: 0 };
        const provider = r.inputs?.__provider;
        s.count++;
        s.bytes += JSON.stringify(r).length;
        s.provider += typeof provider === "string" ? provider.length : 0;
        sums.set(r.type, s);
    }
    return new Map(
        [...sums].map(([type, s]) => [
            type,
            { count: s.count, meanBytes: s.bytes / s.count, meanProviderBytes: s.provider / s.count },
        ]),
    );
}
