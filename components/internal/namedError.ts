// Moved to ../shared/namedError.ts; re-exported for the modules that still import it from here.
export * from "../shared/namedError";
