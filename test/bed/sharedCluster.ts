// One control plane for all the specs of a mocha run that need nothing special of it: booted
// by the first spec that asks (a run without such a spec boots none), handed to each spec as
// it booted, and stopped after the run's last spec (this file is a mocha root-hook plugin,
// required by test/e2e/.mocharc.json; see the end of the file for runs without it). A spec
// gets a LocalCluster whose `stop()` hands it back: everything the spec made or changed on it
// is undone before the next spec gets it (./clusterBaseline.ts), so a spec's assertions see
// what they saw on a cluster of its own. Specs that need their own API server flags or users
// keep calling startLocalCluster.
import { recordBaseline, restoreBaseline } from "./clusterBaseline";
import { LocalCluster, startLocalCluster } from "./cluster";
import { waitFor } from "./processes";

/** Set to 1, every spec boots a cluster of its own again: for timing, or to rule sharing out. */
const CLUSTER_PER_SPEC = "ICR_TEST_CLUSTER_PER_SPEC";

const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

let booted: Promise<{ cluster: LocalCluster; restore: () => Promise<void> }> | undefined;

async function boot(): Promise<{ cluster: LocalCluster; restore: () => Promise<void> }> {
    const started = Date.now();
    const cluster = await startLocalCluster();
    try {
        // The baseline is recorded once the controller manager has given every namespace its
        // `default` service account and root CA: those would otherwise appear after it.
        const namespaces = (await cluster.api.get("/api/v1/namespaces")).data.items as {
            metadata: { name: string };
        }[];
        for (const { metadata } of namespaces) {
            await waitFor(
                `${metadata.name}: default service account and kube-root-ca.crt`,
                async () =>
                    (await cluster.api.get(`/api/v1/namespaces/${metadata.name}/serviceaccounts/default`))
                        .status === 200 &&
                    (await cluster.api.get(`/api/v1/namespaces/${metadata.name}/configmaps/kube-root-ca.crt`))
                        .status === 200,
                60_000,
            );
        }
        const baseline = await recordBaseline(cluster.api);
        console.log(`      (shared test cluster booted in ${seconds(started)})`);
        const restore = async (): Promise<void> => {
            const began = Date.now();
            await restoreBaseline(cluster.api, baseline);
            console.log(`      (shared test cluster back to its baseline in ${seconds(began)})`);
        };
        return { cluster, restore };
    } catch (err) {
        await cluster.stop().catch(() => undefined);
        throw err;
    }
}

/**
 * The run's shared cluster, as it booted. Its `stop()` does not stop it: it undoes what the
 * caller made and changed on it, and fails naming anything it could not. It is also returned
 * to its baseline here, should a previous spec have failed before it handed it back.
 */
export async function sharedCluster(): Promise<LocalCluster> {
    if (process.env[CLUSTER_PER_SPEC] === "1") {
        const started = Date.now();
        const own = await startLocalCluster();
        console.log(
            `      (${CLUSTER_PER_SPEC}=1: a cluster of the spec's own booted in ${seconds(started)})`,
        );
        return own;
    }
    const first = booted === undefined;
    booted ??= boot();
    const { cluster, restore } = await booted;
    if (!first) await restore();
    return { ...cluster, stop: restore };
}

/** Stops the shared cluster, if one was booted. */
export async function stopSharedCluster(): Promise<void> {
    const running = booted;
    booted = undefined;
    if (running === undefined) return;
    const { cluster } = await running.catch(() => ({ cluster: undefined }));
    await cluster?.stop();
}

/** Mocha root hooks: the shared cluster lives until the last spec of the run is done. */
export const mochaHooks = {
    async afterAll(): Promise<void> {
        await stopSharedCluster();
    },
};

// Imported by a spec of a run without the layer's config (`npx mocha <file>`), this file is
// no root-hook plugin, but mocha's globals exist: a root-level `after` stops the cluster then.
// (Required as a plugin, it loads before mocha defines them.)
if (typeof after === "function") after(stopSharedCluster);
