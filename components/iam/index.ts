// The IAM side: service IDs, Container Registry access policies and API keys as Pulumi
// dynamic resources, the NamespaceIdentity component composing them, and the IAM client.
export { ServiceId, iamIdOfServiceId } from "./serviceId";
export type { ServiceIdArgs } from "./serviceId";
export { AccessPolicy } from "./accessPolicy";
export type { AccessPolicyArgs } from "./accessPolicy";
export { ApiKey } from "./apiKey";
export type { ApiKeyArgs } from "./apiKey";
export { NamespaceIdentity } from "./namespaceIdentity";
export type { NamespaceIdentityArgs } from "./namespaceIdentity";
export { DEFAULT_IAM_ENDPOINT, IAM_CONFIG_KEYS, IAM_ENV_VARS } from "./credentials";
export type { IamCredentialsArgs } from "./credentials";
export { Role, ROLES, REGIONS, GLOBAL, LOCATIONS, roleCrn, roleFromCrn } from "./policyModel";
export type { Region, RegistryLocation } from "./policyModel";
export { IamClient, IamError, DEFAULT_TUNING, TUNING_ENV_VARS } from "./client";
export type {
    IamClientCredentials,
    IamClientTuning,
    ServiceIdResource,
    ApiKeyResource,
    PolicyWithEtag,
} from "./client";
