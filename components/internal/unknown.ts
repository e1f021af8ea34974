// Moved to ../shared/unknown.ts; re-exported for the modules that still import it from here.
export * from "../shared/unknown";
