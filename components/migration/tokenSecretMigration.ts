// Takes registry-token pull secrets out of a namespace's service accounts once our API-key
// secrets are listed in their place, and deletes the token secrets when asked.
//
// Order is the whole point: a service account that loses its token entry before it lists a
// replacement cannot pull. So the program makes this resource depend on the service-account
// patches that list our secrets, and its dynamic provider checks again on the live object, right
// before each write, that every domain the removed tokens served is covered by an API-key
// secret the account lists and that exists. If not, it removes nothing and fails, naming what
// is missing; a rerun finishes once the replacement is there.
//
// Whose entries are removed: a token entry was written by IKS, not by us, so it is foreign by
// the claim rules of components/shared/imagePullSecretList.ts. This resource removes only
// names it was given, each found by content to be a token secret in this namespace, and never
// a name that any claim in the account's claims annotation holds (another stack listed it on
// purpose). What it removed is recorded on the account (MIGRATED_ANNOTATION), so that later
// runs plan the same migration and show no change. A token secret is deleted only when asked,
// only while it still holds registry tokens (by content, same UID as checked), and only when
// no service account in the namespace lists it any more.
//
// Kubernetes API calls: GET/PUT serviceaccounts; GET secrets; list serviceaccounts and
// DELETE secrets when deleting. Destroying this resource changes nothing: the tokens are
// refused by IBM since 2021-08-19, so they are never put back.
//
// The resource class and its arguments; its dynamic provider runs in the engine's
// dynamic-provider host process (components/host/migration/tokenSecretMigrationProvider.ts),
// and the records it leaves are components/shared/migration/migrationRecord.ts.
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../internal/providerShim";
import { withStoredProvider } from "../internal/storedProvider";
import type { ServiceAccountMigrationPlan, TokenSecretPlan } from "../shared/migration/migrationRecord";

/**
 * The owner mark of the running stack's migrations: a hash of organization, project and stack,
 * 16 hex digits (a valid label value). Passed to the dynamic provider as the `owner` input.
 * @internal
 */
export function migrationOwnerMark(): string {
    let organization = "organization";
    try {
        organization = pulumi.getOrganization();
    } catch {
        // Pulumi's test mocks without an organization: the file backends' name.
    }
    return createHash("sha256")
        .update(`${organization}\n${pulumi.getProject()}\n${pulumi.getStack()}`)
        .digest("hex")
        .slice(0, 16);
}
/** Arguments of {@link TokenSecretMigration}. */
export interface TokenSecretMigrationArgs {
    /** The namespace whose service accounts and token secrets are migrated. */
    readonly namespace: pulumi.Input<string>;
    /** The namespace's token secrets (found by content) and their replacement domains. */
    readonly tokenSecrets: pulumi.Input<TokenSecretPlan[]>;
    /** Per service account: what to remove, and which of our secrets must be listed first. */
    readonly serviceAccounts: pulumi.Input<ServiceAccountMigrationPlan[]>;
    /** Token secrets to delete after the removal. @default [] - none */
    readonly deleteSecrets?: pulumi.Input<string[]>;
    /** Kubeconfig (YAML). Stored as a secret. @default - as ServiceAccountPullSecrets reads it */
    readonly kubeconfig?: pulumi.Input<string>;
    /** Context of `kubeconfig`. @default - as ServiceAccountPullSecrets chooses it */
    readonly context?: pulumi.Input<string>;
    /**
     * The owner mark written as MIGRATION_OWNER_LABEL on each account migrated.
     * @default - no label (the program does not keep the replacements once the migration is off)
     */
    readonly owner?: pulumi.Input<string>;
}
// The provider the SDK is handed; state stores the one-line text of withStoredProvider instead
// (../internal/storedProvider.ts), which loads the same implementation.
const tokenSecretMigrationProvider = providerShim("TokenSecretMigration");

/**
 * Removes registry-token pull secrets from a namespace's service accounts once the API-key
 * secrets that replace them are listed, and deletes the token secrets when asked. Give it
 * `dependsOn` the service-account patches that list the replacements. Destroying it changes
 * nothing on the cluster. Type: `pulumi-nodejs:dynamic/k8s:TokenSecretMigration`.
 */
export class TokenSecretMigration extends pulumi.dynamic.Resource {
    /** The namespace migrated. */
    declare public readonly namespace: pulumi.Output<string>;
    /** The plan per service account, as given. */
    declare public readonly serviceAccounts: pulumi.Output<ServiceAccountMigrationPlan[]>;
    /** Per service account, the token names the last run removed. */
    declare public readonly removed: pulumi.Output<Record<string, string[]>>;
    /** The token secrets the last run deleted. */
    declare public readonly deleted: pulumi.Output<string[]>;

    constructor(name: string, args: TokenSecretMigrationArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            tokenSecretMigrationProvider,
            name,
            {
                namespace: args.namespace,
                tokenSecrets: args.tokenSecrets,
                serviceAccounts: args.serviceAccounts,
                deleteSecrets: args.deleteSecrets ?? [],
                kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
                context: args.context,
                owner: args.owner,
                removed: undefined,
                deleted: undefined,
            },
            withStoredProvider(
                "TokenSecretMigration",
                pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }),
            ),
            "k8s",
            "TokenSecretMigration",
        );
    }
}
