// The emulator's world: accounts (from start-up options), service IDs, API keys, policies and
// access groups with their members,
// optionally persisted to a JSON state file so a later process sees the same world.
// The file is rewritten after every mutation through a temporary file and rename, so a reader
// never sees half a file. API key values are stored only as hashes (plus the value itself for
// service-ID keys created with `store_value: true`, which IBM can show again).
import * as fs from "fs";
import * as path from "path";
import { adminIamId, hashApiKey } from "./ids";
import { newSigningKey } from "./tokens";

/** An account known to the emulator and its owner (the identity behind the admin key). @internal */
export interface AccountRecord {
    readonly accountId: string;
    readonly adminKeyHash: string;
    readonly adminIamId: string;
    readonly adminName: string;
    readonly adminEmail: string;
}

/** A service ID as stored. Times are epoch milliseconds. @internal */
export interface ServiceIdRecord {
    id: string;
    iamId: string;
    accountId: string;
    name: string;
    description: string;
    uniqueInstanceCrns: string[];
    locked: boolean;
    revision: number;
    entityTag: string;
    createdAt: number;
    modifiedAt: number;
}

/** An API key as stored; `valueHash` is the SHA-256 of the value. @internal */
export interface ApiKeyRecord {
    id: string;
    iamId: string;
    accountId: string;
    name: string;
    description: string;
    valueHash: string;
    /** Only for service-ID keys created with `store_value: true`. */
    storedValue?: string;
    locked: boolean;
    disabled: boolean;
    revision: number;
    entityTag: string;
    createdAt: number;
    createdBy: string;
    modifiedAt: number;
    supportSessions: boolean;
    actionWhenLeaked: string;
    expiresAt?: string;
}

/** One policy attribute (`name`, `value`, optional `operator`). @internal */
export interface PolicyAttribute {
    name: string;
    value: string;
    operator?: string;
}

/** An access policy as stored (v1 shape). @internal */
export interface PolicyRecord {
    id: string;
    accountId: string;
    type: string;
    description?: string;
    subjects: { attributes: PolicyAttribute[] }[];
    roleIds: string[];
    resources: { attributes: PolicyAttribute[] }[];
    revision: number;
    etag: string;
    createdAt: number;
    createdById: string;
    lastModifiedAt: number;
    lastModifiedById: string;
}

/** One member of an access group, as `PUT /v2/groups/{id}/members` added it. @internal */
export interface AccessGroupMemberRecord {
    iamId: string;
    /** IBM's member type: "user", "service" or "profile". */
    type: string;
    createdAt: number;
    createdById: string;
}

/** An access group as stored; `revision` is its `ETag`. @internal */
export interface AccessGroupRecord {
    id: string;
    accountId: string;
    name: string;
    description: string;
    revision: number;
    createdAt: number;
    createdById: string;
    lastModifiedAt: number;
    lastModifiedById: string;
    /** Static members in the order they were added. */
    members: AccessGroupMemberRecord[];
}

/** The state file's content. @internal */
export interface StateFile {
    format: typeof STATE_FORMAT;
    version: 1;
    signingKey: string;
    serviceIds: ServiceIdRecord[];
    apiKeys: ApiKeyRecord[];
    policies: PolicyRecord[];
    /** Absent in files written before access groups were emulated. */
    accessGroups?: AccessGroupRecord[];
}

const STATE_FORMAT = "pulumi-icr-access/iam-emulator-state";

/**
 * All objects of the emulated IAM, keyed by id. `Map` keeps insertion order, which is the
 * default (creation) order of list responses.
 * @internal
 */
export class Store {
    readonly accounts = new Map<string, AccountRecord>();
    readonly serviceIds = new Map<string, ServiceIdRecord>();
    readonly apiKeys = new Map<string, ApiKeyRecord>();
    readonly policies = new Map<string, PolicyRecord>();
    readonly accessGroups = new Map<string, AccessGroupRecord>();
    signingKey: string = newSigningKey();

    private constructor(private readonly stateFile?: string) {}

    /**
     * Creates a store for `accounts`, loading `stateFile` when it exists.
     * A missing file starts an empty world (and is written at once); an unreadable one is an error.
     */
    static open(accounts: { accountId: string; apiKey: string }[], stateFile?: string): Store {
        const store = new Store(stateFile ? path.resolve(stateFile) : undefined);
        for (const a of accounts) {
            const iamId = adminIamId(a.accountId);
            store.accounts.set(a.accountId, {
                accountId: a.accountId,
                adminKeyHash: hashApiKey(a.apiKey),
                adminIamId: iamId,
                adminName: "Account Owner",
                adminEmail: `owner-${a.accountId.slice(0, 8)}@example.com`,
            });
        }
        if (store.stateFile) {
            if (fs.existsSync(store.stateFile)) store.load(store.stateFile);
            else store.save();
        }
        return store;
    }

    /** The account whose admin key hashes to `hash`, if any. */
    accountByAdminKeyHash(hash: string): AccountRecord | undefined {
        for (const a of this.accounts.values()) if (a.adminKeyHash === hash) return a;
        return undefined;
    }

    /** The API key whose value hashes to `hash`, if any. */
    apiKeyByHash(hash: string): ApiKeyRecord | undefined {
        for (const k of this.apiKeys.values()) if (k.valueHash === hash) return k;
        return undefined;
    }

    /** The service ID with `iamId`, if any. */
    serviceIdByIamId(iamId: string): ServiceIdRecord | undefined {
        for (const s of this.serviceIds.values()) if (s.iamId === iamId) return s;
        return undefined;
    }

    /** The access groups of `accountId` that `iamId` is a static member of, in creation order. */
    accessGroupsOfMember(accountId: string, iamId: string): AccessGroupRecord[] {
        return [...this.accessGroups.values()].filter(
            (g) => g.accountId === accountId && g.members.some((m) => m.iamId === iamId),
        );
    }

    /** Deletes every service ID, API key, policy and access group (accounts stay), for `POST /_emulator/reset`. */
    clearObjects(): void {
        this.serviceIds.clear();
        this.apiKeys.clear();
        this.policies.clear();
        this.accessGroups.clear();
        this.commit();
    }

    /** Persists the world after a mutation; a no-op without a state file. */
    commit(): void {
        if (this.stateFile) this.save();
    }

    /** A copy of the world without secrets, for `GET /_emulator/state`. */
    snapshot(): Record<string, unknown> {
        return {
            accounts: [...this.accounts.values()].map((a) => ({
                accountId: a.accountId,
                adminIamId: a.adminIamId,
            })),
            serviceIds: [...this.serviceIds.values()],
            apiKeys: [...this.apiKeys.values()].map(({ valueHash: _h, storedValue: _v, ...rest }) => ({
                ...rest,
                storeValue: _v !== undefined,
            })),
            policies: [...this.policies.values()],
            accessGroups: [...this.accessGroups.values()],
        };
    }

    private save(): void {
        const file = this.stateFile as string;
        const state: StateFile = {
            format: STATE_FORMAT,
            version: 1,
            signingKey: this.signingKey,
            serviceIds: [...this.serviceIds.values()],
            apiKeys: [...this.apiKeys.values()],
            policies: [...this.policies.values()],
            accessGroups: [...this.accessGroups.values()],
        };
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        // 0600: the file holds the token signing key and stored key values.
        fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
        fs.renameSync(tmp, file);
    }

    private load(file: string): void {
        let state: StateFile;
        try {
            state = JSON.parse(fs.readFileSync(file, "utf8")) as StateFile;
        } catch (e) {
            throw new Error(`state file ${file}: cannot read it as JSON (${(e as Error).message}).`);
        }
        if (state?.format !== STATE_FORMAT || state.version !== 1) {
            throw new Error(
                `state file ${file}: not an IAM emulator state file (expected "format": "${STATE_FORMAT}", ` +
                    `"version": 1). Delete it or pass another --state-file.`,
            );
        }
        this.signingKey = state.signingKey;
        for (const s of state.serviceIds ?? []) this.serviceIds.set(s.id, s);
        for (const k of state.apiKeys ?? []) this.apiKeys.set(k.id, k);
        for (const p of state.policies ?? []) this.policies.set(p.id, p);
        for (const g of state.accessGroups ?? []) this.accessGroups.set(g.id, g);
    }
}
