// Moved to ../shared/k8sNames.ts; re-exported here for the modules that still import it from
// here. As plain values rather than `export *` getters, so that a provider serialized by value
// (state written before the provider shims) captures no more than it did.
import * as moved from "../shared/k8sNames";

export const DNS1123_LABEL_MAX = moved.DNS1123_LABEL_MAX;
export const DNS1123_SUBDOMAIN_MAX = moved.DNS1123_SUBDOMAIN_MAX;
export const isDns1123Label = moved.isDns1123Label;
export const isDns1123Subdomain = moved.isDns1123Subdomain;
export const toDns1123 = moved.toDns1123;
export const checkNamespaceName = moved.checkNamespaceName;
export const checkObjectName = moved.checkObjectName;
export const joinProblems = moved.joinProblems;
