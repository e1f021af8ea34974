// The Kubernetes side of the runbook: registry domains, pull secrets, and service-account patches.
export * from "./registryDomains";
export * from "./registryServer";
export * from "./dockerConfig";
export * from "./namespacePullSecrets";
export * from "./copiedPullSecrets";
export * from "./registryCredentials";
export * from "./serviceAccountOptions";
export * from "./serviceAccountPullSecrets";
export { KubeApiError, KubeconfigError } from "./kubeClient";
