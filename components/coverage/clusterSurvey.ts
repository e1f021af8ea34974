// What the program reads from the live cluster before it declares anything, each time it runs
// (preview and up): the namespaces a selector picks, each managed namespace's registry-token
// secrets and the service accounts that list them, the hosts of its other pull secrets, and
// its workloads' images. Read-only: list and get calls only.
//
// Every failure throws, naming the server and the reason. A survey that could not be made
// must never read as "nothing there", which would plan the deletion of everything.
import { KubeApiError, type KubeClient } from "../clients/kube/client";
import { registryHostsOf } from "../shared/k8s/dockerConfig";
import { REGISTRY_REGIONS } from "../shared/registry/registryRegions";
import { listWorkloadContainers, WorkloadContainer } from "../k8s/workloadImages";
import { NamespaceSelector, resolveNamespaceSelector } from "./namespaceSelector";
import { entryNames, PullSecretEntry } from "../shared/imagePullSecretList";
import {
    MIGRATED_ANNOTATION,
    MIGRATION_OWNER_LABEL,
    parseMigrated,
} from "../shared/migration/migrationRecord";
import { classifyTokenSecret, SecretObject, UnmappedTokenSecret } from "../shared/migration/tokenSecrets";

/** A token secret as planned: found by content now, or recorded as migrated by an earlier run. */
export interface SurveyedTokenSecret {
    readonly name: string;
    /** The icr.io domains that replace it, in table order. */
    readonly domains: string[];
    /** Their IAM regions (`global` for icr.io), in table order. */
    readonly regions: string[];
    /** False when only the migration record remains (an earlier run deleted the secret). */
    readonly present: boolean;
}

/** One service account in the migration's scope and the token names it lists or listed. */
export interface SurveyedServiceAccount {
    readonly name: string;
    readonly tokens: string[];
}

/** What one namespace holds. */
export interface NamespaceSurvey {
    /** False when the namespace does not exist (yet: `createNamespace`). */
    readonly exists: boolean;
    readonly tokenSecrets: SurveyedTokenSecret[];
    /** Secrets holding registry tokens for bluemix hosts that never had an icr.io counterpart. */
    readonly unmapped: UnmappedTokenSecret[];
    readonly serviceAccounts: SurveyedServiceAccount[];
    /** Hosts the namespace's other pull secrets (not ours-to-be, not tokens) hold credentials for. */
    readonly pullSecretHosts: string[];
    readonly containers: WorkloadContainer[];
}

/**
 * A service account this stack migrated: it carries our owner label, and its record of the
 * token secrets taken off it with the icr.io domains that replaced them.
 */
export interface RecordedAccount {
    readonly name: string;
    /** Token secret name → the icr.io domains that replaced it. */
    readonly migrated: Record<string, string[]>;
}

/** The survey of a cluster. */
export interface ClusterSurvey {
    /** Namespaces the selector picks, explicit ones left out, sorted. */
    readonly selected: string[];
    readonly namespaces: Record<string, NamespaceSurvey>;
    /** Per namespace, the accounts this stack's migration recorded (any namespace), sorted. */
    readonly records?: Record<string, RecordedAccount[]>;
}

/** What to survey. */
export interface SurveyRequest {
    /** Namespaces named in config. */
    readonly explicit: readonly string[];
    readonly selector?: NamespaceSelector<unknown>;
    /** Look for registry-token secrets. */
    readonly migrate: boolean;
    /** Also survey kube-system for them. */
    readonly kubeSystem: boolean;
    /** List workloads for the image report. */
    readonly images: boolean;
    /** Find the accounts whose migration this owner recorded (MIGRATION_OWNER_LABEL). */
    readonly owner?: string;
}

const PULL_SECRET_TYPES: readonly string[] = ["kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"];

interface ServiceAccountObject {
    metadata: {
        name?: string;
        namespace?: string;
        annotations?: Record<string, string>;
        labels?: Record<string, string>;
    };
    imagePullSecrets?: PullSecretEntry[];
}

function regionsOf(domains: readonly string[]): string[] {
    return REGISTRY_REGIONS.filter((r) => domains.includes(r.domain)).map((r) => r.iamRegion);
}

/** Surveys one namespace. */
export async function surveyNamespace(
    client: KubeClient,
    namespace: string,
    req: Pick<SurveyRequest, "migrate" | "images">,
): Promise<NamespaceSurvey> {
    const ns = encodeURIComponent(namespace);
    const secrets = await client.list<SecretObject>(`/api/v1/namespaces/${ns}/secrets`);
    if (secrets === undefined) {
        return {
            exists: false,
            tokenSecrets: [],
            unmapped: [],
            serviceAccounts: [],
            pullSecretHosts: [],
            containers: [],
        };
    }
    const found: SurveyedTokenSecret[] = [];
    const unmapped: UnmappedTokenSecret[] = [];
    const hosts = new Set<string>();
    for (const s of secrets) {
        if (!PULL_SECRET_TYPES.includes(s.type ?? "")) continue;
        const c = req.migrate ? classifyTokenSecret(s) : undefined;
        if (c !== undefined && "token" in c) {
            found.push({
                name: c.token.name,
                domains: c.token.newDomains,
                regions: c.token.regions,
                present: true,
            });
        } else if (c !== undefined) {
            unmapped.push(c.unmapped);
        } else {
            for (const h of registryHostsOf(s.data as Record<string, string> | undefined)) hosts.add(h);
        }
    }

    const serviceAccounts: SurveyedServiceAccount[] = [];
    if (req.migrate) {
        const accounts =
            (await client.list<ServiceAccountObject>(`/api/v1/namespaces/${ns}/serviceaccounts`)) ?? [];
        const tokenNames = new Set(found.map((t) => t.name));
        for (const sa of accounts) {
            const recorded = parseMigrated(sa.metadata.annotations?.[MIGRATED_ANNOTATION]);
            for (const [name, domains] of Object.entries(recorded)) {
                if (!tokenNames.has(name)) {
                    tokenNames.add(name);
                    found.push({ name, domains, regions: regionsOf(domains), present: false });
                }
            }
            const listed = entryNames(sa.imagePullSecrets ?? []).filter((n) =>
                found.some((t) => t.name === n),
            );
            const tokens = [...new Set([...listed, ...Object.keys(recorded)])].sort();
            if (tokens.length > 0 && sa.metadata.name !== undefined) {
                serviceAccounts.push({ name: sa.metadata.name, tokens });
            }
        }
    }
    found.sort((a, b) => a.name.localeCompare(b.name));
    serviceAccounts.sort((a, b) => a.name.localeCompare(b.name));
    const containers = req.images ? await listWorkloadContainers(client, namespace) : [];
    return {
        exists: true,
        tokenSecrets: found,
        unmapped,
        serviceAccounts,
        pullSecretHosts: [...hosts].sort(),
        containers,
    };
}

/**
 * The accounts this owner's migrations recorded, in every namespace: one list of service
 * accounts by label. When the user may not list them cluster-wide (403), each of `fallback`'s
 * namespaces is listed instead; a namespace it may not list there either is left out (and
 * named in `skipped`), since a migration there, which lists its accounts, needed that right.
 */
export async function surveyMigrationRecords(
    client: KubeClient,
    owner: string,
    fallback: readonly string[],
): Promise<{ records: Record<string, RecordedAccount[]>; skipped: string[] }> {
    const query = `labelSelector=${encodeURIComponent(`${MIGRATION_OWNER_LABEL}=${owner}`)}`;
    const forbidden = (err: unknown) => err instanceof KubeApiError && err.status === 403;
    let accounts: ServiceAccountObject[] = [];
    const skipped: string[] = [];
    try {
        accounts = (await client.list<ServiceAccountObject>("/api/v1/serviceaccounts", query)) ?? [];
    } catch (err) {
        if (!forbidden(err)) throw err;
        for (const ns of fallback) {
            try {
                const items = await client.list<ServiceAccountObject>(
                    `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts`,
                    query,
                );
                accounts.push(
                    ...(items ?? []).map((a) => ({ ...a, metadata: { ...a.metadata, namespace: ns } })),
                );
            } catch (e) {
                if (!forbidden(e)) throw e;
                skipped.push(ns);
            }
        }
    }
    const records: Record<string, RecordedAccount[]> = {};
    for (const sa of accounts) {
        const { name, namespace, labels, annotations } = sa.metadata;
        // The label selector chose them; checked again, as the answer is the server's.
        if (name === undefined || namespace === undefined || labels?.[MIGRATION_OWNER_LABEL] !== owner)
            continue;
        const migrated = parseMigrated(annotations?.[MIGRATED_ANNOTATION]);
        if (Object.keys(migrated).length === 0) continue;
        (records[namespace] ??= []).push({ name, migrated });
    }
    for (const list of Object.values(records)) list.sort((a, b) => a.name.localeCompare(b.name));
    return { records, skipped };
}

/**
 * Surveys the cluster: resolves the selector, then each managed namespace (explicit and
 * selected, and kube-system when asked). Throws on any failure, with the server's reason.
 */
export async function surveyCluster(client: KubeClient, req: SurveyRequest): Promise<ClusterSurvey> {
    let selected: string[] = [];
    if (req.selector !== undefined) {
        try {
            selected = await resolveNamespaceSelector(client, req.selector, req.explicit);
        } catch (err) {
            throw new Error(
                `namespaceSelector: cannot list the namespaces of ${client.config.server} to resolve the selector: ` +
                    `${(err as Error).message}. Nothing was planned or changed. Check that the cluster is reachable ` +
                    `and that the kubeconfig's user may list namespaces, then run again.`,
            );
        }
    }
    const managed = [
        ...new Set([...req.explicit, ...selected, ...(req.migrate && req.kubeSystem ? ["kube-system"] : [])]),
    ];
    const namespaces: Record<string, NamespaceSurvey> = {};
    let records: Record<string, RecordedAccount[]> | undefined;
    try {
        if (req.owner !== undefined) {
            const fallback = [...new Set([...managed, "kube-system"])];
            records = (await surveyMigrationRecords(client, req.owner, fallback)).records;
        }
        // One namespace at a time: a few list calls each, and the API server is shared. Only
        // the migration and the image report need a namespace's contents.
        for (const ns of req.migrate || req.images ? managed : []) {
            namespaces[ns] = await surveyNamespace(client, ns, {
                migrate: req.migrate,
                // kube-system is surveyed for its tokens only, unless it is managed anyway.
                images:
                    req.images &&
                    (req.explicit.includes(ns) || selected.includes(ns) || ns !== "kube-system"),
            });
        }
    } catch (err) {
        throw new Error(
            `cannot read the cluster at ${client.config.server}: ${(err as Error).message}. Nothing was planned or ` +
                `changed; run again once the cluster answers.`,
        );
    }
    return { selected, namespaces, ...(records !== undefined ? { records } : {}) };
}
