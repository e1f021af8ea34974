// The ServiceId provider (`pulumi-nodejs:dynamic/iam:ServiceId`), as the provider host runs it.
// It calls IAM Identity (IBM's IAM Identity API reference, "Service ID operations"):
//   check   GET    /v1/serviceids/{adoptId}           (only when adopting a new id)
//   create  POST   /v1/serviceids/  (Entity-Lock)      or GET + PUT when adopting
//   read    GET    /v1/serviceids/{id}                 (404 → gone)
//   update  PUT    /v1/serviceids/{id} (If-Match), POST/DELETE …/lock
//   delete  DELETE /v1/serviceids/{id}                 (404 → done; unlocks first if we lock it)
import type * as pulumi from "@pulumi/pulumi";
import { IamClient, IamClientTuning, ServiceIdResource, oldestFirst } from "../../clients/iam";
import { parseIbmTime } from "../../clients/iam/wire";
import { checkCredentialsInput, IamCredentialsInputs } from "../../shared/iam/credentialInputs";
import type { Failure } from "../../shared/iam/policyModel";
import {
    checkAccountId,
    checkAdoptId,
    checkBoolean,
    checkDescription,
    checkName,
} from "../../shared/iam/validation";
import {
    OwnerMark,
    foreignOwnerText,
    markText,
    markedDescription,
    parseMarkText,
    readMark,
    relationTo,
} from "../../shared/ownership/ownerMark";
import { containsUnknown, deepEqual, isUnknown } from "../../shared/unknown";
import { IamProviderConfig, iamProviderConfigFrom } from "./credentials";
import {
    OwnedInputs,
    checkOwnedInputs,
    incarnationOf,
    markFor,
    stillOurs,
    withRecordedMark,
} from "./ownedObjects";
import {
    asIamError,
    compact,
    deleteLockableEntity,
    iamClientFor,
    writeWithFreshTag,
} from "./providerSupport";

/** What the provider receives: the component's `ServiceIdArgs`, resolved. @internal */
export interface ServiceIdInputs extends OwnedInputs {
    name: string;
    description?: string;
    accountId?: string;
    locked?: boolean;
    adoptId?: string;
    credentials?: IamCredentialsInputs;
}

/** What the provider stores. Input keys hold live values (`accountId` resolved, `locked` actual). @internal */
export interface ServiceIdState extends OwnedInputs {
    name: string;
    description: string;
    accountId: string;
    locked: boolean;
    adoptId?: string;
    credentials?: IamCredentialsInputs;
    iamId: string;
    crn: string;
    entityTag: string;
    createdAt?: string;
    modifiedAt?: string;
    /** Whether the lock is ours to manage (`locked` was given). */
    lockManaged: boolean;
    /** The owner mark the service ID carries (`owner.incarnation.call`), when it carries ours. */
    ownerMark?: string;
}

/** `check` failures of ServiceId inputs, without network. @internal */
export function checkServiceIdInputs(news: ServiceIdInputs): Failure[] {
    return [
        ...checkName("name", news.name),
        ...checkDescription("description", news.description),
        ...checkAccountId("accountId", news.accountId),
        ...checkBoolean("locked", news.locked),
        ...checkAdoptId("adoptId", news.adoptId, "ServiceId-"),
        // Also checks `credentials.accountId`, without quoting it: the object is a secret.
        ...checkCredentialsInput(news.credentials),
        ...checkOwnedInputs(news),
    ];
}

/**
 * The diff of a ServiceId: name, description, lock and credentials change in place; another
 * account or another adopted id replaces. Unknown (preview) values count as changed.
 * @internal
 */
export function diffServiceId(
    id: string,
    olds: ServiceIdState,
    news: ServiceIdInputs,
): pulumi.dynamic.DiffResult {
    const replaces: string[] = [];
    if (news.accountId !== undefined && (isUnknown(news.accountId) || news.accountId !== olds.accountId)) {
        replaces.push("accountId");
    }
    if (news.adoptId !== undefined && (isUnknown(news.adoptId) || news.adoptId !== id))
        replaces.push("adoptId");
    const changed =
        isUnknown(news.name) ||
        olds.name !== news.name ||
        isUnknown(news.description) ||
        (olds.description ?? "") !== (news.description ?? "") ||
        (news.locked !== undefined && (isUnknown(news.locked) || news.locked !== olds.locked)) ||
        containsUnknown(news.credentials) ||
        !deepEqual(olds.credentials, news.credentials);
    return { changes: replaces.length > 0 || changed, replaces };
}

function stateOf(inputs: ServiceIdInputs, sid: ServiceIdResource): ServiceIdState {
    const { description, mark } = readMark(sid.description);
    return compact({
        owner: inputs.owner,
        incarnation: inputs.incarnation,
        name: sid.name,
        description,
        accountId: sid.account_id,
        locked: sid.locked === true,
        adoptId: inputs.adoptId,
        credentials: inputs.credentials,
        iamId: sid.iam_id,
        crn: sid.crn,
        entityTag: sid.entity_tag,
        createdAt: sid.created_at,
        modifiedAt: sid.modified_at,
        lockManaged: inputs.locked !== undefined,
        ownerMark: mark ? markText(mark) : undefined,
    });
}

function goneError(id: string): Error {
    return new Error(
        `ServiceId: service ID "${id}" no longer exists in IAM (deleted outside Pulumi). ` +
            "Run `pulumi refresh` to drop it from the stack, then `pulumi up` to create it again.",
    );
}

function lockedHint(id: string): string {
    return (
        `ServiceId: service ID "${id}" is locked, and this stack does not manage its lock. ` +
        `Unlock it (\`ibmcloud iam service-id-unlock ${id}\`) or set \`locked: false\` on the resource.`
    );
}

/**
 * Brings a service ID to the wanted name, description and lock: unlocks if a locked ID must
 * change, writes with `If-Match` (re-reading on a stale tag), then locks or unlocks.
 */
async function converge(
    client: IamClient,
    start: ServiceIdResource,
    want: { name: string; description: string; locked?: boolean; lockManaged: boolean },
): Promise<ServiceIdResource> {
    const id = start.id;
    let current = start;
    let unlockedByUs = false;
    const fieldsDiffer = (s: ServiceIdResource) =>
        s.name !== want.name || (s.description ?? "") !== want.description;
    const wantLocked = want.locked ?? start.locked;
    if (fieldsDiffer(current)) {
        if (current.locked) {
            if (!want.lockManaged) throw new Error(lockedHint(id));
            await client.unlockServiceId(id);
            unlockedByUs = true;
        }
        current = await writeWithFreshTag<ServiceIdResource, ServiceIdResource>({
            tag: unlockedByUs ? undefined : current.entity_tag,
            reread: async () => {
                const s = await client.getServiceId(id);
                return s ? { tag: s.entity_tag, current: s } : undefined;
            },
            write: (tag) =>
                client.updateServiceId(id, { name: want.name, description: want.description }, tag),
            fix: async (s) => {
                if (!s.locked) return false;
                if (!want.lockManaged) throw new Error(lockedHint(id));
                await client.unlockServiceId(id);
                unlockedByUs = true;
                return true;
            },
            gone: () => goneError(id),
        });
    }
    let lockChanged = false;
    if (wantLocked && (!current.locked || unlockedByUs)) {
        await client.lockServiceId(id);
        lockChanged = true;
    } else if (!wantLocked && current.locked && !unlockedByUs) {
        await client.unlockServiceId(id);
        lockChanged = true;
    }
    if (lockChanged || unlockedByUs) {
        const fresh = await client.getServiceId(id);
        if (!fresh) throw goneError(id);
        current = fresh;
    }
    return current;
}

/**
 * The ServiceId provider. One instance per process (components/providers.ts); tests may make
 * their own with faster `tuning`.
 * @internal
 */
export class ServiceIdProvider implements pulumi.dynamic.ResourceProvider<ServiceIdInputs, ServiceIdState> {
    private config?: IamProviderConfig;

    constructor(private readonly tuning?: Partial<IamClientTuning>) {}

    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        this.config = iamProviderConfigFrom(req.config);
    }

    private client(credentials: IamCredentialsInputs | undefined): IamClient {
        return iamClientFor(credentials, this.config, this.tuning, "ServiceId");
    }

    async check(
        olds: Partial<ServiceIdInputs>,
        news: ServiceIdInputs,
    ): Promise<pulumi.dynamic.CheckResult<ServiceIdInputs>> {
        news = { ...news, incarnation: incarnationOf(olds, news) };
        const failures = checkServiceIdInputs(news);
        if (failures.length > 0 || containsUnknown(news.credentials)) return { inputs: news, failures };
        let client: IamClient;
        try {
            client = this.client(news.credentials);
        } catch (err) {
            return { inputs: news, failures: [{ property: "credentials", reason: (err as Error).message }] };
        }
        // The credentials, at preview: a wrong, revoked or missing key fails here, before anything
        // is created, rather than halfway through `up` (one token exchange per process and key).
        let accountId: string;
        try {
            accountId = isUnknown(news.accountId) ? "" : (news.accountId ?? (await client.accountId()));
        } catch (err) {
            if (!asIamError(err)) throw err;
            return { inputs: news, failures: [{ property: "credentials", reason: (err as Error).message }] };
        }
        // Adopting a new id: make sure it exists now, so preview fails instead of `up`.
        if (news.adoptId !== undefined && !isUnknown(news.adoptId) && news.adoptId !== olds?.adoptId) {
            const sid = await client.getServiceId(news.adoptId).catch((err: unknown) => {
                // IAM refusing the read at preview time: `create` checks again and reports it.
                if (!asIamError(err)) throw err;
                return null;
            });
            if (sid === null) return { inputs: news, failures };
            if (!sid) {
                failures.push({
                    property: "adoptId",
                    reason:
                        `no service ID "${news.adoptId}" exists in the account of the API key. ` +
                        "List them with `ibmcloud iam service-ids --uuid`, or remove `adoptId` to create a new one.",
                });
            } else if (accountId !== "" && sid.account_id !== accountId) {
                failures.push({
                    property: "adoptId",
                    reason: `service ID "${news.adoptId}" belongs to account ${sid.account_id}, not to accountId ${accountId}`,
                });
            }
        }
        // A new service ID whose name another owner's service ID has: refused, since two service
        // IDs of one name in one account are two stacks' pull access that nobody can tell apart.
        const creating = olds?.name === undefined;
        if (creating && news.adoptId === undefined && accountId !== "" && !isUnknown(news.name)) {
            const mark = isUnknown(news.owner) ? undefined : markFor(news, accountId);
            let foreign: ServiceIdResource[];
            try {
                foreign = (await client.listServiceIds({ accountId, name: news.name })).filter(
                    (s) => mark === undefined || relationTo(s.description, mark) === "foreign",
                );
            } catch (err) {
                if (!asIamError(err)) throw err;
                failures.push({
                    property: "name",
                    reason: `could not list the service IDs named "${news.name}", to make sure no other stack's has this name: ${(err as Error).message}`,
                });
                foreign = [];
            }
            if (foreign.length > 0) {
                failures.push({
                    property: "name",
                    reason:
                        `account ${accountId} already has a service ID named "${news.name}" that is not this ` +
                        `stack's: ${foreign.map((s) => `${s.id}, ${foreignOwnerText(s.description)}`).join("; ")}. ` +
                        "Nothing was created. To keep both, give this stack another name (for the per-cluster " +
                        "stack: another `icr-access:cluster`, which names the service IDs). To manage that " +
                        "service ID with this stack instead, set `adoptId` (`adoptServiceId`) to its id; this " +
                        "stack then changes its name and description and deletes it on destroy.",
                });
            }
        }
        return { inputs: news, failures };
    }

    async diff(id: string, olds: ServiceIdState, news: ServiceIdInputs): Promise<pulumi.dynamic.DiffResult> {
        return diffServiceId(id, olds, news);
    }

    async create(inputs: ServiceIdInputs): Promise<pulumi.dynamic.CreateResult<ServiceIdState>> {
        const client = this.client(inputs.credentials);
        const accountId = inputs.accountId ?? (await client.accountId());
        const mark = markFor(inputs, accountId);
        const want = {
            name: inputs.name,
            description: markedDescription(inputs.description ?? "", mark),
            locked: inputs.locked,
            lockManaged: inputs.locked !== undefined,
        };
        let sid: ServiceIdResource;
        if (inputs.adoptId !== undefined) {
            const found = await client.getServiceId(inputs.adoptId);
            if (!found) {
                throw new Error(
                    `ServiceId: adoptId: no service ID "${inputs.adoptId}" exists in account ${accountId}. ` +
                        "List them with `ibmcloud iam service-ids --uuid`, or remove `adoptId` to create a new one.",
                );
            }
            if (found.account_id !== accountId) {
                throw new Error(
                    `ServiceId: adoptId: service ID "${inputs.adoptId}" belongs to account ${found.account_id}, not ${accountId}.`,
                );
            }
            // A locked ID we are told to adopt: its lock becomes ours only if `locked` is given.
            sid = await converge(client, found, want);
        } else {
            // What an earlier attempt of this resource made and never recorded (a crash, a lost
            // answer): taken over, the oldest; any others are ours too, and deleted.
            const orphans = oldestFirst(
                (await client.listServiceIds({ accountId, name: inputs.name })).filter(
                    (s) => relationTo(s.description, mark) === "orphan",
                ),
            );
            if (orphans.length > 0) {
                sid = await converge(client, orphans[0], want);
                for (const twin of orphans.slice(1)) await client.deleteServiceId(twin.id);
            } else {
                sid = await client.createServiceId(
                    {
                        accountId,
                        name: inputs.name,
                        description: want.description,
                        locked: inputs.locked === true,
                    },
                    (s) => relationTo(s.description, mark) === "this-call",
                );
                await removeLateOrphans(client, accountId, inputs.name, sid.id, mark);
            }
        }
        return { id: sid.id, outs: stateOf(inputs, sid) };
    }

    async read(id: string, props?: ServiceIdState): Promise<pulumi.dynamic.ReadResult<ServiceIdState>> {
        const client = this.client(props?.credentials);
        const sid = await client.getServiceId(id, { createdAt: parseIbmTime(props?.createdAt) });
        if (!sid) return { id: "" };
        const inputs: ServiceIdInputs = {
            owner: props?.owner,
            incarnation: props?.incarnation,
            adoptId: props?.adoptId,
            credentials: props?.credentials,
            name: sid.name,
            description: readMark(sid.description).description,
            accountId: sid.account_id,
            locked: props?.lockManaged ? sid.locked : undefined,
        };
        return {
            id,
            props: stateOf(inputs, sid),
            inputs: compact(inputs) as unknown as ServiceIdState,
        };
    }

    async update(
        id: string,
        olds: ServiceIdState,
        news: ServiceIdInputs,
    ): Promise<pulumi.dynamic.UpdateResult<ServiceIdState>> {
        const client = this.client(news.credentials);
        const accountId = news.accountId ?? (await client.accountId());
        if (accountId !== olds.accountId) {
            throw new Error(
                `ServiceId: the credentials now act in account ${accountId}, but service ID "${id}" lives in ` +
                    `account ${olds.accountId}. Use credentials for account ${olds.accountId}, or set ` +
                    `\`accountId\` to ${accountId} to replace the service ID there.`,
            );
        }
        const start: ServiceIdResource = {
            id,
            iam_id: olds.iamId,
            entity_tag: olds.entityTag,
            crn: olds.crn,
            locked: olds.locked,
            account_id: olds.accountId,
            name: olds.name,
            description: withRecordedMark(olds.description, olds.ownerMark),
            created_at: olds.createdAt,
            modified_at: olds.modifiedAt,
        };
        // The mark stays the one recorded at create; an object from before marks gets one now.
        const mark = parseMarkText(olds.ownerMark) ?? markFor(news, accountId);
        const sid = await converge(client, start, {
            name: news.name,
            description: markedDescription(news.description ?? "", mark),
            locked: news.locked,
            lockManaged: news.locked !== undefined,
        });
        return { outs: stateOf(news, sid) };
    }

    async delete(id: string, props: ServiceIdState): Promise<void> {
        const client = this.client(props.credentials);
        if (props.ownerMark !== undefined) {
            const live = await client.getServiceId(id, { createdAt: parseIbmTime(props.createdAt) });
            if (!live) return;
            if (!stillOurs(live.description, props.ownerMark)) return;
        }
        await deleteLockableEntity(
            {
                get: (sid) => client.getServiceId(sid),
                remove: (sid, opts) => client.deleteServiceId(sid, opts),
                unlock: (sid) => client.unlockServiceId(sid),
                lockedHint,
            },
            id,
            {
                lockManaged: props.lockManaged,
                locked: props.locked,
                createdAt: parseIbmTime(props.createdAt),
            },
        );
    }
}

/**
 * After a create: IAM's listing may lag, so an orphan an earlier attempt made moments ago may
 * not have been listed before the create. A listing that shows the new service ID shows what
 * was made before it (IAM lists in creation order), so wait for that (within the not-found
 * grace), then delete the orphans it shows. Only objects with this resource's owner and another
 * incarnation are touched.
 */
async function removeLateOrphans(
    client: IamClient,
    accountId: string,
    name: string,
    keptId: string,
    mark: OwnerMark,
): Promise<void> {
    await client.untilListed(
        () => client.listServiceIds({ accountId, name }),
        keptId,
        async (all) => {
            for (const s of all)
                // A twin of this very call (a retry after a lost answer that the listing did
                // not show yet) is as much ours as an earlier attempt's orphan.
                if (
                    s.id !== keptId &&
                    relationTo(s.description, mark) !== "foreign" &&
                    relationTo(s.description, mark) !== "held"
                )
                    await client.deleteServiceId(s.id);
        },
    );
}
