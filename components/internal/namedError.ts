// Moved to ../shared/namedError.ts; re-exported here for the modules that still import it from
// here.
export { NamedError } from "../shared/namedError";
