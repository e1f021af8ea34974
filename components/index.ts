// pulumi-icr-access: IBM Cloud Container Registry pull access for Kubernetes, as Pulumi components.
//
// The package's one public entry point. Everything a program needs is listed here by name;
// the IAM and Kubernetes clients, the dynamic providers and the helpers behind them are not
// part of the API and may change in any release.

// The per-cluster composition.
export { ClusterRegistryAccess } from "./clusterRegistryAccess";
export type {
    AccessGroupsOptions,
    ClusterRegistryAccessArgs,
    NamespaceAccess,
    NamespaceAccessOutputs,
    RegistryAccess,
} from "./clusterRegistryAccessArgs";

// The stack's settings, checked before anything is declared: plain-text credentials, the kubeconfig.
export { refusePlaintextSecrets, refuseUnusableKubeconfig } from "./stackSettings";
export type { SecretSetting } from "./stackSettings";
export type { SecretSettingKind } from "./internal/plaintextConfig";
export type { KubeconfigSettings } from "./k8s/providerChecks";

// IAM: the identity a namespace pulls as.
export { NamespaceIdentity } from "./iam/namespaceIdentity";
export type { NamespaceIdentityArgs } from "./iam/namespaceIdentity";
export { ServiceId, iamIdOfServiceId } from "./iam/serviceId";
export type { ServiceIdArgs } from "./iam/serviceId";
export { AccessPolicy } from "./iam/accessPolicy";
export type { AccessPolicyArgs } from "./iam/accessPolicy";
export { AccessGroupMembership } from "./iam/accessGroupMembership";
export type { AccessGroupMembershipArgs } from "./iam/accessGroupMembership";
export { ApiKey } from "./iam/apiKey";
export type { ApiKeyArgs } from "./iam/apiKey";
export type { LeakAction } from "./shared/iam/keyLifetime";
export { DEFAULT_IAM_ENDPOINT, IAM_CONFIG_KEYS, IAM_ENV_VARS } from "./shared/iam/credentialInputs";
export type { IamCredentialsArgs } from "./iam/credentials";
export type { IamAccountLimits } from "./shared/iam/accountLimits";
export { GLOBAL, LOCATIONS, REGIONS, ROLES, Role } from "./shared/iam/policyModel";
export type { Region, RegistryLocation } from "./shared/iam/policyModel";

// Kubernetes: pull secrets and the service accounts that use them.
export {
    DEFAULT_COMBINED_SECRET_NAME,
    NamespacePullSecrets,
    PullSecretLayout,
} from "./k8s/namespacePullSecrets";
export type { NamespacePullSecretsArgs } from "./k8s/namespacePullSecrets";
export { CopiedPullSecrets } from "./k8s/copiedPullSecrets";
export type { CopiedPullSecretsArgs } from "./k8s/copiedPullSecrets";
export { RegistryCredentials } from "./k8s/registryCredentials";
export type { RegistryCredentialsArgs } from "./k8s/registryCredentials";
export { ServiceAccountPullSecrets } from "./k8s/serviceAccountPullSecrets";
export type { ServiceAccountPullSecretsArgs } from "./k8s/serviceAccountPullSecrets";
export type { ServiceAccountOptions } from "./k8s/serviceAccountOptions";
export { DOCKER_CONFIG_JSON_TYPE, IAM_API_KEY_USERNAME } from "./shared/k8s/dockerConfig";

// Registry domains, as data.
export { ALL_REGISTRY_DOMAINS, RegistryEndpoints } from "./shared/registry/registryDomains";
export { REGISTRY_REGIONS } from "./shared/registry/registryRegions";
export type { RegistryRegion, RegistryRegionName } from "./shared/registry/registryRegions";
export { DOCKER_HUB_SERVER } from "./k8s/registryServer";

// Old clusters and namespaces chosen by label: registry-token migration, the image report,
// and the namespace selector.
export { TokenSecretMigration } from "./migration/tokenSecretMigration";
export type { ServiceAccountMigrationPlan, TokenSecretPlan } from "./shared/migration/migrationRecord";
export type { TokenSecretMigrationArgs } from "./migration/tokenSecretMigration";
export type { MigrateTokenSecretsOptions } from "./migration/migrationSettings";
export type { ImageReportRow } from "./coverage/imageReport";
export type { CoveredNamespace } from "./clusterRegistryAccessArgs";
export type { LabelSelectorRequirement, NamespaceSelector } from "./coverage/namespaceSelector";

// Trusted content: Portieris image policies, and the enforcement preview of what they would deny.
export { TrustedContent, DEFAULT_IMAGE_POLICY_NAME } from "./portieris/trustedContent";
export type { NamespaceImageRules, TrustedContentArgs } from "./portieris/trustedContent";
export type { NamespaceImagePolicy } from "./portieris/namespaceImagePolicy";
export { ImagePolicy } from "./portieris/imagePolicy";
export type { ImagePolicyArgs } from "./portieris/imagePolicy";
export { ClusterImagePolicy } from "./portieris/clusterImagePolicy";
export type { ClusterImagePolicyArgs } from "./portieris/clusterImagePolicy";
export type { ImageRules, RepositoryRule, SignedByKey } from "./portieris/policyRules";
export type { EnforcementOptions } from "./portieris/enforcementPreview";
export type {
    ContainerReport,
    EnforcementReport,
    NamespaceReport,
    WorkloadReport,
} from "./portieris/enforcementReport";
export type { PodTemplateKind, WorkloadKind } from "./k8s/workloadImages";
export type { DenialReason, ImageDecision } from "./portieris/admissionPrediction";
export {
    CLUSTER_IMAGE_POLICY_KIND,
    IMAGE_POLICY_KIND,
    PORTIERIS_API_VERSION,
    RESERVED_POLICY_NAMES,
} from "./portieris/types";
export type {
    IdentityRequirement,
    ImagePolicySpec,
    PolicyRepository,
    RepositoryPolicy,
    SignedIdentityType,
    SimplePolicy,
    SimpleRequirement,
    SimpleRequirementType,
    TrustPolicy,
    VulnerabilityPolicy,
} from "./portieris/types";
