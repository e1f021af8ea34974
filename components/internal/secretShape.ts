// Moved to ../shared/secretShape.ts; re-exported here for the modules that still import it from
// here. As plain values rather than `export *` getters, so that a provider serialized by value
// (state written before the provider shims) captures no more than it did; `@internal` where
// the moved declaration is.
import * as moved from "../shared/secretShape";

/** @internal */
export const describeSecretValue = moved.describeSecretValue;
