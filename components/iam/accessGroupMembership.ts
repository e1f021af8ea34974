// AccessGroupMembership: a stack's service IDs as members of the IAM access group shared by every
// stack with the same access scope (role, regions, registry namespace), the group holding the
// Container Registry policies; as a Pulumi dynamic resource (type
// `pulumi-nodejs:dynamic/iam:AccessGroupMembership`). The provider is
// ../host/iam/accessGroupMembershipProvider.ts; the group's name and mark are
// ../shared/iam/accessGroupScope.ts.
//
// Why: one policy per service ID and region runs into IAM's account limit of 4,020 policies with a
// fleet of clusters; a group's policies count once however many members it has ("IAM account
// limits", https://cloud.ibm.com/docs/account?topic=account-known-issues#iam_limits; IBM's IAM Access
// Groups API reference, "Add members to an access group").
import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../internal/providerShim";
import { withStoredProvider } from "../internal/storedProvider";
import { accessGroupName, canonicalScope } from "../shared/iam/accessGroupScope";
import type { Role } from "../shared/iam/policyModel";
import { IamCredentialsArgs } from "./credentials";

/** Arguments of {@link AccessGroupMembership}. */
export interface AccessGroupMembershipArgs {
    /** The Container Registry service role the group's policies grant. */
    readonly role: Role;
    /**
     * IAM locations (`us-south`, …, `global` for `icr.io`) the group's policies grant, one policy
     * each. Plain values: they are part of the group's name.
     * @default - one policy for every region and the global registry
     */
    readonly locations?: readonly string[];
    /**
     * One Container Registry namespace the policies are scoped to. Part of the group's name.
     * @default - every registry namespace
     */
    readonly registryNamespace?: string;
    /**
     * The stack's service IDs' IAM ids (`iam-ServiceId-<uuid>`) to make members. Their order does
     * not matter; give them in a stable order, so that a preview lists only what changes.
     */
    readonly members: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The start of the group's name: `<prefix>-<role>-<locations>-<registry namespace>`.
     * @default "icr"
     */
    readonly namePrefix?: string;
    /**
     * The account of the group (the registry's account).
     * @default - the account of the API key
     */
    readonly accountId?: pulumi.Input<string>;
    /**
     * The setting named in error messages, e.g. `accessGroups`.
     * @default - ClusterRegistryAccess's `accessGroups`
     */
    readonly setting?: string;
    /**
     * Credentials for this resource only, e.g. for the registry's account. Stored as a secret.
     * @default - config `ibmcloud:*`, then `IBMCLOUD_*` environment variables
     */
    readonly credentials?: pulumi.Input<IamCredentialsArgs>;
}

// The provider the SDK is handed; state stores the one-line text of withStoredProvider instead
// (../internal/storedProvider.ts), which loads the same implementation.
const accessGroupMembershipProvider = providerShim("AccessGroupMembership");

/**
 * This stack's service IDs as members of the shared IAM access group of one access scope. The group
 * (and its Container Registry policies) is made by the first stack that needs it, found by name by
 * the others, and deleted with its policies when the last member leaves. A group of the same name
 * that this library did not make for the scope is refused at preview.
 * @see https://cloud.ibm.com/docs/account?topic=account-groups
 */
export class AccessGroupMembership extends pulumi.dynamic.Resource {
    /** The group's name. */
    declare public readonly groupName: pulumi.Output<string>;
    /** The group's id, `AccessGroupId-<uuid>`. */
    declare public readonly groupId: pulumi.Output<string>;
    /** The group's Container Registry policies, one per location. */
    declare public readonly policyIds: pulumi.Output<string[]>;
    /** The members this stack holds, sorted. */
    declare public readonly members: pulumi.Output<string[]>;
    /** The account of the group. */
    declare public readonly accountId: pulumi.Output<string>;

    constructor(name: string, args: AccessGroupMembershipArgs, opts?: pulumi.CustomResourceOptions) {
        const scope = canonicalScope(args);
        super(
            accessGroupMembershipProvider,
            name,
            {
                groupName: accessGroupName(scope, args.namePrefix),
                role: scope.role,
                locations: scope.locations,
                registryNamespace: scope.registryNamespace,
                // As given, not sorted: a sort would make the whole list unknown in a preview that
                // adds a service ID, where element by element the preview shows just the one added.
                members: args.members,
                accountId: args.accountId,
                setting: args.setting,
                credentials: args.credentials === undefined ? undefined : pulumi.secret(args.credentials),
                groupId: undefined,
                policyIds: undefined,
            },
            withStoredProvider(
                "AccessGroupMembership",
                pulumi.mergeOptions(opts, { additionalSecretOutputs: ["credentials"] }),
            ),
            "iam",
            "AccessGroupMembership",
        );
    }
}
