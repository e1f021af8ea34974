// Cross-account: the cluster (and the stack's `ibmcloud:apiKey`) is in account A, the registry
// in account B. A service ID can only be granted access to its own account's registry, so the
// service ID, its policies and its API key are made in account B, with account B's API key,
// given to these IAM resources only. The pull secrets go to the cluster as usual.
import * as pulumi from "@pulumi/pulumi";
import { NamespaceIdentity, NamespacePullSecrets, type Region } from "pulumi-icr-access";

const config = new pulumi.Config();
const cluster = config.require("cluster");
const namespace = config.get("namespace") ?? "default";
const regions = config.getObject<Region[]>("regions") ?? ["us-south"];

// 1. IAM in account B: <cluster>-<namespace>-id with Reader on B's registry in `regions` only
//    (not the global icr.io; optionally one registry namespace of B), and its API key.
const identity = new NamespaceIdentity(namespace, {
    cluster,
    namespace,
    regions,
    includeGlobal: false,
    registryNamespace: config.get("registryNamespace"),
    credentials: {
        apiKey: config.requireSecret("registryApiKey"),
        iamEndpoint: config.get("registryIamEndpoint"), // default https://iam.cloud.ibm.com
    },
});

// 2. Pull secrets holding account B's key, for the same regions' domains, on serviceaccount/default.
const pullSecrets = new NamespacePullSecrets(namespace, {
    namespace,
    apiKey: identity.apiKey,
    regions,
    includeGlobal: false,
});

export const secretNames = pullSecrets.secretNames;
/** The service ID, in account B. */
export const serviceId = identity.serviceIdId;
/** The registry password (secret): `pulumi stack output --show-secrets apiKey`. */
export const apiKey = identity.apiKey;
