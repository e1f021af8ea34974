// Moved to ../shared/k8sNames.ts; re-exported for the modules that still import it from here.
export * from "../shared/k8sNames";
