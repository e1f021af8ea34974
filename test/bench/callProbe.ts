// What the servers saw during a run: IAM calls by operation (the emulator's request log)
// and Kubernetes objects written (the API server's counters). The figures that must stay
// linear in the number of namespaces, and zero writes on a rerun.
import { Counters, IamEmulator } from "../../emulator";
import { LocalCluster } from "../bed/cluster";
import { kubeWrites, WriteCounts, writesBetween } from "./kubeWrites";
import { Probe } from "./measureProgram";

/** Calls made during one run. */
export interface Calls {
    readonly iam: Counters;
    readonly kube: Record<string, number>;
}

export function callProbe(iam: IamEmulator, cluster: LocalCluster): Probe<Calls> {
    let before: WriteCounts = new Map();
    return {
        async before() {
            iam.resetLog();
            before = await kubeWrites(cluster);
        },
        async after() {
            return { iam: iam.counters(), kube: writesBetween(before, await kubeWrites(cluster)) };
        },
    };
}
