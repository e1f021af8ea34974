// Shared access groups: one IAM access group per access scope (role, regions, registry namespace)
// holds the Container Registry policies, and the service IDs of every stack that opts in are its
// members, so the number of policies grows with the scopes in use, not with namespaces or clusters
// (IBM's "IAM account limits": 4,020 policies per account,
// https://cloud.ibm.com/docs/account?topic=account-known-issues#iam_limits).
//
// Several stacks share one group, found by its name (IAM access group names are unique per account,
// IBM's IAM Access Groups API reference, "Create an access group"). Whose the group is is recorded,
// never guessed: a group this library makes carries, at the end of its description, the shared-group
// mark of its scope:
//
//   <text> [pulumi-icr-access shared-group scope=<24 hex>]
//
// A group of that name without this mark (made by hand, or for another scope) is never used,
// changed or deleted. The mark's text and the scope hash's inputs are part of the state format.
import { createHash } from "crypto";
import { GLOBAL, ROLES, Role, canonicalRoles, policyBody, PolicyBody } from "./policyModel";

/** One access scope: what the members of its group may do in Container Registry. */
export interface AccessScope {
    /** The Container Registry service role. */
    readonly role: Role;
    /** IAM locations (regions and `global`), one policy each; undefined for one policy on every region. */
    readonly locations?: readonly string[];
    /** One registry namespace, or undefined for every namespace. */
    readonly registryNamespace?: string;
}

/** The longest access group name IAM takes (IBM's IAM Access Groups API reference). */
export const GROUP_NAME_MAX = 100;
/** The longest access group description IAM takes. */
export const GROUP_DESCRIPTION_MAX = 250;
/** The group name prefix when none is given. */
export const DEFAULT_GROUP_PREFIX = "icr";

/** A scope in canonical form: locations sorted and without duplicates. */
export function canonicalScope(scope: AccessScope): AccessScope {
    return {
        role: scope.role,
        locations: scope.locations === undefined ? undefined : [...new Set(scope.locations)].sort(),
        registryNamespace: scope.registryNamespace,
    };
}

/** The hash the shared-group mark carries: of the role, the sorted locations and the registry namespace. */
export function scopeHash(scope: AccessScope): string {
    const s = canonicalScope(scope);
    return createHash("sha256")
        .update(
            [
                s.role,
                s.locations === undefined ? "*" : s.locations.join(","),
                s.registryNamespace ?? "*",
            ].join("\n"),
        )
        .digest("hex")
        .slice(0, 24);
}

/**
 * The group's name: `<prefix>-<role>-<locations>-<registry namespace>`, e.g.
 * `icr-reader-eu-de_global-shop` or `icr-reader-all-regions-all-namespaces`. When the list of
 * locations would make the name longer than IAM allows, a hash of the scope stands for it.
 */
export function accessGroupName(scope: AccessScope, prefix: string = DEFAULT_GROUP_PREFIX): string {
    const s = canonicalScope(scope);
    const where = s.locations === undefined ? "all-regions" : s.locations.join("_");
    const what = s.registryNamespace ?? "all-namespaces";
    const name = `${prefix}-${s.role.toLowerCase()}-${where}-${what}`;
    if (name.length <= GROUP_NAME_MAX) return name;
    return `${prefix}-${s.role.toLowerCase()}-r${scopeHash(s).slice(0, 8)}-${what}`;
}

const MARK_PATTERN = /\s*\[pulumi-icr-access shared-group scope=([0-9a-f]{24})\]\s*$/;

/** The mark a shared group (and each of its policies) carries at the end of its description. */
export function sharedGroupMark(scope: AccessScope): string {
    return `[pulumi-icr-access shared-group scope=${scopeHash(scope)}]`;
}

/** The scope hash of a description's shared-group mark, or undefined when it carries none. */
export function readSharedGroupMark(description: string | undefined): string | undefined {
    return MARK_PATTERN.exec(description ?? "")?.[1];
}

/** Whether a description carries the shared-group mark of `scope`. */
export function carriesSharedGroupMark(description: string | undefined, scope: AccessScope): boolean {
    return readSharedGroupMark(description) === scopeHash(scope);
}

/** Words for a scope, for descriptions and messages: `Reader in eu-de, global; namespace shop`. */
export function scopeWords(scope: AccessScope): string {
    const s = canonicalScope(scope);
    return (
        `${s.role} in ${s.locations === undefined ? "every region" : s.locations.join(", ")}; ` +
        (s.registryNamespace === undefined ? "every namespace" : `namespace ${s.registryNamespace}`)
    );
}

/** A description of at most `max` characters ending in the mark: the text is cut, never the mark. */
function marked(text: string, mark: string, max: number): string {
    const room = max - mark.length - 1;
    return `${text.length > room ? `${text.slice(0, room - 1)}…` : text} ${mark}`;
}

/** The description of a shared group this library makes, with its mark. */
export function sharedGroupDescription(scope: AccessScope): string {
    return marked(
        `Container Registry ${scopeWords(scope)}, shared by pulumi-icr-access stacks; members are their service IDs.`,
        sharedGroupMark(scope),
        GROUP_DESCRIPTION_MAX,
    );
}

/** The policy body for one location of a shared group: subject `access_group_id`, the group's mark. */
export function groupPolicyBody(
    groupId: string,
    accountId: string,
    scope: AccessScope,
    location: string | undefined,
): PolicyBody {
    const where = location === undefined ? "" : location === GLOBAL ? " (global)" : ` in ${location}`;
    const body = policyBody({
        iamId: "",
        roles: [scope.role],
        accountId,
        region: location,
        registryNamespace: scope.registryNamespace,
        description: marked(
            `${scope.role} access to IBM Cloud Container Registry${where} for the members of a shared access group`,
            sharedGroupMark(scope),
            // IAM's policy description limit is larger; the group's bound keeps both short.
            GROUP_DESCRIPTION_MAX,
        ),
    });
    return { ...body, subjects: [{ attributes: [{ name: "access_group_id", value: groupId }] }] };
}

/** Whether a role list is exactly `role` (a group policy with other roles is not this scope's). */
export function rolesAre(roles: readonly string[], role: Role): boolean {
    const c = canonicalRoles(roles);
    return c.length === 1 && c[0] === role && ROLES.includes(role);
}

/** The setting that turns shared groups on, as messages name it. */
export const ACCESS_GROUPS_SETTING =
    "`accessGroups` (ClusterRegistryAccess; `icr-access:accessGroups` in the per-cluster stack)";

/**
 * Why a group of a shared group's name cannot be used: it is not a group this library made for
 * `scope`. Names the group, whose it may be, and the ways out through `setting`.
 */
export function foreignGroupReason(
    group: { readonly name: string; readonly id: string; readonly description?: string },
    scope: AccessScope,
    setting: string,
): string {
    const theirs = readSharedGroupMark(group.description);
    return (
        `IAM access group "${group.name}" (${group.id}) already exists in this account and was not made by ` +
        `pulumi-icr-access for this access scope (${scopeWords(scope)}): ` +
        (theirs === undefined
            ? "its description carries no shared-group mark (it was made by hand or by another tool)"
            : `its description carries the shared-group mark of another scope (${theirs})`) +
        `. This stack never uses, changes or deletes a group it did not make. Set a name prefix of your own ` +
        `with ${setting} as { namePrefix: "<prefix>" }, rename or delete that ` +
        `group, or turn the setting off to give each service ID its own policy. Nothing was created.`
    );
}
