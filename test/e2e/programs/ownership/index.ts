// A per-cluster stack as a user writes it: ClusterRegistryAccess from the installed package,
// its namespaces and ownership settings from config. The ownership tests run it through
// crashes, lost answers, colliding names, renames and backend moves.
import * as pulumi from "@pulumi/pulumi";
import { ClusterRegistryAccess, NamespaceAccess } from "pulumi-icr-access";

const config = new pulumi.Config();
const cluster = config.require("cluster");

const access = new ClusterRegistryAccess(cluster, {
    cluster,
    namespaces: config.requireObject<Record<string, NamespaceAccess>>("namespaces"),
    kubeconfig: config.requireSecret("kubeconfig"),
    adoptExistingPolicies: config.getBoolean("adoptExistingPolicies"),
    deleteNamespaceContents: config.getBoolean("deleteNamespaceContents"),
});

/** Per identity: its service ID. */
export const serviceIds = access.serviceIds;
