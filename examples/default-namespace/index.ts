// The `default` namespace, as the runbook sets it up by hand: an IAM service ID with Container
// Registry Reader access and its API key, one pull secret per icr.io domain (`default-icr-io`,
// `default-us-icr-io`, …) listed on the `default` service account, and a Deployment of a private
// us.icr.io image that names no pull secret.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NamespaceIdentity, NamespacePullSecrets } from "pulumi-icr-access";

const config = new pulumi.Config();
const cluster = config.require("cluster");
const imageName = config.get("image") ?? "hello-world";
const tag = config.get("tag") ?? "latest";
const image = `us.icr.io/${config.require("registryNamespace")}/${imageName}:${tag}`;
const skipAwait = config.getBoolean("skipAwait") ?? false;

// 1. IAM, in the account of `ibmcloud:apiKey`: service ID <cluster>-default-id, a Reader policy
//    for Container Registry, and the API key <cluster>-default-key.
const identity = new NamespaceIdentity("default", { cluster, namespace: "default" });

// 2. A pull secret per domain, username `iamapikey`, password the key, added to
//    serviceaccount/default (entries someone else put there stay).
const pullSecrets = new NamespacePullSecrets("default", {
    namespace: "default",
    apiKey: identity.apiKey,
    // The runbook's five regions; us.icr.io must be among them for the image below.
    regions: config.getObject<string[]>("regions") ?? ["us-south", "eu-gb", "eu-de", "au-syd", "jp-tok"],
});

// 3. A workload that names no pull secret: its pods run as `default`, which lists ours. It comes
//    after the patch, because a pod gets its service account's pull secrets when it is created.
const labels = { app: "icr-default-example" };
const app = new k8s.apps.v1.Deployment(
    "app",
    {
        metadata: {
            namespace: "default",
            annotations: skipAwait ? { "pulumi.com/skipAwait": "true" } : {},
        },
        spec: {
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: { containers: [{ name: "app", image }] },
            },
        },
    },
    { dependsOn: [pullSecrets] },
);

export const secretNames = pullSecrets.secretNames;
export const serviceAccounts = pullSecrets.serviceAccounts;
export const serviceId = identity.serviceIdId;
/** The registry password (secret): `pulumi stack output --show-secrets apiKey`. */
export const apiKey = identity.apiKey;
export const deployment = app.metadata.name;
