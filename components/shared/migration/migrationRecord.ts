// What a token migration records on each service account it migrated, and the plan it is
// given: read by the program's survey (components/coverage/clusterSurvey.ts), which keeps
// declaring the replacements after the migration is turned off, and written by the
// migration's dynamic provider (components/host/migration/tokenSecretMigrationProvider.ts).
// Pure.

/** Annotation on a service account: the token secrets this migration removed from it, with their replacement domains. */
export const MIGRATED_ANNOTATION = "pulumi-icr-access/migrated-token-pull-secrets";

/**
 * Label on a service account whose token entries this migration replaced: the owner mark of the
 * stack that did it ({@link migrationOwnerMark}). Written in the same write that takes the token
 * entries off (and added to accounts migrated before the label existed), so that the program
 * finds the accounts it migrated with one label-selected list, and keeps declaring their
 * replacements after `migrateTokenSecrets` is turned off or the namespace leaves its settings.
 */
export const MIGRATION_OWNER_LABEL = "pulumi-icr-access/token-migration";

/** A token secret to migrate and the icr.io domains that replace it. */
export interface TokenSecretPlan {
    /** The token secret's name in the namespace. */
    readonly name: string;
    /** The icr.io domains that replace the old registry domains it holds tokens for. */
    readonly domains: string[];
}

/** One service account: the token names to take out and our secrets that replace them. */
export interface ServiceAccountMigrationPlan {
    /** The service account's name. */
    readonly name: string;
    /** Token secret names to take out of its `imagePullSecrets`. */
    readonly remove: string[];
    /** Our API-key secrets it must list, and that must exist, before any token entry is removed. */
    readonly replacements: string[];
}
/**
 * The MIGRATED_ANNOTATION text: token secret name → the icr.io domains that replaced it.
 * Kept after the token secret is deleted, so later runs plan the same migration. Malformed
 * text reads as none.
 */
export function parseMigrated(text: string | undefined): Record<string, string[]> {
    if (text === undefined || text === "") return {};
    try {
        const raw = JSON.parse(text) as unknown;
        if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return {};
        const out: Record<string, string[]> = {};
        for (const [name, domains] of Object.entries(raw as Record<string, unknown>)) {
            if (Array.isArray(domains)) out[name] = domains.filter((d): d is string => typeof d === "string");
        }
        return out;
    } catch {
        return {};
    }
}

/** The annotation text for these records, keys sorted so equal records give equal text. */
export function formatMigrated(records: Readonly<Record<string, readonly string[]>>): string {
    const sorted: Record<string, string[]> = {};
    for (const name of Object.keys(records).sort()) sorted[name] = [...records[name]];
    return JSON.stringify(sorted);
}
