// AccessPolicy: an IAM access policy that grants a subject Container Registry service roles,
// as a Pulumi dynamic resource (type `pulumi-nodejs:dynamic/iam:AccessPolicy`), as IBM's
// manual procedure makes it (IBM Cloud Kubernetes Service docs, "Using an image
// pull secret to access images in other IBM Cloud accounts",
// https://cloud.ibm.com/docs/containers?topic=containers-registry). The provider is
// ../host/iam/accessPolicyProvider.ts.
//
// One policy has at most one location attribute (IAM v1 resource attributes are single-valued):
// `region: "us-south"` → `region=us-south`, `region: "global"` → `geography=global` (icr.io),
// no region → every region. Access to several regions is several policies; NamespaceIdentity
// makes one per entry of its `regions`.
import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../internal/providerShim";
import { withStoredProvider } from "../internal/storedProvider";
import { RegistryLocation, Role } from "../shared/iam/policyModel";
import { resourceOwner } from "../ownership/stackOwner";
import { IamCredentialsArgs } from "./credentials";

/** Arguments of {@link AccessPolicy}. */
export interface AccessPolicyArgs {
    /** The subject's IAM id, e.g. a service ID's `iamId` ("iam-ServiceId-<uuid>"). */
    readonly iamId: pulumi.Input<string>;
    /** Container Registry service roles to grant: `Reader` (pull), `Writer` (push), `Manager`. */
    readonly roles: pulumi.Input<pulumi.Input<Role>[]>;
    /**
     * One IAM region (`us-south`, `eu-de`, …) or `"global"` for the global registry `icr.io`
     * (attribute `geography=global`).
     * @default - every region and the global registry
     */
    readonly region?: pulumi.Input<RegistryLocation>;
    /**
     * One Container Registry namespace (`resourceType=namespace`, `resource=<namespace>`).
     * @default - every namespace
     */
    readonly registryNamespace?: pulumi.Input<string>;
    /**
     * The account that owns the registry. Changing it replaces the policy.
     * @default - the account of the API key
     */
    readonly accountId?: pulumi.Input<string>;
    /** @default - none */
    readonly description?: pulumi.Input<string>;
    /**
     * When IAM already has a policy for the same subject and scope (409 `policy_conflict_error`),
     * take that policy over and set its roles, instead of failing.
     * @default false
     */
    readonly adoptExisting?: pulumi.Input<boolean>;
    /**
     * When the subject was created, as IAM reports it (a service ID's `createdAt`). A subject
     * created moments ago may still be unknown to IAM's policy service; with this, its 404 is
     * waited out even when the subject was created by another process (an earlier `up`).
     * Never a reason to change the policy.
     * @default - only a subject created by this process is waited for
     */
    readonly subjectCreatedAt?: pulumi.Input<string>;
    /**
     * Credentials for this resource only, e.g. for the registry's account. Stored as a secret.
     * @default - config `ibmcloud:*`, then `IBMCLOUD_*` environment variables
     */
    readonly credentials?: pulumi.Input<IamCredentialsArgs>;
}

// The provider the SDK is handed; state stores the one-line text of withStoredProvider instead
// (../internal/storedProvider.ts), which loads the same implementation.
const accessPolicyProvider = providerShim("AccessPolicy");

/**
 * An IAM access policy granting a subject Container Registry service roles (`/v1/policies`),
 * managed by a dynamic provider.
 * @see https://cloud.ibm.com/docs/Registry?topic=Registry-iam
 */
export class AccessPolicy extends pulumi.dynamic.Resource {
    /** The subject's IAM id. */
    declare public readonly iamId: pulumi.Output<string>;
    /** Granted roles, in Reader, Writer, Manager order. */
    declare public readonly roles: pulumi.Output<Role[]>;
    /** The region, `"global"`, or undefined for every region. */
    declare public readonly region: pulumi.Output<string | undefined>;
    /** The registry namespace, or undefined for every namespace. */
    declare public readonly registryNamespace: pulumi.Output<string | undefined>;
    /** The account owning the registry. */
    declare public readonly accountId: pulumi.Output<string>;
    /** Current revision (`ETag`). */
    declare public readonly etag: pulumi.Output<string>;
    /** `https://iam.cloud.ibm.com/v1/policies/<id>`. */
    declare public readonly href: pulumi.Output<string>;
    /** Creation time as IAM reports it. */
    declare public readonly createdAt: pulumi.Output<string>;

    constructor(name: string, args: AccessPolicyArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            accessPolicyProvider,
            name,
            {
                iamId: args.iamId,
                roles: args.roles,
                region: args.region,
                registryNamespace: args.registryNamespace,
                accountId: args.accountId,
                description: args.description,
                adoptExisting: args.adoptExisting,
                subjectCreatedAt: args.subjectCreatedAt,
                credentials: args.credentials === undefined ? undefined : pulumi.secret(args.credentials),
                owner: resourceOwner("icr:iam:AccessPolicy", name, opts?.parent),
                incarnation: undefined,
                ownerMark: undefined,
                etag: undefined,
                href: undefined,
                createdAt: undefined,
            },
            withStoredProvider(
                "AccessPolicy",
                pulumi.mergeOptions(opts, { additionalSecretOutputs: ["credentials"] }),
            ),
            "iam",
            "AccessPolicy",
        );
    }
}
