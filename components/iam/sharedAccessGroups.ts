// ClusterRegistryAccess's `accessGroups`: the identities of a stack grouped by access scope, and one
// AccessGroupMembership per scope holding their service IDs (./accessGroupMembership.ts).
import * as pulumi from "@pulumi/pulumi";
import { AccessScope, accessGroupName, canonicalScope } from "../shared/iam/accessGroupScope";
import type { Role } from "../shared/iam/policyModel";
import { policyLocations } from "../shared/registry/registryDomains";
import { AccessGroupMembership } from "./accessGroupMembership";
import type { IamCredentialsArgs } from "./credentials";
import type { NamespaceIdentity } from "./namespaceIdentity";

/** The options of ClusterRegistryAccess's `accessGroups` (its AccessGroupsOptions). */
interface AccessGroupsOptions {
    readonly namePrefix?: string;
}

/** The settings of an identity that make its scope (ClusterRegistryAccess's RegistryAccess). */
interface ScopeSettings {
    readonly role?: Role;
    readonly regions?: readonly string[];
    readonly includeGlobal?: boolean;
    readonly registryNamespace?: string;
}

/** The options of an `accessGroups` setting, or undefined when it is off. @internal */
export function accessGroupsOptions(
    setting: boolean | AccessGroupsOptions | undefined,
): AccessGroupsOptions | undefined {
    if (setting === undefined || setting === false) return undefined;
    return setting === true ? {} : setting;
}

/** The access scope of an identity's settings: the role, its policy locations and registry namespace. @internal */
export function accessScopeOf(access: ScopeSettings): AccessScope {
    return canonicalScope({
        role: access.role ?? "Reader",
        locations: policyLocations(access),
        registryNamespace: access.registryNamespace,
    });
}

/** One identity and the scope of its access. @internal */
export interface ScopedIdentity {
    readonly identity: NamespaceIdentity;
    readonly scope: AccessScope;
}

/**
 * One AccessGroupMembership per access scope, named `<name>-<group name>` (a natural key: the scope),
 * with the service IDs of the identities of that scope. @internal
 */
export function declareAccessGroupMemberships(
    parent: pulumi.Resource,
    name: string,
    options: AccessGroupsOptions,
    identities: readonly ScopedIdentity[],
    credentials: pulumi.Input<IamCredentialsArgs> | undefined,
): AccessGroupMembership[] {
    const byGroup = new Map<string, { scope: AccessScope; members: pulumi.Output<string>[] }>();
    for (const { identity, scope } of identities) {
        const group = accessGroupName(scope, options.namePrefix);
        const entry = byGroup.get(group) ?? { scope, members: [] };
        entry.members.push(identity.iamId);
        byGroup.set(group, entry);
    }
    return [...byGroup.entries()].map(
        ([group, { scope, members }]) =>
            new AccessGroupMembership(
                `${name}-${group}`,
                {
                    role: scope.role,
                    locations: scope.locations,
                    registryNamespace: scope.registryNamespace,
                    members,
                    namePrefix: options.namePrefix,
                    credentials,
                },
                { parent },
            ),
    );
}
