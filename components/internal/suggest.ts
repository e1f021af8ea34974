// Moved to ../shared/suggest.ts; re-exported here for the modules that still import it from
// here. As plain values rather than `export *` getters, so that a provider serialized by value
// (state written before the provider shims) captures no more than it did; `@internal` where
// the moved declaration is.
import * as moved from "../shared/suggest";

/** @internal */
export const editDistance = moved.editDistance;
/** @internal */
export const closest = moved.closest;
/** @internal */
export const didYouMean = moved.didYouMean;
