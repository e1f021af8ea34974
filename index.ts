// The per-cluster stack: one stack = one cluster, configured in Pulumi.<cluster>.yaml.
//
//   icr-access:cluster            the cluster's name (IAM names <cluster>-<namespace>-id, -key)
//   icr-access:namespaces         { <namespace>: { regions, role, registryNamespace, ... } }
//   icr-access:sharedIdentities   { <identity>: { regions, role, registryNamespace } } (optional)
//   icr-access:kubeconfig         the cluster's kubeconfig (secret; default: KUBECONFIG)
//   icr-access:registryApiKey     API key of the registry's account, when it is another account
//                                 than ibmcloud:apiKey's (secret; optional)
//   ibmcloud:apiKey               IAM API key (secret), or IBMCLOUD_API_KEY
import * as pulumi from "@pulumi/pulumi";
import { ClusterRegistryAccess, NamespaceAccess, PullSecretLayout, RegistryAccess } from "pulumi-icr-access";

const config = new pulumi.Config();
const registryApiKey = config.getSecret("registryApiKey");

const access = new ClusterRegistryAccess(config.require("cluster"), {
    cluster: config.require("cluster"),
    namespaces: config.requireObject<Record<string, NamespaceAccess>>("namespaces"),
    sharedIdentities: config.getObject<Record<string, RegistryAccess>>("sharedIdentities"),
    kubeconfig: config.getSecret("kubeconfig"),
    context: config.get("context"),
    registryCredentials:
        registryApiKey === undefined
            ? undefined
            : { apiKey: registryApiKey, iamEndpoint: config.get("registryIamEndpoint") },
    layout: config.get<PullSecretLayout>("layout"),
    rotation: config.get("rotation") || undefined,
});

/** Per namespace: the pull secrets' names (for pod specs), the service ID and the patched service accounts. */
export const namespaces = access.namespaces;
/** Per identity: its service ID. */
export const serviceIds = access.serviceIds;
