// The names by which the `__provider` shims in state find the dynamic providers: the module
// they load, by the package's own name, and the kind each resource's shim names. Both are part
// of the state format: never change them.

/** The module the shims load, by the package's own name. */
export const PROVIDERS_ENTRY = "pulumi-icr-access/providers";

/** The dynamic providers' kinds: the names under which {@link PROVIDERS_ENTRY} exports them. */
export type ProviderKind =
    | "ServiceId"
    | "AccessPolicy"
    | "ApiKey"
    | "ServiceAccountPullSecrets"
    | "TokenSecretMigration"
    | "StackOwner"
    | "CreationGuard"
    | "NamespaceRemovalGuard"
    | "AccessGroupMembership";
