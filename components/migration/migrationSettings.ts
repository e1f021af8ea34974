// The `migrateTokenSecrets` setting of ClusterRegistryAccess: its options, read as on or off,
// and its problems, naming the field. Pure.

/** The `migrateTokenSecrets` setting. */
export interface MigrateTokenSecretsOptions {
    /**
     * Also migrate kube-system's token secrets (IKS wrote them there too). kube-system then
     * gets its own identity and API-key secrets for the regions its tokens served, unless it
     * is managed already.
     * @default false
     */
    readonly kubeSystem?: boolean;
    /**
     * Delete the token secrets once no service account lists them. Pods that name a token
     * secret in their own `imagePullSecrets` lose it too; the image report lists them.
     * @default false - the secrets stay, unlisted
     */
    readonly deleteSecrets?: boolean;
}
/** The `migrateTokenSecrets` setting as options, or undefined when off. */
export function migrationOptions(
    setting: boolean | MigrateTokenSecretsOptions | undefined,
): MigrateTokenSecretsOptions | undefined {
    if (setting === undefined || setting === false) return undefined;
    return setting === true ? {} : setting;
}

/** Problems with the `migrateTokenSecrets` setting, naming the field. */
export function migrationSettingProblems(field: string, setting: unknown): string[] {
    if (setting === undefined || typeof setting === "boolean") return [];
    if (typeof setting !== "object" || setting === null || Array.isArray(setting)) {
        return [
            `${field}: expected true, false or { kubeSystem, deleteSecrets }; got ${JSON.stringify(setting)}.`,
        ];
    }
    const problems: string[] = [];
    for (const [k, v] of Object.entries(setting)) {
        if (k !== "kubeSystem" && k !== "deleteSecrets") {
            problems.push(`${field}.${k}: unknown field; known: kubeSystem, deleteSecrets.`);
        } else if (typeof v !== "boolean") {
            problems.push(`${field}.${k}: must be true or false; got ${JSON.stringify(v)}.`);
        }
    }
    return problems;
}
