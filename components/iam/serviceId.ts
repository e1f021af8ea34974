// ServiceId: an IBM Cloud IAM service ID, as a Pulumi dynamic resource (type
// `pulumi-nodejs:dynamic/iam:ServiceId`): the identity a cluster namespace pulls images as, as
// IBM's manual procedure makes it (IBM Cloud Kubernetes Service docs, "Using an image pull
// secret to access images in other IBM Cloud accounts",
// https://cloud.ibm.com/docs/containers?topic=containers-registry). The provider is
// ../host/iam/serviceIdProvider.ts.
import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../internal/providerShim";
import { withStoredProvider } from "../internal/storedProvider";
import { resourceOwner } from "../ownership/stackOwner";
import { IamCredentialsArgs } from "./credentials";

/** Arguments of {@link ServiceId}. */
export interface ServiceIdArgs {
    /** Display name. IAM does not require names to be unique. */
    readonly name: pulumi.Input<string>;
    /** @default "" */
    readonly description?: pulumi.Input<string>;
    /**
     * Account to create the service ID in. Changing it replaces the service ID.
     * @default - the account of the API key (its token's `account.bss` claim)
     */
    readonly accountId?: pulumi.Input<string>;
    /**
     * Lock the service ID, so nobody can change or delete it until it is unlocked. This resource
     * unlocks it by itself before it changes or deletes it. Note that IAM also refuses to create,
     * change or delete policies whose subject is a locked service ID.
     * @default - the lock is not managed (a new service ID is unlocked)
     */
    readonly locked?: pulumi.Input<boolean>;
    /**
     * Manage an existing service ID, `ServiceId-<uuid>`, instead of creating one (`pulumi import`
     * does not work for dynamic resources). Its name and description are set to this resource's.
     * Deleting the resource deletes the service ID, unless `retainOnDelete` is set.
     * @default - a new service ID is created
     */
    readonly adoptId?: pulumi.Input<string>;
    /**
     * Credentials for this resource only, e.g. for another account. Stored as a secret.
     * @default - config `ibmcloud:apiKey` / `ibmcloud:iamEndpoint` / `ibmcloud:accountId`, then
     * `IBMCLOUD_API_KEY` / `IBMCLOUD_IAM_ENDPOINT` / `IBMCLOUD_ACCOUNT_ID`
     */
    readonly credentials?: pulumi.Input<IamCredentialsArgs>;
}

/**
 * The IAM id of a service ID, from its id: IAM forms it as `iam-` + id ("iam-ServiceId-<uuid>",
 * IBM's IAM docs). Derived from the resource id, which stays known while a preview updates
 * the service ID, so dependents (policies, keys) do not see an unknown subject.
 */
export function iamIdOfServiceId(id: string): string {
    return `iam-${id}`;
}

// The provider the SDK is handed; state stores the one-line text of withStoredProvider instead
// (../internal/storedProvider.ts), which loads the same implementation.
const serviceIdProvider = providerShim("ServiceId");

/**
 * An IBM Cloud IAM service ID (`/v1/serviceids`), managed by a dynamic provider.
 * @see https://cloud.ibm.com/docs/account?topic=account-serviceids
 */
export class ServiceId extends pulumi.dynamic.Resource {
    /** Display name. */
    declare public readonly name: pulumi.Output<string>;
    /** Description ("" when none). */
    declare public readonly description: pulumi.Output<string>;
    /** The account the service ID lives in. */
    declare public readonly accountId: pulumi.Output<string>;
    /** Whether the service ID is locked. */
    declare public readonly locked: pulumi.Output<boolean>;
    /** `iam-ServiceId-<uuid>`: the subject of policies and the owner of API keys. */
    declare public readonly iamId: pulumi.Output<string>;
    /** `crn:v1:bluemix:public:iam-identity::a/<account>::serviceid:ServiceId-<uuid>`. */
    declare public readonly crn: pulumi.Output<string>;
    /** Current entity tag (revision). */
    declare public readonly entityTag: pulumi.Output<string>;
    /** Creation time as IAM reports it. */
    declare public readonly createdAt: pulumi.Output<string>;
    /** Last modification time as IAM reports it. */
    declare public readonly modifiedAt: pulumi.Output<string>;

    constructor(name: string, args: ServiceIdArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            serviceIdProvider,
            name,
            {
                name: args.name,
                description: args.description,
                accountId: args.accountId,
                locked: args.locked,
                adoptId: args.adoptId,
                // Secret in state (outputs keep it under the same key, so they stay secret too).
                credentials: args.credentials === undefined ? undefined : pulumi.secret(args.credentials),
                owner: resourceOwner("icr:iam:ServiceId", name, opts?.parent),
                incarnation: undefined,
                ownerMark: undefined,
                iamId: undefined,
                crn: undefined,
                entityTag: undefined,
                createdAt: undefined,
                modifiedAt: undefined,
            },
            withStoredProvider(
                "ServiceId",
                pulumi.mergeOptions(opts, { additionalSecretOutputs: ["credentials"] }),
            ),
            "iam",
            "ServiceId",
        );
    }
}
