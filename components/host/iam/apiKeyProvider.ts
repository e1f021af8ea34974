// The ApiKey provider (`pulumi-nodejs:dynamic/iam:ApiKey`), as the provider host runs it. It
// calls IAM Identity (IBM's IAM Identity API reference, "API key operations"):
//   create  POST   /v1/apikeys (Entity-Lock)
//   read    GET    /v1/apikeys/{id}            (404 → gone)
//   update  PUT    /v1/apikeys/{id} (If-Match), POST/DELETE …/lock
//   delete  DELETE /v1/apikeys/{id}            (404 → done; unlocks first if we lock it)
//
// The key's value exists only in the response to its creation ("Please preserve the API key!
// It cannot be retrieved after it's created."), unless `storeValue` is set; it is returned as
// the output `apikey` and carried forward from state by `read` and `update`.
//
// Expiry: with `keyLifetime`, every key is created with IAM's `expires_at` (IAM then refuses it
// at the token endpoint, and deletes it once both `expires_at` and `modified_at` are more than
// 90 days past: IBM's IAM Identity API reference, `expires_at`). `diff` reads the key from IAM
// on every preview and up, and replaces it (create before delete: consumers are updated before
// the old key goes) once IAM's time is within `renewBefore` of its expiry, or when IAM disabled
// it; `read` (refresh) reports an expired or disabled key in `status`, and a purged one as gone.
import type * as pulumi from "@pulumi/pulumi";
import { ApiKeyAt, ApiKeyResource, IamClient, IamClientTuning } from "../../clients/iam";
import { parseIbmTime } from "../../clients/iam/wire";
import { checkCredentialsInput, IamCredentialsInputs } from "../../shared/iam/credentialInputs";
import {
    ibmExpiresAt,
    keyLifetimeInputProblems,
    parseKeyDuration,
    renewWindowMs,
} from "../../shared/iam/keyLifetime";
import type { Failure } from "../../shared/iam/policyModel";
import {
    checkAccountId,
    checkBoolean,
    checkDescription,
    checkIamId,
    checkName,
    checkOptionalString,
} from "../../shared/iam/validation";
import {
    OwnerMark,
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
    compact,
    deleteLockableEntity,
    iamClientFor,
    ignoreNotFound,
    writeWithFreshTag,
} from "./providerSupport";

/** What the provider receives. @internal */
export interface ApiKeyInputs extends OwnedInputs {
    name: string;
    iamId: string;
    description?: string;
    accountId?: string;
    storeValue?: boolean;
    locked?: boolean;
    rotation?: string;
    keyLifetime?: string;
    renewBefore?: string;
    actionWhenLeaked?: string;
    subjectCreatedAt?: string;
    credentials?: IamCredentialsInputs;
}

/** What the provider stores. `apikey` is secret (additionalSecretOutputs). @internal */
export interface ApiKeyState extends OwnedInputs {
    name: string;
    iamId: string;
    description: string;
    accountId: string;
    storeValue: boolean;
    locked: boolean;
    rotation?: string;
    credentials?: IamCredentialsInputs;
    /** The key value. */
    apikey?: string;
    crn: string;
    entityTag: string;
    createdAt?: string;
    createdBy?: string;
    modifiedAt?: string;
    /** Whether the lock is ours to manage (`locked` was given). */
    lockManaged: boolean;
    /** The owner mark the key carries (`owner.incarnation.call`), when it carries ours. */
    ownerMark?: string;
    keyLifetime?: string;
    renewBefore?: string;
    /** As IAM reports it (`disable` when IAM reports none). */
    actionWhenLeaked?: string;
    /** IAM's `expires_at`, `yyyy-MM-ddTHH:mm+0000`; absent: never. */
    expiresAt?: string;
    /** Whether IAM has disabled the key (by hand, or after a leak). */
    disabled?: boolean;
    /** Set when the key cannot be used any more: why, and that `pulumi up` replaces it. */
    status?: string;
}

/**
 * Why a key must be replaced now, if it must: IAM no longer has it (`apikey`: deleted, or
 * purged 90 days after expiry), disabled it (`disabled`), or IAM's time is within the renewal
 * window of its expiry (`expiresAt`). `live` is the key as IAM answered in this diff; without it
 * the state's copy is measured on our clock.
 * @internal
 */
export function renewalReason(
    olds: ApiKeyState,
    news: ApiKeyInputs,
    live?: ApiKeyAt,
): "apikey" | "disabled" | "expiresAt" | undefined {
    if (live !== undefined && live.key === undefined) return "apikey";
    if ((live?.key?.disabled ?? olds.disabled) === true) return "disabled";
    const expiresAt = live?.key ? live.key.expires_at : olds.expiresAt;
    const expiry = parseIbmTime(expiresAt);
    if (expiry === undefined) return undefined;
    const lifetime = isUnknown(news.keyLifetime) ? olds.keyLifetime : (news.keyLifetime ?? olds.keyLifetime);
    const renewBefore = isUnknown(news.renewBefore) ? olds.renewBefore : news.renewBefore;
    const now = live?.iamNow ?? Date.now();
    return now >= expiry - renewWindowMs(lifetime, renewBefore) ? "expiresAt" : undefined;
}

/** The one line `status` holds for a key that cannot be used, or undefined. */
function keyStatus(key: ApiKeyResource, nowMs: number): string | undefined {
    if (key.disabled === true)
        return `disabled in IAM (by hand, or after a leak): the next \`pulumi up\` replaces key ${key.id}`;
    const expiry = parseIbmTime(key.expires_at);
    if (expiry !== undefined && expiry <= nowMs)
        return `expired in IAM at ${key.expires_at}: the next \`pulumi up\` replaces key ${key.id}`;
    return undefined;
}

/** `check` failures of ApiKey inputs. @internal */
export function checkApiKeyInputs(news: ApiKeyInputs): Failure[] {
    return [
        ...checkName("name", news.name),
        ...checkIamId("iamId", news.iamId, true),
        ...checkDescription("description", news.description),
        ...checkAccountId("accountId", news.accountId),
        ...checkBoolean("storeValue", news.storeValue),
        ...checkBoolean("locked", news.locked),
        ...checkOptionalString("rotation", news.rotation),
        ...keyLifetimeInputProblems("", news).map((reason) => {
            const i = reason.indexOf(": ");
            return { property: reason.slice(0, i), reason: reason.slice(i + 2) };
        }),
        ...checkOptionalString("subjectCreatedAt", news.subjectCreatedAt),
        // Also checks `credentials.accountId`, without quoting it: the object is a secret.
        ...checkCredentialsInput(news.credentials),
        ...checkOwnedInputs(news),
    ];
}

/**
 * The diff of an ApiKey: a new owner, account, `storeValue`, `rotation` or `keyLifetime`
 * replaces the key (create before delete), and so does a key that must be renewed
 * ({@link renewalReason}: `expiresAt`, `disabled` or `apikey` in `replaces`, which preview
 * shows); name, description, lock, `actionWhenLeaked`, `renewBefore` and credentials change in
 * place. `subjectCreatedAt` only helps a create, so it never counts.
 * @internal
 */
export function diffApiKey(
    olds: ApiKeyState,
    news: ApiKeyInputs,
    live?: ApiKeyAt,
): pulumi.dynamic.DiffResult {
    const differs = (a: unknown, b: unknown) => isUnknown(b) || a !== b;
    const replaces: string[] = [];
    if (differs(olds.iamId, news.iamId)) replaces.push("iamId");
    if (news.accountId !== undefined && differs(olds.accountId, news.accountId)) replaces.push("accountId");
    if (differs(olds.storeValue ?? false, news.storeValue ?? false)) replaces.push("storeValue");
    if (differs(olds.rotation, news.rotation)) replaces.push("rotation");
    if (differs(olds.keyLifetime, news.keyLifetime)) replaces.push("keyLifetime");
    const renewal = renewalReason(olds, news, live);
    if (renewal !== undefined) replaces.push(renewal);
    const changed =
        differs(olds.actionWhenLeaked ?? "disable", news.actionWhenLeaked ?? "disable") ||
        differs(olds.renewBefore, news.renewBefore) ||
        differs(olds.name, news.name) ||
        differs(olds.description ?? "", news.description ?? "") ||
        (news.locked !== undefined && differs(olds.locked, news.locked)) ||
        containsUnknown(news.credentials) ||
        !deepEqual(olds.credentials, news.credentials);
    return { changes: replaces.length > 0 || changed, replaces };
}

function stateOf(
    inputs: ApiKeyInputs,
    key: ApiKeyResource,
    value: string | undefined,
    iamNow: number = Date.now(),
): ApiKeyState {
    const { description, mark } = readMark(key.description);
    return compact({
        owner: inputs.owner,
        incarnation: inputs.incarnation,
        name: key.name,
        iamId: key.iam_id,
        description,
        accountId: key.account_id,
        storeValue: inputs.storeValue === true,
        locked: key.locked === true,
        rotation: inputs.rotation,
        credentials: inputs.credentials,
        apikey: key.apikey ?? value,
        crn: key.crn,
        entityTag: key.entity_tag,
        createdAt: key.created_at,
        createdBy: key.created_by,
        modifiedAt: key.modified_at,
        lockManaged: inputs.locked !== undefined,
        ownerMark: mark ? markText(mark) : undefined,
        keyLifetime: inputs.keyLifetime,
        renewBefore: inputs.renewBefore,
        actionWhenLeaked: key.action_when_leaked ?? inputs.actionWhenLeaked ?? "disable",
        expiresAt: key.expires_at,
        disabled: key.disabled === true,
        status: keyStatus(key, iamNow),
    });
}

/** What places a key, besides its resource: a new value of any of these replaces it. */
function keyMark(inputs: ApiKeyInputs): OwnerMark {
    return markFor(
        inputs,
        inputs.iamId,
        inputs.accountId,
        inputs.rotation,
        String(inputs.storeValue === true),
    );
}

function goneError(id: string): Error {
    return new Error(
        `ApiKey: API key "${id}" no longer exists in IAM (deleted outside Pulumi). ` +
            "Run `pulumi refresh` to drop it from the stack, then `pulumi up` to create a new key.",
    );
}

function lockedHint(id: string): string {
    return (
        `ApiKey: API key "${id}" is locked, and this stack does not manage its lock. ` +
        `Unlock it (\`ibmcloud iam service-api-key-unlock\`) or set \`locked: false\` on the resource.`
    );
}

/**
 * The ApiKey provider. One instance per process (components/providers.ts); tests may make their own.
 * @internal
 */
export class ApiKeyProvider implements pulumi.dynamic.ResourceProvider<ApiKeyInputs, ApiKeyState> {
    private config?: IamProviderConfig;
    /**
     * The key state holds for each resource this process diffed, by the resource's `owner`
     * input. A replace (a renewal, a new `keyLifetime` or `rotation`) is checked again by the
     * engine without the old inputs, as a new resource is (pulumi/pulumi
     * pkg/resource/deploy/step_generator.go, "re-run Check with nil olds" before a replacement),
     * so the replacement's create carries a new incarnation and the key it replaces reads as an
     * earlier attempt's orphan. The engine diffs the resource before that create, in the same
     * provider host process: the diff records the key state holds, and the create never
     * touches it. A create without a record is of a new resource, which holds no key.
     */
    // A plain object, not a Map: a provider serialized by value (state from before the shims) must
    // deserialize to something that works.
    private readonly heldKeys: Record<string, string> = {};

    constructor(private readonly tuning?: Partial<IamClientTuning>) {}

    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        this.config = iamProviderConfigFrom(req.config);
    }

    private client(credentials: IamCredentialsInputs | undefined): IamClient {
        return iamClientFor(credentials, this.config, this.tuning, "ApiKey");
    }

    async check(
        olds: Partial<ApiKeyInputs>,
        news: ApiKeyInputs,
    ): Promise<pulumi.dynamic.CheckResult<ApiKeyInputs>> {
        news = { ...news, incarnation: incarnationOf(olds, news) };
        const failures = checkApiKeyInputs(news);
        if (failures.length === 0 && !containsUnknown(news.credentials)) {
            try {
                // The credentials, at preview (one token exchange per process and key).
                await this.client(news.credentials).getAccessToken();
            } catch (err) {
                failures.push({ property: "credentials", reason: (err as Error).message });
            }
        }
        return { inputs: news, failures };
    }

    async diff(id: string, olds: ApiKeyState, news: ApiKeyInputs): Promise<pulumi.dynamic.DiffResult> {
        const owner = isUnknown(news.owner) ? olds.owner : (news.owner ?? olds.owner);
        if (typeof owner === "string") this.heldKeys[owner] = id;
        // A key with an expiry is looked at in IAM on every preview and up: is IAM's time inside
        // the renewal window, did IAM disable or purge it? One read per key; keys without an
        // expiry are only read by a refresh.
        let live: ApiKeyAt | undefined;
        if (olds.expiresAt !== undefined) {
            const credentials = containsUnknown(news.credentials) ? olds.credentials : news.credentials;
            try {
                live = await this.client(credentials).readApiKey(id, {
                    createdAt: parseIbmTime(olds.createdAt),
                });
            } catch {
                // IAM unreachable: the expiry in state, on our clock (check reports the credentials).
                live = undefined;
            }
        }
        return diffApiKey(olds, news, live);
    }

    async create(inputs: ApiKeyInputs): Promise<pulumi.dynamic.CreateResult<ApiKeyState>> {
        const client = this.client(inputs.credentials);
        const mark = keyMark(inputs);
        // Keys an earlier attempt of this resource made and never recorded (a crash, a lost
        // answer): their values are gone with that attempt, so nobody can use them; deleted,
        // before and (for a listing that lags) after the create. The key this resource holds
        // (the one a replace replaces, recorded by the diff) and keys of other owners are
        // never touched.
        const held = typeof inputs.owner === "string" ? this.heldKeys[inputs.owner] : undefined;
        const orphansOf = (all: ApiKeyResource[], keptId?: string) =>
            all.filter(
                (k) => k.id !== keptId && k.id !== held && relationTo(k.description, mark) === "orphan",
            );
        const listKeys = () => client.listApiKeys({ accountId: inputs.accountId, iamId: inputs.iamId });
        for (const orphan of orphansOf(await listKeys())) await deleteKey(client, orphan);
        // IAM's time (the listing's answer), so that a skewed clock here does not shorten the life.
        const lifetime = parseKeyDuration(inputs.keyLifetime);
        const expiresAt = lifetime === undefined ? undefined : ibmExpiresAt(client.iamNow() + lifetime);
        const key = await client.createApiKey(
            {
                name: inputs.name,
                iamId: inputs.iamId,
                description: markedDescription(inputs.description ?? "", mark),
                accountId: inputs.accountId,
                storeValue: inputs.storeValue,
                locked: inputs.locked === true,
                expiresAt,
                actionWhenLeaked: inputs.actionWhenLeaked ?? "disable",
            },
            { subjectCreatedAt: parseIbmTime(inputs.subjectCreatedAt) },
        );
        if (!key.apikey) {
            // Without the value the key is useless to us; do not leave it behind.
            await ignoreNotFound(async () => {
                if (inputs.locked) await client.unlockApiKey(key.id);
                await client.deleteApiKey(key.id);
            });
            throw new Error(
                `ApiKey: IAM created API key "${key.id}" but returned no value; it was deleted again.`,
            );
        }
        await client.untilListed(listKeys, key.id, async (all) => {
            for (const orphan of orphansOf(all, key.id)) await deleteKey(client, orphan);
        });
        return { id: key.id, outs: stateOf(inputs, key, key.apikey, client.iamNow()) };
    }

    async read(id: string, props?: ApiKeyState): Promise<pulumi.dynamic.ReadResult<ApiKeyState>> {
        const client = this.client(props?.credentials);
        // Gone (deleted, or purged 90 days after its expiry): the refresh drops it, `up` makes a new one.
        const { key, iamNow } = await client.readApiKey(id, { createdAt: parseIbmTime(props?.createdAt) });
        if (!key) return { id: "" };
        const inputs: ApiKeyInputs = {
            owner: props?.owner,
            incarnation: props?.incarnation,
            name: key.name,
            iamId: key.iam_id,
            description: readMark(key.description).description,
            accountId: key.account_id,
            storeValue: props?.storeValue,
            locked: props?.lockManaged ? key.locked : undefined,
            rotation: props?.rotation,
            keyLifetime: props?.keyLifetime,
            renewBefore: props?.renewBefore,
            actionWhenLeaked: key.action_when_leaked ?? props?.actionWhenLeaked,
            credentials: props?.credentials,
        };
        // The value is only in IAM's answer if it was stored; otherwise keep the one from create.
        // An expired or disabled key is kept, with `status` saying so: the next diff replaces it.
        return {
            id,
            props: stateOf(inputs, key, props?.apikey, iamNow),
            inputs: compact(inputs) as unknown as ApiKeyState,
        };
    }

    async update(
        id: string,
        olds: ApiKeyState,
        news: ApiKeyInputs,
    ): Promise<pulumi.dynamic.UpdateResult<ApiKeyState>> {
        const client = this.client(news.credentials);
        const lockManaged = news.locked !== undefined;
        let current: ApiKeyResource = {
            id,
            entity_tag: olds.entityTag,
            crn: olds.crn,
            locked: olds.locked,
            name: olds.name,
            description: withRecordedMark(olds.description, olds.ownerMark),
            iam_id: olds.iamId,
            account_id: olds.accountId,
            created_at: olds.createdAt,
            created_by: olds.createdBy,
            modified_at: olds.modifiedAt,
            expires_at: olds.expiresAt,
            disabled: olds.disabled,
            action_when_leaked: olds.actionWhenLeaked,
        };
        const wantLeakAction = news.actionWhenLeaked ?? "disable";
        const wantLocked = news.locked ?? olds.locked;
        let unlockedByUs = false;
        const unlock = async () => {
            if (!lockManaged) throw new Error(lockedHint(id));
            await client.unlockApiKey(id);
            unlockedByUs = true;
        };
        // The mark stays the one recorded at create; a key from before marks gets one now.
        const description = markedDescription(
            news.description ?? "",
            parseMarkText(olds.ownerMark) ?? keyMark(news),
        );
        if (
            current.name !== news.name ||
            (current.description ?? "") !== description ||
            (current.action_when_leaked ?? "disable") !== wantLeakAction
        ) {
            if (current.locked) await unlock();
            current = await writeWithFreshTag<ApiKeyResource, ApiKeyResource>({
                tag: unlockedByUs ? undefined : current.entity_tag,
                reread: async () => {
                    const k = await client.getApiKey(id);
                    return k ? { tag: k.entity_tag, current: k } : undefined;
                },
                write: (tag) =>
                    client.updateApiKey(
                        id,
                        { name: news.name, description, actionWhenLeaked: wantLeakAction },
                        tag,
                    ),
                fix: async (k) => {
                    if (!k.locked) return false;
                    await unlock();
                    return true;
                },
                gone: () => goneError(id),
            });
        }
        let lockChanged = false;
        if (wantLocked && (!current.locked || unlockedByUs)) {
            await client.lockApiKey(id);
            lockChanged = true;
        } else if (!wantLocked && current.locked && !unlockedByUs) {
            await client.unlockApiKey(id);
            lockChanged = true;
        }
        if (lockChanged || unlockedByUs) {
            const fresh = await client.getApiKey(id);
            if (!fresh) throw goneError(id);
            current = fresh;
        }
        return { outs: stateOf(news, current, olds.apikey, client.iamNow()) };
    }

    async delete(id: string, props: ApiKeyState): Promise<void> {
        const client = this.client(props.credentials);
        if (props.ownerMark !== undefined) {
            const live = await client.getApiKey(id, { createdAt: parseIbmTime(props.createdAt) });
            if (!live) return;
            if (!stillOurs(live.description, props.ownerMark)) return;
        }
        await deleteLockableEntity(
            {
                get: (kid) => client.getApiKey(kid),
                remove: (kid, opts) => client.deleteApiKey(kid, opts),
                unlock: (kid) => client.unlockApiKey(kid),
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

/** Deletes a key of ours that no state holds, unlocking it first if it is locked. */
async function deleteKey(client: IamClient, key: ApiKeyResource): Promise<void> {
    await ignoreNotFound(async () => {
        if (key.locked) await client.unlockApiKey(key.id);
        await client.deleteApiKey(key.id);
    });
}
