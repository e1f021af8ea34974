// Moved to ../shared/unknown.ts; re-exported here for the modules that still import it from
// here. As plain values rather than `export *` getters, so that a provider serialized by value
// (state written before the provider shims) captures no more than it did.
import * as moved from "../shared/unknown";

export const UNKNOWN = moved.UNKNOWN;
export const isUnknown = moved.isUnknown;
export const containsUnknown = moved.containsUnknown;
export const deepEqual = moved.deepEqual;
