// Installs the test bed's own CustomResourceDefinitions for Portieris's policy kinds
// (crds/portieris.yaml) into a local API server and waits until it serves them, so that the
// server validates the objects the components write. Portieris itself (the admission webhook)
// is not run: its enforcement is not part of the test bed.
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { LocalCluster } from "./cluster";
import { waitFor } from "./processes";

/** The file the definitions come from. */
export const PORTIERIS_CRDS_FILE = path.join(__dirname, "crds", "portieris.yaml");

interface Crd {
    metadata: { name: string };
    spec: { group: string; names: { plural: string }; versions: { name: string }[] };
}

/** Creates (or keeps) both definitions and resolves once both resources are served. */
export async function installPortierisCrds(cluster: LocalCluster): Promise<void> {
    const crds = parseAllDocuments(fs.readFileSync(PORTIERIS_CRDS_FILE, "utf8")).map((d) => d.toJS() as Crd);
    for (const crd of crds) {
        const res = await cluster.api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        if (res.status !== 201 && res.status !== 409) {
            throw new Error(`creating CRD ${crd.metadata.name}: ${res.status} ${JSON.stringify(res.data)}`);
        }
    }
    for (const crd of crds) {
        const apiPath = `/apis/${crd.spec.group}/${crd.spec.versions[0].name}/${crd.spec.names.plural}`;
        await waitFor(
            `${crd.metadata.name} established and served`,
            async () => {
                const got = await cluster.api.get(
                    `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
                );
                const established = (got.data?.status?.conditions ?? []).some(
                    (c: { type: string; status: string }) => c.type === "Established" && c.status === "True",
                );
                return established && (await cluster.api.get(apiPath)).status === 200;
            },
            60_000,
        );
    }
}
