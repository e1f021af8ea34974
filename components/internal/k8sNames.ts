// Moved to ../shared/k8sNames.ts; re-exported here for the modules that still import it from
// here. As plain values rather than `export *` getters, so that a provider serialized by value
// (state written before the provider shims) captures no more than it did; `@internal` where
// the moved declaration is.
import * as moved from "../shared/k8sNames";

/** @internal */
export const DNS1123_LABEL_MAX = moved.DNS1123_LABEL_MAX;
/** @internal */
export const DNS1123_SUBDOMAIN_MAX = moved.DNS1123_SUBDOMAIN_MAX;
/** @internal */
export const isDns1123Label = moved.isDns1123Label;
/** @internal */
export const isDns1123Subdomain = moved.isDns1123Subdomain;
/** @internal */
export const toDns1123 = moved.toDns1123;
/** @internal */
export const checkNamespaceName = moved.checkNamespaceName;
/** @internal */
export const checkObjectName = moved.checkObjectName;
/** @internal */
export const joinProblems = moved.joinProblems;
