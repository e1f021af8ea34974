// Moved to ../shared/iam/policyModel.ts; re-exported for the modules that still import it from here.
export * from "../shared/iam/policyModel";
