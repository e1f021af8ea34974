// ApiKey: an IBM Cloud IAM API key of a service ID, as a Pulumi dynamic resource
// (type `pulumi-nodejs:dynamic/iam:ApiKey`). Runbook step 4: the password of the pull secrets.
//
// The key's value exists only in the response to its creation ("Please preserve the API key!
// It cannot be retrieved after it's created."), unless `storeValue` is set. It is returned as
// the output `apikey`, made secret with `additionalSecretOutputs`, and carried forward from
// state by `read` and `update`. Rotation = replacement: a new `rotation` value makes Pulumi
// create the new key first and delete the old one afterwards.
//
// The provider runs in the engine's dynamic-provider process (loaded by the `__provider` shim; no
// `pulumi.*` in its methods). It calls IAM Identity:
//   create  POST   /v1/apikeys (Entity-Lock)
//   read    GET    /v1/apikeys/{id}            (404 → gone)
//   update  PUT    /v1/apikeys/{id} (If-Match), POST/DELETE …/lock
//   delete  DELETE /v1/apikeys/{id}            (404 → done; unlocks first if we lock it)
import * as pulumi from "@pulumi/pulumi";
import { containsUnknown, deepEqual, isUnknown } from "../internal/unknown";
import { ApiKeyResource, IamClient, IamClientTuning, parseIbmTime } from "./client";
import {
    IamCredentialsArgs,
    IamCredentialsInputs,
    IamProviderConfig,
    checkCredentialsInput,
    iamProviderConfigFrom,
} from "./credentials";
import type { Failure } from "./policyModel";
import {
    compact,
    deleteLockableEntity,
    iamClientFor,
    ignoreNotFound,
    writeWithFreshTag,
} from "./providerSupport";
import {
    checkAccountId,
    checkBoolean,
    checkDescription,
    checkIamId,
    checkName,
    checkOptionalString,
} from "./validation";
import { providerShim } from "../internal/providerShim";
import {
    OwnerMark,
    markText,
    markedDescription,
    parseMarkText,
    readMark,
    relationTo,
} from "../ownership/ownerMark";
import { resourceOwner } from "../ownership/stackOwner";
import {
    OwnedInputs,
    checkOwnedInputs,
    incarnationOf,
    markFor,
    stillOurs,
    withRecordedMark,
} from "./ownedObjects";

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

/** What the provider receives. @internal */
export interface ApiKeyInputs extends OwnedInputs {
    name: string;
    iamId: string;
    description?: string;
    accountId?: string;
    storeValue?: boolean;
    locked?: boolean;
    rotation?: string;
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
        ...checkOptionalString("subjectCreatedAt", news.subjectCreatedAt),
        // Also checks `credentials.accountId`, without quoting it: the object is a secret.
        ...checkCredentialsInput(news.credentials),
        ...checkOwnedInputs(news),
    ];
}

/**
 * The diff of an ApiKey: a new owner, account, `storeValue` or `rotation` replaces the key
 * (create before delete); name, description, lock and credentials change in place.
 * `subjectCreatedAt` only helps a create, so it never counts.
 * @internal
 */
export function diffApiKey(olds: ApiKeyState, news: ApiKeyInputs): pulumi.dynamic.DiffResult {
    const differs = (a: unknown, b: unknown) => isUnknown(b) || a !== b;
    const replaces: string[] = [];
    if (differs(olds.iamId, news.iamId)) replaces.push("iamId");
    if (news.accountId !== undefined && differs(olds.accountId, news.accountId)) replaces.push("accountId");
    if (differs(olds.storeValue ?? false, news.storeValue ?? false)) replaces.push("storeValue");
    if (differs(olds.rotation, news.rotation)) replaces.push("rotation");
    const changed =
        differs(olds.name, news.name) ||
        differs(olds.description ?? "", news.description ?? "") ||
        (news.locked !== undefined && differs(olds.locked, news.locked)) ||
        containsUnknown(news.credentials) ||
        !deepEqual(olds.credentials, news.credentials);
    return { changes: replaces.length > 0 || changed, replaces };
}

function stateOf(inputs: ApiKeyInputs, key: ApiKeyResource, value: string | undefined): ApiKeyState {
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
 * The ApiKey provider. One instance per process (`apiKeyProvider`); tests may make their own.
 * @internal
 */
export class ApiKeyProvider implements pulumi.dynamic.ResourceProvider<ApiKeyInputs, ApiKeyState> {
    private config?: IamProviderConfig;

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

    async diff(_id: string, olds: ApiKeyState, news: ApiKeyInputs): Promise<pulumi.dynamic.DiffResult> {
        return diffApiKey(olds, news);
    }

    async create(inputs: ApiKeyInputs): Promise<pulumi.dynamic.CreateResult<ApiKeyState>> {
        const client = this.client(inputs.credentials);
        const mark = keyMark(inputs);
        // Keys an earlier attempt of this resource made and never recorded (a crash, a lost
        // answer): their values are gone with that attempt, so nobody can use them; deleted,
        // before and (for a listing that lags) after the create. The key this resource holds
        // (same incarnation, in a replace) and keys of other owners are never touched.
        const orphansOf = (all: ApiKeyResource[], keptId?: string) =>
            all.filter((k) => k.id !== keptId && relationTo(k.description, mark) === "orphan");
        const listKeys = () => client.listApiKeys({ accountId: inputs.accountId, iamId: inputs.iamId });
        for (const orphan of orphansOf(await listKeys())) await deleteKey(client, orphan);
        const key = await client.createApiKey(
            {
                name: inputs.name,
                iamId: inputs.iamId,
                description: markedDescription(inputs.description ?? "", mark),
                accountId: inputs.accountId,
                storeValue: inputs.storeValue,
                locked: inputs.locked === true,
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
        return { id: key.id, outs: stateOf(inputs, key, key.apikey) };
    }

    async read(id: string, props?: ApiKeyState): Promise<pulumi.dynamic.ReadResult<ApiKeyState>> {
        const client = this.client(props?.credentials);
        const key = await client.getApiKey(id, { createdAt: parseIbmTime(props?.createdAt) });
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
            credentials: props?.credentials,
        };
        // The value is only in IAM's answer if it was stored; otherwise keep the one from create.
        return {
            id,
            props: stateOf(inputs, key, props?.apikey),
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
        };
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
        if (current.name !== news.name || (current.description ?? "") !== description) {
            if (current.locked) await unlock();
            current = await writeWithFreshTag<ApiKeyResource, ApiKeyResource>({
                tag: unlockedByUs ? undefined : current.entity_tag,
                reread: async () => {
                    const k = await client.getApiKey(id);
                    return k ? { tag: k.entity_tag, current: k } : undefined;
                },
                write: (tag) => client.updateApiKey(id, { name: news.name, description }, tag),
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
        return { outs: stateOf(news, current, olds.apikey) };
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

// What state stores as `__provider`: a shim that loads ApiKeyProvider by the package's name.
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

    constructor(name: string, args: ApiKeyArgs, opts?: pulumi.CustomResourceOptions) {
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
                subjectCreatedAt: args.subjectCreatedAt,
                credentials: args.credentials === undefined ? undefined : pulumi.secret(args.credentials),
                owner: resourceOwner("icr:iam:ApiKey", name, opts?.parent),
                incarnation: undefined,
                ownerMark: undefined,
                apikey: undefined,
                crn: undefined,
                entityTag: undefined,
                createdAt: undefined,
            },
            // Never deleteBeforeReplace: rotation must create the new key before deleting the old one.
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["apikey", "credentials"] }),
            "iam",
            "ApiKey",
        );
    }
}
