// Pull secrets that need no IAM identity of their own, in existing namespaces, each added to
// the namespace's `default` service account:
// - another private registry (a company registry, private Docker Hub repositories, IBM's
//   entitled-software cp.icr.io), as `kubectl create secret docker-registry` makes them;
// - copies of pull secrets that already exist in `default`, as the runbook's
//   `kubectl get secret default-us-icr-io -o yaml | sed 's/default/<ns>/g' | kubectl create -f -`.
// Public images (e.g. Docker Hub's) need no pull secret at all.
import * as pulumi from "@pulumi/pulumi";
import { CopiedPullSecrets, RegistryCredentials } from "pulumi-icr-access";

const config = new pulumi.Config();
const namespaces = config.requireObject<string[]>("namespaces");

// 1. One secret per namespace for the registry, named after the server unless `secretName` is set.
const registry = new RegistryCredentials("registry", {
    server: config.require("registryServer"), // e.g. registry.example.com:5000, or docker.io
    username: config.require("registryUsername"),
    password: config.requireSecret("registryPassword"),
    email: config.get("registryEmail"),
    secretName: config.get("registrySecretName"),
    namespaces,
});

// 2. Copies of `default`'s pull secrets: `default-us-icr-io` becomes `<ns>-us-icr-io`, other
//    names (IKS's `all-icr-io`) are kept. The sources are read on every `up`, so a rotated
//    source reaches the copies.
const copies = new CopiedPullSecrets("from-default", {
    sourceNamespace: "default",
    secretNames: config.getObject<string[]>("copySecrets") ?? ["all-icr-io"],
    targetNamespaces: namespaces,
});

export const registrySecretName = registry.secretName;
export const copiedSecretNames = copies.secretNames;
export const serviceAccounts = pulumi
    .all([registry.serviceAccounts, copies.serviceAccounts])
    .apply(([a, b]) => [...new Set([...a, ...b])].sort());
