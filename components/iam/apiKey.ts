// ApiKey: an IBM Cloud IAM API key of a service ID, as a Pulumi dynamic resource (type
// `pulumi-nodejs:dynamic/iam:ApiKey`): the password of the pull secrets, as IBM's manual
// procedure makes it (IBM Cloud Kubernetes Service docs, "Using an image pull secret to access
// images in other IBM Cloud accounts", https://cloud.ibm.com/docs/containers?topic=containers-registry).
//
// The value is the secret output `apikey` (`additionalSecretOutputs`). Rotation = replacement:
// a new `rotation` value makes Pulumi create the new key first and delete the old one
// afterwards; with `keyLifetime`, the provider renews the key the same way before IAM's expiry.
// The provider is ../host/iam/apiKeyProvider.ts.
import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../internal/providerShim";
import { withStoredProvider } from "../internal/storedProvider";
import { keyLifetimeInputProblems, LeakAction } from "../shared/iam/keyLifetime";
import { resourceOwner } from "../ownership/stackOwner";
import { IamCredentialsArgs } from "./credentials";

export type { LeakAction } from "../shared/iam/keyLifetime";

/** Arguments of {@link ApiKey}. */
export interface ApiKeyArgs {
    /** Display name; several keys may share one. */
    readonly name: pulumi.Input<string>;
    /** The owning service ID's IAM id, `iam-ServiceId-<uuid>` ({@link ServiceId.iamId}). Changing it replaces the key. */
    readonly iamId: pulumi.Input<string>;
    /** @default "" */
    readonly description?: pulumi.Input<string>;
    /**
     * Account of the key. Changing it replaces the key.
     * @default - the account of the service ID
     */
    readonly accountId?: pulumi.Input<string>;
    /**
     * Let IAM keep the value, so it can be read again (`read` then refreshes it from IAM).
     * Changing it replaces the key.
     * @default false - the value exists only in this resource's state
     */
    readonly storeValue?: pulumi.Input<boolean>;
    /**
     * Lock the key against changes and deletion; this resource unlocks it itself before it
     * changes or deletes it.
     * @default - the lock is not managed (a new key is unlocked)
     */
    readonly locked?: pulumi.Input<boolean>;
    /**
     * Rotation trigger: any string, e.g. `"2026-11"`. Changing it replaces the key: the new key
     * is created before the old one is deleted, so consumers updated in between keep working.
     * @default - the key is never rotated
     */
    readonly rotation?: pulumi.Input<string>;
    /**
     * How long each key lives: `"90d"`, `"12h"`, `"2w"` (units `m`, `h`, `d`, `w`; sums such as
     * `"1d12h"`), at least one hour. The key is created with IAM's `expires_at` that far ahead
     * (IAM refuses it afterwards, and purges it 90 days later), and renewed before then (see
     * `renewBefore`). Changing it replaces the key, create before delete.
     * @default - the key never expires
     */
    readonly keyLifetime?: pulumi.Input<string>;
    /**
     * How long before its expiry a key is renewed: every `preview`/`up` compares the key's
     * `expires_at` with IAM's time, and inside this window replaces it (create before delete,
     * so pull secrets are updated in place before the old key is deleted). Same units as
     * `keyLifetime`, shorter than it.
     * @default - one third of `keyLifetime`
     */
    readonly renewBefore?: pulumi.Input<string>;
    /**
     * What IAM does with the key when it finds it leaked: `"none"`, `"disable"` or `"delete"`.
     * A disabled (or deleted) key is replaced by the next `pulumi up` (after a refresh for a
     * key without `keyLifetime`). Changes in place.
     * @default "disable" - as IAM
     */
    readonly actionWhenLeaked?: pulumi.Input<LeakAction>;
    /**
     * When the owning service ID was created, as IAM reports it ({@link ServiceId.createdAt}). An
     * owner created moments ago may still answer 404; with this, that 404 is waited out even when
     * the owner was created by another process (an earlier `up`). Never a reason to change the key.
     * @default - only an owner created by this process is waited for
     */
    readonly subjectCreatedAt?: pulumi.Input<string>;
    /**
     * Credentials for this resource only, e.g. for another account. Stored as a secret.
     * @default - config `ibmcloud:*`, then `IBMCLOUD_*` environment variables
     */
    readonly credentials?: pulumi.Input<IamCredentialsArgs>;
}

/**
 * Problems with `keyLifetime`, `renewBefore` and `actionWhenLeaked`, under `prefix`, as a
 * component's arguments hold them: values not known yet (Outputs, preview unknowns) pass, and
 * the provider's `check` sees them once they are.
 * @internal
 */
export function keyLifetimeProblems(
    prefix: string,
    args: { keyLifetime?: unknown; renewBefore?: unknown; actionWhenLeaked?: unknown },
): string[] {
    const plain = (v: unknown) => (pulumi.Output.isInstance(v) ? undefined : v);
    return keyLifetimeInputProblems(prefix, {
        keyLifetime: plain(args.keyLifetime),
        renewBefore: plain(args.renewBefore),
        actionWhenLeaked: plain(args.actionWhenLeaked),
    });
}

// The provider the SDK is handed; state stores the one-line text of withStoredProvider instead
// (../internal/storedProvider.ts), which loads the same implementation.
const apiKeyProvider = providerShim("ApiKey");

/**
 * An IBM Cloud IAM API key for a service ID (`/v1/apikeys`), managed by a dynamic provider.
 * Its value is the secret output {@link ApiKey.apikey}.
 * @see https://cloud.ibm.com/docs/account?topic=account-serviceidapikeys
 */
export class ApiKey extends pulumi.dynamic.Resource {
    /** The key value (secret). Known from creation on; kept in state, encrypted. */
    declare public readonly apikey: pulumi.Output<string>;
    /** Display name. */
    declare public readonly name: pulumi.Output<string>;
    /** The owning identity's IAM id. */
    declare public readonly iamId: pulumi.Output<string>;
    /** Description ("" when none). */
    declare public readonly description: pulumi.Output<string>;
    /** The account of the key. */
    declare public readonly accountId: pulumi.Output<string>;
    /** Whether the key is locked. */
    declare public readonly locked: pulumi.Output<boolean>;
    /** `crn:v1:bluemix:public:iam-identity::a/<account>::apikey:ApiKey-<uuid>`. */
    declare public readonly crn: pulumi.Output<string>;
    /** Current entity tag (revision). */
    declare public readonly entityTag: pulumi.Output<string>;
    /** Creation time as IAM reports it. */
    declare public readonly createdAt: pulumi.Output<string>;
    /** When IAM stops accepting the key (`yyyy-MM-ddTHH:mm+0000`); undefined without `keyLifetime`. */
    declare public readonly expiresAt: pulumi.Output<string | undefined>;
    /** What IAM does when it finds the key leaked. */
    declare public readonly actionWhenLeaked: pulumi.Output<string>;
    /** Whether IAM has disabled the key (as of the last create, update or refresh). */
    declare public readonly disabled: pulumi.Output<boolean>;
    /** Why the key can no longer be used (expired or disabled in IAM), as of the last refresh. */
    declare public readonly status: pulumi.Output<string | undefined>;

    constructor(name: string, args: ApiKeyArgs, opts?: pulumi.CustomResourceOptions) {
        const problems = keyLifetimeProblems("", args);
        if (problems.length > 0)
            throw new pulumi.ResourceError(`ApiKey ${name}: ${problems.join(" ")}`, opts?.parent, true);
        super(
            apiKeyProvider,
            name,
            {
                name: args.name,
                iamId: args.iamId,
                description: args.description,
                accountId: args.accountId,
                storeValue: args.storeValue,
                locked: args.locked,
                rotation: args.rotation,
                keyLifetime: args.keyLifetime,
                renewBefore: args.renewBefore,
                actionWhenLeaked: args.actionWhenLeaked,
                subjectCreatedAt: args.subjectCreatedAt,
                credentials: args.credentials === undefined ? undefined : pulumi.secret(args.credentials),
                owner: resourceOwner("icr:iam:ApiKey", name, opts?.parent),
                incarnation: undefined,
                ownerMark: undefined,
                apikey: undefined,
                crn: undefined,
                entityTag: undefined,
                createdAt: undefined,
                expiresAt: undefined,
                disabled: undefined,
                status: undefined,
            },
            // Never deleteBeforeReplace: rotation must create the new key before deleting the old one.
            withStoredProvider(
                "ApiKey",
                pulumi.mergeOptions(opts, { additionalSecretOutputs: ["apikey", "credentials"] }),
            ),
            "iam",
            "ApiKey",
        );
    }
}
