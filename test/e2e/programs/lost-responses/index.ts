// A per-cluster stack as a user writes it: ClusterRegistryAccess from the installed package,
// its namespaces from config. The lost-response tests run it through faults and reruns.
import * as pulumi from "@pulumi/pulumi";
import { ClusterRegistryAccess, NamespaceAccess } from "pulumi-icr-access";

const config = new pulumi.Config();
const cluster = config.require("cluster");

const access = new ClusterRegistryAccess(cluster, {
    cluster,
    namespaces: config.requireObject<Record<string, NamespaceAccess>>("namespaces"),
    kubeconfig: config.requireSecret("kubeconfig"),
});

/** Per identity: its service ID. */
export const serviceIds = access.serviceIds;
