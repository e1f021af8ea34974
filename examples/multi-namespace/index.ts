// Several namespaces of one cluster, each with its own registry access, through
// ClusterRegistryAccess: per namespace an IAM service ID `<cluster>-<namespace>-id` with a
// Container Registry policy and an API key, pull secrets for the allowed icr.io domains, and the
// namespace's `default` service account patched. Namespaces of one application can share an
// identity. The cluster is the one of `kubernetes:kubeconfig` (and `kubernetes:context`), else of
// KUBECONFIG, as for any Kubernetes program; ClusterRegistryAccess makes its own Kubernetes
// provider for it, with enableSecretMutable, so a new key updates the secrets in place.
import * as pulumi from "@pulumi/pulumi";
import { ClusterRegistryAccess } from "pulumi-icr-access";

const config = new pulumi.Config();

const access = new ClusterRegistryAccess("registry-access", {
    cluster: config.require("cluster"),
    namespaces: {
        // Pulls only team-a's images, only from Frankfurt (de.icr.io): no global icr.io either.
        "team-a": {
            createNamespace: true,
            regions: ["eu-de"],
            includeGlobal: false,
            registryNamespace: "team-a",
        },
        // Pulls and pushes (say, a CI runner building images) in Dallas (us.icr.io), plus icr.io.
        "team-b": { createNamespace: true, role: "Writer", regions: ["us-south"] },
        // Two namespaces of one application pull as one identity, <cluster>-shop-id; one of them
        // keeps every domain in a single secret, `all-icr-io`.
        "shop-web": { createNamespace: true, identity: "shop" },
        "shop-worker": { createNamespace: true, identity: "shop", layout: "combined" },
    },
    sharedIdentities: {
        shop: { regions: ["us-south", "eu-gb"], registryNamespace: "shop" },
    },
});

/** Per namespace: pull secret names, the service ID it pulls as, the patched service accounts. */
export const namespaces = access.namespaces;
/** Per identity (namespace or shared identity): its service ID. */
export const serviceIds = access.serviceIds;
