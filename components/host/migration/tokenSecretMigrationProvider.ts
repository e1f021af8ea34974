// The TokenSecretMigration's dynamic provider (the resource:
// components/migration/tokenSecretMigration.ts). In the engine's dynamic-provider host process
// it takes registry-token entries off a namespace's service accounts once our API-key secrets
// are listed in their place, checking that on the live object right before each write, and
// deletes the token secrets when asked. It uses only the Kubernetes client
// (components/clients/kube) and pure helpers; `@pulumi/pulumi` for its types only.
import type * as pulumi from "@pulumi/pulumi";
import {
    entryNames,
    namesHeldByOthers,
    PullSecretEntry,
    serviceAccountView,
    ServiceAccountLike,
} from "../../shared/imagePullSecretList";
import { isUnknown } from "../../shared/unknown";
import { registryHostsOf } from "../../shared/k8s/dockerConfig";
import { KubeClient, KubeClientOptions } from "../../clients/kube/client";
import { loadKubeconfig } from "../../clients/kube/config_sources";
import {
    formatMigrated,
    MIGRATED_ANNOTATION,
    MIGRATION_OWNER_LABEL,
    parseMigrated,
    ServiceAccountMigrationPlan,
    TokenSecretPlan,
} from "../../shared/migration/migrationRecord";
import { classifyTokenSecret, SecretObject } from "../../shared/migration/tokenSecrets";

/** Field manager of our writes. */
const FIELD_MANAGER = "pulumi-icr-access";
/** What the dynamic provider receives. */
export interface TokenSecretMigrationInputs {
    namespace: string;
    tokenSecrets: TokenSecretPlan[];
    serviceAccounts: ServiceAccountMigrationPlan[];
    deleteSecrets: string[];
    kubeconfig?: string;
    context?: string;
    owner?: string;
}

/** What it stores. */
export interface TokenSecretMigrationState extends TokenSecretMigrationInputs {
    /** Per service account, the names removed by the last run (already gone before: not listed). */
    removed: Record<string, string[]>;
    /** Token secrets deleted by the last run. */
    deleted: string[];
}

interface ServiceAccountObject {
    metadata: {
        uid?: string;
        annotations?: Record<string, string>;
        labels?: Record<string, string>;
    } & Record<string, unknown>;
    imagePullSecrets?: PullSecretEntry[];
    [key: string]: unknown;
}

const MAX_CONFLICT_RETRIES = 10;

/** A migration step that must not run yet; nothing was changed. */
export class ReplacementNotListedError extends Error {
    constructor(message: string) {
        super(message);
        this.message = message;
        this.name = "ReplacementNotListedError";
    }
}

/** The dynamic provider behind {@link TokenSecretMigration}. */
export class TokenSecretMigrationProvider implements pulumi.dynamic.ResourceProvider<
    TokenSecretMigrationInputs,
    TokenSecretMigrationState
> {
    private stackKubeconfig?: string;
    private stackContext?: string;

    constructor(private readonly options: { client?: KubeClientOptions } = {}) {}

    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        this.stackKubeconfig = req.config.get("kubernetes:kubeconfig");
        this.stackContext = req.config.get("kubernetes:context");
    }

    async check(
        _olds: TokenSecretMigrationInputs,
        news: TokenSecretMigrationInputs,
    ): Promise<pulumi.dynamic.CheckResult<TokenSecretMigrationInputs>> {
        const inputs: TokenSecretMigrationInputs = {
            namespace: news.namespace,
            tokenSecrets: news.tokenSecrets ?? [],
            serviceAccounts: news.serviceAccounts ?? [],
            deleteSecrets: news.deleteSecrets ?? [],
        };
        if (news.kubeconfig !== undefined && news.kubeconfig !== "") inputs.kubeconfig = news.kubeconfig;
        if (news.context !== undefined && news.context !== "") inputs.context = news.context;
        if (news.owner !== undefined && news.owner !== "") inputs.owner = news.owner;
        return { inputs, failures: [] };
    }

    async diff(
        _id: string,
        olds: TokenSecretMigrationState,
        news: TokenSecretMigrationInputs,
    ): Promise<pulumi.dynamic.DiffResult> {
        const replaces = olds.namespace !== news.namespace ? ["namespace"] : [];
        const changed = (
            ["tokenSecrets", "serviceAccounts", "deleteSecrets", "kubeconfig", "context", "owner"] as const
        ).filter(
            (k) => isUnknown(news[k]) || JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null),
        );
        return { changes: replaces.length > 0 || changed.length > 0, replaces };
    }

    async create(
        inputs: TokenSecretMigrationInputs,
    ): Promise<pulumi.dynamic.CreateResult<TokenSecretMigrationState>> {
        const outs = await this.migrate(inputs);
        return { id: inputs.namespace, outs };
    }

    async read(
        id: string,
        props?: TokenSecretMigrationState,
    ): Promise<pulumi.dynamic.ReadResult<TokenSecretMigrationState>> {
        return { id, props };
    }

    async update(
        _id: string,
        _olds: TokenSecretMigrationState,
        news: TokenSecretMigrationInputs,
    ): Promise<pulumi.dynamic.UpdateResult<TokenSecretMigrationState>> {
        return { outs: await this.migrate(news) };
    }

    async delete(): Promise<void> {
        // Nothing to undo: registry tokens are refused by IBM, so they are never listed again.
    }

    private async migrate(inputs: TokenSecretMigrationInputs): Promise<TokenSecretMigrationState> {
        const client = await KubeClient.connect(
            loadKubeconfig({
                kubeconfig: inputs.kubeconfig,
                stackKubeconfig: this.stackKubeconfig,
                context: inputs.context,
                stackContext: this.stackContext,
            }),
            this.options.client,
        );
        const removed: Record<string, string[]> = {};
        for (const sa of [...inputs.serviceAccounts].sort((a, b) => a.name.localeCompare(b.name))) {
            removed[sa.name] = await removeTokenEntries(client, inputs, sa);
        }
        const deleted: string[] = [];
        for (const name of [...inputs.deleteSecrets].sort()) {
            if (await deleteTokenSecret(client, inputs.namespace, name)) deleted.push(name);
        }
        return { ...inputs, removed, deleted };
    }
}

function saPath(namespace: string, name: string): string {
    return `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}`;
}

function secretPath(namespace: string, name: string): string {
    return `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`;
}
/**
 * Whether an account that has nothing left to remove still needs our owner label: it records,
 * in MIGRATED_ANNOTATION, one of the names this plan removes, and its label is not `owner`. Pure.
 * @internal
 */
export function needsOwnerLabel(
    sa: { metadata: { annotations?: Record<string, string>; labels?: Record<string, string> } },
    remove: readonly string[],
    owner: string | undefined,
): boolean {
    if (owner === undefined || sa.metadata.labels?.[MIGRATION_OWNER_LABEL] === owner) return false;
    const recorded = parseMigrated(sa.metadata.annotations?.[MIGRATED_ANNOTATION]);
    return remove.some((n) => recorded[n] !== undefined);
}

/**
 * Which of the names to remove may go, given the account as read: listed, and held by no one
 * else under the shared ownership rules (components/shared/imagePullSecretList.ts: a live
 * claim of any writer on this incarnation of the account, or a server-side applier that owns
 * the list). A migration holds no claim of its own, so every holder counts. Pure, for tests:
 * the dynamic provider applies it right before its guarded write.
 * @internal
 */
export function removableTokenNames(sa: ServiceAccountLike, remove: readonly string[]): string[] {
    const view = serviceAccountView(sa, FIELD_MANAGER);
    const listed = entryNames(view.entries);
    const held = new Set(namesHeldByOthers(view));
    return [...new Set(remove)].filter((n) => listed.includes(n) && !held.has(n)).sort();
}

/**
 * The domains the removed tokens served that no listed, existing replacement covers. Pure.
 * @param replacementHosts hosts of each replacement secret the account lists and that exists
 */
export function uncoveredDomains(
    removing: readonly string[],
    tokenSecrets: readonly TokenSecretPlan[],
    replacementHosts: readonly (readonly string[])[],
): string[] {
    const covered = new Set(replacementHosts.flat());
    const needed = new Set(tokenSecrets.filter((t) => removing.includes(t.name)).flatMap((t) => t.domains));
    return [...needed].filter((d) => !covered.has(d)).sort();
}

async function removeTokenEntries(
    client: KubeClient,
    inputs: TokenSecretMigrationInputs,
    plan: ServiceAccountMigrationPlan,
): Promise<string[]> {
    const ns = inputs.namespace;
    const path = saPath(ns, plan.name);
    for (let attempt = 1; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
        const res = await client.get<ServiceAccountObject>(path);
        if (res.status === 404) return []; // the account is gone, and its entries with it
        const sa = res.data;
        const annotations = sa.metadata.annotations ?? {};
        const entries = sa.imagePullSecrets ?? [];
        const removing = removableTokenNames(sa as ServiceAccountLike, plan.remove);
        if (removing.length === 0) {
            // Migrated earlier, before the owner label existed (or by this stack under another
            // mark): label it now, so the record is found when the migration is turned off.
            if (!needsOwnerLabel(sa, plan.remove, inputs.owner)) return [];
            const labelled: ServiceAccountObject = {
                ...sa,
                metadata: {
                    ...sa.metadata,
                    labels: { ...(sa.metadata.labels ?? {}), [MIGRATION_OWNER_LABEL]: inputs.owner! },
                },
            };
            const put = await client.put<ServiceAccountObject>(
                `${path}?fieldManager=${FIELD_MANAGER}`,
                labelled,
            );
            if (put.status === 409) {
                await new Promise((r) =>
                    setTimeout(r, 25 * attempt + Math.floor(Math.random() * 50 * attempt)),
                );
                continue;
            }
            return [];
        }

        // Never remove before the replacement is listed: check the live account and secrets now.
        const listed = entryNames(entries);
        const replacementHosts: string[][] = [];
        for (const name of plan.replacements.filter((n) => listed.includes(n))) {
            const s = await client.get<SecretObject>(secretPath(ns, name));
            if (s.status === 200)
                replacementHosts.push(registryHostsOf(s.data.data as Record<string, string>));
        }
        const missing = uncoveredDomains(removing, inputs.tokenSecrets, replacementHosts);
        if (missing.length > 0) {
            throw new ReplacementNotListedError(
                `ServiceAccount "${ns}/${plan.name}": not removing ${removing.map((n) => `"${n}"`).join(", ")} yet, ` +
                    `because no API-key pull secret it lists covers ${missing.join(", ")} ` +
                    `(expected among ${plan.replacements.map((n) => `"${n}"`).join(", ")}). Nothing was removed, ` +
                    `so the account still pulls with what it had. Run \`pulumi up\` again once the replacement is listed.`,
            );
        }

        const body: ServiceAccountObject = { ...sa, metadata: { ...sa.metadata } };
        const kept = entries.filter((e) => e.name === undefined || !removing.includes(e.name));
        if (kept.length > 0) body.imagePullSecrets = kept;
        else delete body.imagePullSecrets;
        const recorded = parseMigrated(annotations[MIGRATED_ANNOTATION]);
        for (const name of removing) {
            recorded[name] = inputs.tokenSecrets.find((t) => t.name === name)?.domains ?? [];
        }
        body.metadata.annotations = { ...annotations, [MIGRATED_ANNOTATION]: formatMigrated(recorded) };
        if (inputs.owner !== undefined) {
            body.metadata.labels = { ...(sa.metadata.labels ?? {}), [MIGRATION_OWNER_LABEL]: inputs.owner };
        }
        const put = await client.put<ServiceAccountObject>(`${path}?fieldManager=${FIELD_MANAGER}`, body);
        if (put.status === 409) {
            await new Promise((r) => setTimeout(r, 25 * attempt + Math.floor(Math.random() * 50 * attempt)));
            continue;
        }
        if (put.status === 404) return [];
        return removing;
    }
    throw new Error(
        `ServiceAccount "${ns}/${plan.name}": gave up after ${MAX_CONFLICT_RETRIES} attempts, each refused with 409 ` +
            `Conflict because another writer changed the account between our read and our write. Nothing was removed; ` +
            `run the update again.`,
    );
}

/** Deletes one token secret if it still is one and no service account lists it. True if deleted. */
async function deleteTokenSecret(client: KubeClient, namespace: string, name: string): Promise<boolean> {
    const res = await client.get<SecretObject>(secretPath(namespace, name));
    if (res.status === 404) return false;
    // Someone may have replaced it under the same name with a working secret: keep that.
    const c = classifyTokenSecret(res.data);
    if (c === undefined || !("token" in c)) return false;
    const accounts = await client.get<{ items?: ServiceAccountObject[] }>(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts`,
    );
    const stillListed = (accounts.data.items ?? []).some((sa) =>
        entryNames(sa.imagePullSecrets ?? []).includes(name),
    );
    if (stillListed) return false;
    const del = await client.request(
        "DELETE",
        secretPath(namespace, name),
        {
            kind: "DeleteOptions",
            apiVersion: "v1",
            preconditions: { uid: res.data.metadata.uid },
        },
        [404, 409],
    );
    return del.status >= 200 && del.status < 300;
}
