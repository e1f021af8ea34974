// What a NamespaceIdentity's policies grant, found again from its `apiKey` output, so that
// NamespacePullSecrets given that key writes pull secrets only for registries the key can pull
// from (components/shared/registry/registryDomains.ts `policyLocations` is the rule both follow). The
// record is keyed by the Output object itself: a key wrapped or derived by the program
// (`pulumi.secret(identity.apiKey)`, `.apply(...)`) is not recognized, and is then taken as
// any other key.

/** What one NamespaceIdentity grants, for NamespacePullSecrets' defaults and messages. @internal */
export interface IdentityGrant {
    /** The component's name, for messages: `NamespaceIdentity "web"`. */
    readonly identity: string;
    /**
     * IAM locations its policies are scoped to (`eu-de`, `global`), in policy order; undefined:
     * one policy without a region, which grants every region and `icr.io`.
     */
    readonly locations?: readonly string[];
    /** Its `regions` and `includeGlobal` as the program wrote them, for messages. */
    readonly settings: string;
}

const grants = new WeakMap<object, IdentityGrant>();

/** Records what the identity whose API key `apiKey` is grants. @internal */
export function recordIdentityGrant(apiKey: object, grant: IdentityGrant): void {
    grants.set(apiKey, grant);
}

/** What the identity `apiKey` belongs to grants, when it is a NamespaceIdentity's own `apiKey`. @internal */
export function identityGrantOf(apiKey: unknown): IdentityGrant | undefined {
    return typeof apiKey === "object" && apiKey !== null ? grants.get(apiKey) : undefined;
}
