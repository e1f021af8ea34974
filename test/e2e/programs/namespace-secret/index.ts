// The test bed's smallest Kubernetes program: a Namespace and a Secret in it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const namespaceName = config.require("namespace");

const namespace = new k8s.core.v1.Namespace("ns", { metadata: { name: namespaceName } });
const secret = new k8s.core.v1.Secret("secret", {
    metadata: { name: "bed-secret", namespace: namespace.metadata.name },
    stringData: { greeting: config.requireSecret("greeting") },
});

export const namespaceUid = namespace.metadata.uid;
export const secretName = secret.metadata.name;
