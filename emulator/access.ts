// What an identity may do, as IAM decides it: the policies whose subject is the identity itself
// (`iam_id`) and those of every access group it is a member of (`access_group_id`). "Any member
// added gains access to resources defined in the group's policies. To revoke a given members's
// access, simply remove them from the group" (the SDK's iam-access-groups/v2.ts,
// `addMembersToAccessGroup`). The emulator authorizes nothing itself; this feeds a login's ID token
// (`groups_<account>`, ./oidc.ts) and `GET /_emulator/access`, which a test reads to know what a
// login would be allowed to do (e.g. pull from a registry region).
import { PolicyRecord, Store } from "./store";

/** One policy that applies to an identity, and through what. */
export interface GrantedPolicy {
    readonly policy: PolicyRecord;
    /** `"iam_id"` for a policy on the identity itself, else the access group's id. */
    readonly via: string;
}

/** The identity's access groups in `accountId` and the policies that apply to it there. */
export interface IdentityAccess {
    readonly accountId: string;
    readonly iamId: string;
    readonly accessGroups: string[];
    readonly policies: GrantedPolicy[];
}

/** The ids of the access groups of `accountId` that `iamId` is a member of. @internal */
export function accessGroupIdsOf(store: Store, accountId: string, iamId: string): string[] {
    return store.accessGroupsOfMember(accountId, iamId).map((g) => g.id);
}

/** Every policy of `accountId` that applies to `iamId`: its own and its groups'. @internal */
export function accessOf(store: Store, accountId: string, iamId: string): IdentityAccess {
    const groups = accessGroupIdsOf(store, accountId, iamId);
    const policies: GrantedPolicy[] = [];
    for (const p of store.policies.values()) {
        if (p.accountId !== accountId) continue;
        for (const subject of p.subjects) {
            const own = subject.attributes.find((a) => a.name === "iam_id");
            const group = subject.attributes.find((a) => a.name === "access_group_id");
            if (own?.value === iamId) policies.push({ policy: p, via: "iam_id" });
            else if (group && groups.includes(group.value)) policies.push({ policy: p, via: group.value });
        }
    }
    return { accountId, iamId, accessGroups: groups, policies };
}
