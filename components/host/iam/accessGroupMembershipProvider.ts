// The AccessGroupMembership provider (`pulumi-nodejs:dynamic/iam:AccessGroupMembership`), as the
// provider host runs it: one stack's service IDs as members of the shared access group of one
// access scope (../../shared/iam/accessGroupScope.ts), with the group's Container Registry
// policies. It calls IAM Access Groups v2 (IBM's IAM Access Groups API reference) and IAM Policy
// Management v1 ("Policies"):
//   check   GET /v2/groups?search=name:…: a group of that name without the shared-group mark of
//           the scope is refused at preview, before anything is created
//   create  the group found by name (marked) or POST /v2/groups (a 409 re-reads by name and takes
//           the group only if it carries the mark); POST /v1/policies on `access_group_id` for each
//           location missing; PUT /v2/groups/{id}/members with this stack's service IDs
//   update  members added (PUT) and removed (DELETE /v2/groups/{id}/members/{iam_id}), only ours
//   delete  our members removed; when the group is left without members and carries the mark,
//           DELETE /v2/groups/{id} (without force, so a member another stack added meanwhile
//           keeps it) and its policies
// Each stack adds and removes only the members its state holds; the group is shared by name.
import type * as pulumi from "@pulumi/pulumi";
import { AccessGroupResource, IamClient, IamClientTuning } from "../../clients/iam";
import { checkCredentialsInput, IamCredentialsInputs } from "../../shared/iam/credentialInputs";
import {
    ACCESS_GROUPS_SETTING,
    AccessScope,
    GROUP_NAME_MAX,
    carriesSharedGroupMark,
    foreignGroupReason,
    groupPolicyBody,
    rolesAre,
    sharedGroupDescription,
} from "../../shared/iam/accessGroupScope";
import {
    CONTAINER_REGISTRY,
    Failure,
    IbmPolicy,
    Role,
    checkRegion,
    checkRegistryNamespace,
    parsePolicy,
} from "../../shared/iam/policyModel";
import { checkAccountId, checkIamId } from "../../shared/iam/validation";
import { containsUnknown, deepEqual, isUnknown } from "../../shared/unknown";
import { IamProviderConfig, iamProviderConfigFrom } from "./credentials";
import { asIamError, compact, iamClientFor } from "./providerSupport";

/** What the provider receives. @internal */
export interface AccessGroupMembershipInputs {
    /** The shared group's name (from the scope and the prefix, set by the component). */
    groupName: string;
    role: Role;
    /** IAM locations, one group policy each; undefined for one policy on every region. */
    locations?: string[];
    registryNamespace?: string;
    /** This stack's service IDs' `iam_id`s. */
    members: string[];
    accountId?: string;
    /** The setting that turned this on, named in messages. */
    setting?: string;
    credentials?: IamCredentialsInputs;
}

/** What the provider stores. @internal */
export interface AccessGroupMembershipState extends AccessGroupMembershipInputs {
    groupId: string;
    accountId: string;
    /** The group's Container Registry policies, one per location. */
    policyIds: string[];
}

function scopeOf(inputs: AccessGroupMembershipInputs): AccessScope {
    return { role: inputs.role, locations: inputs.locations, registryNamespace: inputs.registryNamespace };
}

/** `check` failures of AccessGroupMembership inputs. @internal */
export function checkAccessGroupMembershipInputs(news: AccessGroupMembershipInputs): Failure[] {
    const failures: Failure[] = [];
    if (!isUnknown(news.groupName)) {
        if (
            typeof news.groupName !== "string" ||
            news.groupName.trim() === "" ||
            news.groupName.length > GROUP_NAME_MAX
        )
            failures.push({
                property: "groupName",
                reason: `must be 1 to ${GROUP_NAME_MAX} characters (IAM's limit on access group names)`,
            });
    }
    if (!isUnknown(news.role) && !["Reader", "Writer", "Manager"].includes(news.role as string))
        failures.push({ property: "role", reason: "must be Reader, Writer or Manager" });
    if (news.locations !== undefined && !isUnknown(news.locations)) {
        if (!Array.isArray(news.locations) || news.locations.length === 0)
            failures.push({
                property: "locations",
                reason: "must be a non-empty list, or left out for every region",
            });
        else news.locations.forEach((l, i) => failures.push(...checkRegion(`locations[${i}]`, l, isUnknown)));
    }
    failures.push(...checkRegistryNamespace("registryNamespace", news.registryNamespace, isUnknown));
    if (!isUnknown(news.members)) {
        if (!Array.isArray(news.members) || news.members.length === 0)
            failures.push({ property: "members", reason: "must list at least one service ID's iam_id" });
        else
            news.members.forEach((m, i) => {
                const found = checkIamId(`members[${i}]`, m, false);
                if (found.length === 0 && !isUnknown(m) && !m.startsWith("iam-ServiceId-"))
                    found.push({
                        property: `members[${i}]`,
                        reason: `"${m}" is not a service ID's IAM id ("iam-ServiceId-<uuid>"); members are the stack's service IDs`,
                    });
                failures.push(...found);
            });
    }
    failures.push(...checkAccountId("accountId", news.accountId));
    failures.push(...checkCredentialsInput(news.credentials));
    return failures;
}

/**
 * The diff: a new group name, scope or account replaces the membership (the new group's is made
 * before the old one's is removed); members and credentials change in place.
 * @internal
 */
export function diffAccessGroupMembership(
    olds: AccessGroupMembershipState,
    news: AccessGroupMembershipInputs,
): pulumi.dynamic.DiffResult {
    const differs = (a: unknown, b: unknown) => containsUnknown(b) || !deepEqual(a, b);
    const replaces: string[] = [];
    if (differs(olds.groupName, news.groupName)) replaces.push("groupName");
    if (differs(olds.role, news.role)) replaces.push("role");
    if (differs(olds.locations, news.locations)) replaces.push("locations");
    if (differs(olds.registryNamespace, news.registryNamespace)) replaces.push("registryNamespace");
    if (news.accountId !== undefined && differs(olds.accountId, news.accountId)) replaces.push("accountId");
    const sorted = (m: unknown) =>
        Array.isArray(m) && !containsUnknown(m) ? [...(m as string[])].sort() : m;
    const changed =
        containsUnknown(news.members) ||
        !deepEqual(sorted(olds.members), sorted(news.members)) ||
        differs(olds.credentials, news.credentials) ||
        differs(olds.setting, news.setting);
    return { changes: replaces.length > 0 || changed, replaces };
}

/** The refusal of a group of our name that this library did not make for this scope. */
function notOursError(inputs: AccessGroupMembershipInputs, group: AccessGroupResource): string {
    return foreignGroupReason(group, scopeOf(inputs), inputs.setting ?? ACCESS_GROUPS_SETTING);
}

/** A group policy that grants exactly this scope at `location`. */
function grants(p: IbmPolicy, accountId: string, scope: AccessScope, location: string | undefined): boolean {
    const parsed = parsePolicy(p);
    return (
        p.state !== "deleted" &&
        parsed.serviceName === CONTAINER_REGISTRY &&
        parsed.accountId === accountId &&
        rolesAre(parsed.roles, scope.role) &&
        parsed.otherRoles.length === 0 &&
        parsed.otherAttributes.length === 0 &&
        parsed.region === location &&
        parsed.registryNamespace === scope.registryNamespace
    );
}

/**
 * The AccessGroupMembership provider. One instance per process (components/providers.ts); tests may
 * make their own.
 * @internal
 */
export class AccessGroupMembershipProvider implements pulumi.dynamic.ResourceProvider<
    AccessGroupMembershipInputs,
    AccessGroupMembershipState
> {
    private config?: IamProviderConfig;

    constructor(private readonly tuning?: Partial<IamClientTuning>) {}

    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        this.config = iamProviderConfigFrom(req.config);
    }

    private client(credentials: IamCredentialsInputs | undefined): IamClient {
        return iamClientFor(credentials, this.config, this.tuning, "AccessGroupMembership");
    }

    async check(
        _olds: Partial<AccessGroupMembershipInputs>,
        news: AccessGroupMembershipInputs,
    ): Promise<pulumi.dynamic.CheckResult<AccessGroupMembershipInputs>> {
        const failures = checkAccessGroupMembershipInputs(news);
        if (failures.length > 0 || containsUnknown(news.credentials) || containsUnknown(scopeOf(news)))
            return { inputs: news, failures };
        if (isUnknown(news.groupName) || isUnknown(news.accountId)) return { inputs: news, failures };
        // At preview, before anything is created: the credentials, and a group of our name that is
        // not a library-made group of this scope.
        try {
            const client = this.client(news.credentials);
            const accountId = news.accountId ?? (await client.accountId());
            const group = await client.findAccessGroupByName(accountId, news.groupName);
            if (group && !carriesSharedGroupMark(group.description, scopeOf(news)))
                failures.push({ property: "groupName", reason: notOursError(news, group) });
        } catch (err) {
            failures.push({ property: "credentials", reason: (err as Error).message });
        }
        return { inputs: news, failures };
    }

    async diff(
        _id: string,
        olds: AccessGroupMembershipState,
        news: AccessGroupMembershipInputs,
    ): Promise<pulumi.dynamic.DiffResult> {
        return diffAccessGroupMembership(olds, news);
    }

    /** The shared group of the scope: found by name when it carries the mark, else made. */
    private async ensureGroup(
        client: IamClient,
        inputs: AccessGroupMembershipInputs,
        accountId: string,
    ): Promise<AccessGroupResource> {
        const scope = scopeOf(inputs);
        const found = await client.findAccessGroupByName(accountId, inputs.groupName);
        if (found) {
            if (!carriesSharedGroupMark(found.description, scope))
                throw new Error(`AccessGroupMembership: ${notOursError(inputs, found)}`);
            return found;
        }
        const marked = (g: AccessGroupResource) => carriesSharedGroupMark(g.description, scope);
        try {
            return await client.createAccessGroup(
                { accountId, name: inputs.groupName, description: sharedGroupDescription(scope) },
                { made: marked },
            );
        } catch (err) {
            // Names are unique per account: another stack made it meanwhile, or a lost answer of ours
            // did. Either is the shared group when it carries the mark; anything else is refused.
            // IBM documents the uniqueness, not the refusal's status (the emulator answers 409), so
            // any refusal is looked into the same way.
            const status = asIamError(err)?.status;
            if (status === undefined || status < 400 || status >= 500) throw err;
            const now = await client.findAccessGroupByName(accountId, inputs.groupName);
            if (now && marked(now)) return now;
            if (now) throw new Error(`AccessGroupMembership: ${notOursError(inputs, now)}`);
            throw err;
        }
    }

    /** The group's Container Registry policy for each location, made where missing. */
    private async ensurePolicies(
        client: IamClient,
        inputs: AccessGroupMembershipInputs,
        accountId: string,
        groupId: string,
    ): Promise<string[]> {
        const scope = scopeOf(inputs);
        const existing = await client.listPolicies({ accountId, accessGroupId: groupId });
        const ids: string[] = [];
        for (const location of inputs.locations ?? [undefined]) {
            const have = existing.find((p) => grants(p, accountId, scope, location));
            if (have) {
                ids.push(have.id);
                continue;
            }
            const body = groupPolicyBody(groupId, accountId, scope, location);
            try {
                ids.push((await client.createPolicy(body)).policy.id);
            } catch (err) {
                // Another stack made it meanwhile, or a lost answer of ours did: IAM keeps one
                // policy per subject and scope, and the 409 names it. Ours when it carries the mark.
                const conflict = asIamError(err)?.conflict;
                if (!conflict) throw err;
                const got = await client.getPolicy(conflict.policyId, { createdAt: Date.now() });
                if (!got || !carriesSharedGroupMark(got.policy.description, scope)) throw err;
                ids.push(got.policy.id);
            }
        }
        return ids;
    }

    private async join(
        inputs: AccessGroupMembershipInputs,
        adding: readonly string[],
    ): Promise<AccessGroupMembershipState> {
        const client = this.client(inputs.credentials);
        const accountId = inputs.accountId ?? (await client.accountId());
        // A last member of another stack may delete the group between our look and our join: the
        // join's 404 then makes the group again, once.
        for (let attempt = 1; ; attempt++) {
            const group = await this.ensureGroup(client, inputs, accountId);
            try {
                const policyIds = await this.ensurePolicies(client, inputs, accountId, group.id);
                if (adding.length > 0) await client.addMembersToAccessGroup(group.id, adding);
                return compact({
                    ...inputs,
                    members: [...inputs.members].sort(),
                    accountId,
                    groupId: group.id,
                    policyIds,
                });
            } catch (err) {
                if (attempt >= 2 || asIamError(err)?.status !== 404) throw err;
            }
        }
    }

    async create(
        inputs: AccessGroupMembershipInputs,
    ): Promise<pulumi.dynamic.CreateResult<AccessGroupMembershipState>> {
        const outs = await this.join(inputs, inputs.members);
        return { id: outs.groupId, outs };
    }

    async read(
        id: string,
        props?: AccessGroupMembershipState,
    ): Promise<pulumi.dynamic.ReadResult<AccessGroupMembershipState>> {
        if (!props) return { id: "" };
        const client = this.client(props.credentials);
        // The group state names: an update that found the group made again by name records its new id.
        const live = await client.listAccessGroupMembers(props.groupId || id);
        if (live === undefined) return { id: "" };
        // Only our own members are ours to report: a member of ours removed by hand shows as a
        // change the next `up` puts back; other stacks' members are not this resource's.
        const present = new Set(live.map((m) => m.iam_id));
        const members = props.members.filter((m) => present.has(m));
        const state = { ...props, members };
        const { groupId: _g, policyIds: _p, ...inputs } = state;
        return { id, props: state, inputs: inputs as unknown as AccessGroupMembershipState };
    }

    async update(
        _id: string,
        olds: AccessGroupMembershipState,
        news: AccessGroupMembershipInputs,
    ): Promise<pulumi.dynamic.UpdateResult<AccessGroupMembershipState>> {
        const before = new Set(olds.members);
        const after = new Set(news.members);
        // Every member is put again (a no-op for existing ones): one removed by hand comes back.
        const outs = await this.join({ ...news, accountId: news.accountId ?? olds.accountId }, news.members);
        const client = this.client(news.credentials);
        for (const m of before) if (!after.has(m)) await client.removeMemberFromAccessGroup(outs.groupId, m);
        return { outs };
    }

    async delete(resourceId: string, props: AccessGroupMembershipState): Promise<void> {
        const client = this.client(props.credentials);
        // The group state names: an update that found the group made again by name records its new id.
        const id = props.groupId || resourceId;
        for (const m of props.members) await client.removeMemberFromAccessGroup(id, m);
        const group = await client.getAccessGroup(id);
        if (!group || !carriesSharedGroupMark(group.description, scopeOf(props))) return;
        const remaining = await client.listAccessGroupMembers(id);
        if (remaining === undefined || remaining.length > 0) return;
        // The last member left: the group and its policies go. Listed first, since IAM deletes a
        // group's policies with it; without `force`, a member another stack added meanwhile keeps
        // the group (409), and then its policies too.
        const policies = await client.listPolicies({ accountId: props.accountId, accessGroupId: id });
        if (!(await client.deleteAccessGroup(id))) return;
        for (const p of policies) {
            if (carriesSharedGroupMark(p.description, scopeOf(props))) await client.deletePolicy(p.id);
        }
    }
}
