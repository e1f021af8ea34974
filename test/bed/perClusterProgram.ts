// Where the per-cluster program is: a folder users copy as the template of their own stacks.
// The repository root's Pulumi.yaml runs the same program (`main: examples/per-cluster`).

/** The per-cluster program's directory, relative to the repository root. */
export const PER_CLUSTER_PROGRAM = "examples/per-cluster";
