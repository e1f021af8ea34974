// The dynamic providers' implementations, by kind: what the `__provider` texts in state load as
// `require("pulumi-icr-access/providers")[kind]` (the one line of components/internal/storedProvider.ts,
// and the earlier shims of components/internal/providerShim.ts).
// Not part of the public API; its path and kind names are part of the state format.
import type * as pulumi from "@pulumi/pulumi";
import { AccessGroupMembershipProvider } from "./host/iam/accessGroupMembershipProvider";
import { AccessPolicyProvider } from "./host/iam/accessPolicyProvider";
import { ApiKeyProvider } from "./host/iam/apiKeyProvider";
import { ServiceIdProvider } from "./host/iam/serviceIdProvider";
import { StackOwnerProvider } from "./host/ownership/stackOwnerProvider";
import type { ProviderKind } from "./shared/providerKinds";
import { ServiceAccountPullSecretsProvider } from "./host/k8s/serviceAccountPullSecretsProvider";
import { TokenSecretMigrationProvider } from "./host/migration/tokenSecretMigrationProvider";
import { CreationGuardProvider } from "./host/k8s/creationGuardProvider";
import { NamespaceRemovalGuardProvider } from "./host/k8s/namespaceRemovalGuardProvider";

/** The key under which the SDK stores a dynamic resource's serialized provider. */
const PROVIDER_KEY = "__provider";

type Props = Record<string, unknown>;

/**
 * One kind's provider as the stored texts call it: every method present, and the move from an
 * older `__provider` text (the whole provider by value, or the 2.2 KB shim) to the current one
 * done as an update that calls nobody: the engine stores the new text, and no IAM object or
 * Kubernetes object is touched or replaced.
 */
class ShimmedProvider implements Required<pulumi.dynamic.ResourceProvider> {
    constructor(private readonly impl: Required<pulumi.dynamic.ResourceProvider>) {}

    configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        return this.impl.configure(req);
    }

    check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
        return this.impl.check(olds, news);
    }

    async diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
        const result = await this.impl.diff(id, olds, news);
        if (result.changes === false && providerTextChanged(olds, news)) return { ...result, changes: true };
        return result;
    }

    create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
        return this.impl.create(inputs);
    }

    read(id: string, props?: Props): Promise<pulumi.dynamic.ReadResult> {
        return this.impl.read(id, props);
    }

    async update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
        if (providerTextChanged(olds, news) && (await this.impl.diff(id, olds, news)).changes === false) {
            const outs = { ...olds };
            delete outs[PROVIDER_KEY];
            return { outs };
        }
        return this.impl.update(id, olds, news);
    }

    delete(id: string, props: Props): Promise<void> {
        return this.impl.delete(id, props);
    }
}

function providerTextChanged(olds: Props, news: Props): boolean {
    return typeof olds[PROVIDER_KEY] === "string" && typeof news[PROVIDER_KEY] === "string"
        ? olds[PROVIDER_KEY] !== news[PROVIDER_KEY]
        : false;
}

/** A kind's implementation; the compiler holds every kind to every method the shims call. */
function shimmed(impl: Required<pulumi.dynamic.ResourceProvider>): ShimmedProvider {
    return new ShimmedProvider(impl);
}

// One instance per kind and process: the IAM client's token cache and the providers' config
// live here, shared by every resource of the kind.
export const ServiceId = shimmed(new ServiceIdProvider());
export const AccessPolicy = shimmed(new AccessPolicyProvider());
export const ApiKey = shimmed(new ApiKeyProvider());
export const ServiceAccountPullSecrets = shimmed(new ServiceAccountPullSecretsProvider());
export const TokenSecretMigration = shimmed(new TokenSecretMigrationProvider());
export const StackOwner = shimmed(new StackOwnerProvider());
export const CreationGuard = shimmed(new CreationGuardProvider());
export const NamespaceRemovalGuard = shimmed(new NamespaceRemovalGuardProvider());
export const AccessGroupMembership = shimmed(new AccessGroupMembershipProvider());

/** Every kind a shim may name; the compiler holds this list to {@link ProviderKind}. */
export const PROVIDER_KINDS: Record<ProviderKind, ShimmedProvider> = {
    ServiceId,
    AccessPolicy,
    ApiKey,
    ServiceAccountPullSecrets,
    TokenSecretMigration,
    StackOwner,
    CreationGuard,
    NamespaceRemovalGuard,
    AccessGroupMembership,
};
