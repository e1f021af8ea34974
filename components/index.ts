// pulumi-icr-access: IBM Cloud Container Registry pull access for Kubernetes, as Pulumi components.
export * from "./iam";
export * from "./k8s";
export * from "./clusterRegistryAccess";
