// A Pod that names its pull secret itself, in `spec.imagePullSecrets`, so only this pod pulls
// with it (the runbook's "refer to the secret in the pod spec"). The namespace's service
// accounts are left alone.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NamespaceIdentity, NamespacePullSecrets } from "pulumi-icr-access";

const config = new pulumi.Config();
const cluster = config.require("cluster");
const namespace = config.get("namespace") ?? "default";
const image = config.require("image"); // e.g. us.icr.io/<registry-namespace>/<image>:<tag>
const skipAwait = config.getBoolean("skipAwait") ?? false;

// 1. IAM: service ID <cluster>-<namespace>-id, Reader policy, API key.
const identity = new NamespaceIdentity(namespace, { cluster, namespace });

// 2. One secret, for exactly the image's registry domain, and no service account patched.
const pullSecret = new NamespacePullSecrets(namespace, {
    namespace,
    apiKey: identity.apiKey,
    domains: [image.split("/")[0]],
    layout: "combined",
    secretName: "icr-pull",
    serviceAccounts: [],
});

// 3. The pod names the secret; `imagePullSecrets` resolves once the secret exists.
const pod = new k8s.core.v1.Pod("app", {
    metadata: {
        namespace,
        annotations: skipAwait ? { "pulumi.com/skipAwait": "true" } : {},
    },
    spec: {
        imagePullSecrets: pullSecret.imagePullSecrets,
        containers: [{ name: "app", image }],
    },
});

export const secretNames = pullSecret.secretNames;
export const serviceId = identity.serviceIdId;
/** The registry password (secret): `pulumi stack output --show-secrets apiKey`. */
export const apiKey = identity.apiKey;
export const podName = pod.metadata.name;
