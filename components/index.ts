// pulumi-icr-access: IBM Cloud Container Registry pull access for Kubernetes, as Pulumi components.
//
// The package's one public entry point. Everything a program needs is listed here by name;
// the IAM and Kubernetes clients, the dynamic providers and the helpers behind them are not
// part of the API and may change in any release.

// The per-cluster composition.
export { ClusterRegistryAccess } from "./clusterRegistryAccess";
export type {
    ClusterRegistryAccessArgs,
    NamespaceAccess,
    NamespaceAccessOutputs,
    RegistryAccess,
} from "./clusterRegistryAccess";

// IAM: the identity a namespace pulls as.
export { NamespaceIdentity } from "./iam/namespaceIdentity";
export type { NamespaceIdentityArgs } from "./iam/namespaceIdentity";
export { ServiceId, iamIdOfServiceId } from "./iam/serviceId";
export type { ServiceIdArgs } from "./iam/serviceId";
export { AccessPolicy } from "./iam/accessPolicy";
export type { AccessPolicyArgs } from "./iam/accessPolicy";
export { ApiKey } from "./iam/apiKey";
export type { ApiKeyArgs } from "./iam/apiKey";
export { DEFAULT_IAM_ENDPOINT, IAM_CONFIG_KEYS, IAM_ENV_VARS } from "./iam/credentials";
export type { IamCredentialsArgs } from "./iam/credentials";
export { GLOBAL, LOCATIONS, REGIONS, ROLES, Role } from "./iam/policyModel";
export type { Region, RegistryLocation } from "./iam/policyModel";

// Kubernetes: pull secrets and the service accounts that use them.
export {
    DEFAULT_COMBINED_SECRET_NAME,
    NamespacePullSecrets,
    PullSecretLayout,
} from "./k8s/namespacePullSecrets";
export type { NamespacePullSecretsArgs } from "./k8s/namespacePullSecrets";
export { CopiedPullSecrets, copiedSecretName } from "./k8s/copiedPullSecrets";
export type { CopiedPullSecretsArgs } from "./k8s/copiedPullSecrets";
export { RegistryCredentials } from "./k8s/registryCredentials";
export type { RegistryCredentialsArgs } from "./k8s/registryCredentials";
export { ServiceAccountPullSecrets } from "./k8s/serviceAccountPullSecrets";
export type { ServiceAccountPullSecretsArgs } from "./k8s/serviceAccountPullSecrets";
export type { ServiceAccountOptions } from "./k8s/serviceAccountOptions";
export { DOCKER_CONFIG_JSON_TYPE, IAM_API_KEY_USERNAME } from "./k8s/dockerConfig";

// Registry domains, as data.
export {
    ALL_REGISTRY_DOMAINS,
    REGISTRY_REGIONS,
    RegistryDomainError,
    RegistryEndpoints,
    resolveRegistryDomains,
} from "./k8s/registryDomains";
export type { RegistryDomain, RegistryDomainSelection, RegistryRegion } from "./k8s/registryDomains";
export { DOCKER_HUB_SERVER } from "./k8s/registryServer";
