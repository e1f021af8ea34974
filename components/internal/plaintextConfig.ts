// Credentials set in stack config without `--secret`. The engine hands a dynamic provider the
// whole stack config (pulumi/pulumi pkg/resource/deploy/target.go, GetPackageConfig: "For
// dynamic providers, we always pass the full configuration"), and records it as the inputs and
// outputs of `pulumi:providers:pulumi-nodejs::default` in state, secret only where the config
// value is secret. So `pulumi config set ibmcloud:apiKey KEY` puts the admin key in plain text
// into the state files and `pulumi stack export` at the first `up`, whatever the program does
// with it afterwards. The only place to stop it is the program, before its first dynamic
// resource makes the engine register that provider: these checks run there.
import { parse as parseYaml } from "yaml";

/** What a config value holds, for the wording of the refusal. */
export type SecretSettingKind = "apiKey" | "kubeconfig";

/** One stack setting as the program sees it. */
export interface SettingValue {
    /** The full key, e.g. `ibmcloud:apiKey`. */
    readonly key: string;
    readonly kind: SecretSettingKind;
    /** The value, or undefined when it is not set. */
    readonly value: string | undefined;
    /** Whether the stack holds it as a secret (`pulumi config set --secret`). */
    readonly secret: boolean;
}

const KUBECONFIG_USER_SECRETS: readonly string[] = ["token", "password", "client-key-data"];
const OIDC_SECRETS: readonly string[] = ["id-token", "refresh-token", "client-secret"];

function record(value: unknown): Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : {};
}

function present(value: unknown): boolean {
    return typeof value === "string" ? value !== "" : value !== undefined && value !== null;
}

/**
 * Whether a kubeconfig setting holds credentials: a user's `token`, `password`,
 * `client-key-data`, the oidc auth-provider's `id-token`, `refresh-token` or `client-secret`,
 * or an exec plugin environment variable named like a key, token, secret or password. A
 * one-line value that is not JSON is a path (`kubernetes:kubeconfig` may name a file) and holds
 * none. Text that cannot be read as a kubeconfig counts as holding credentials: nothing shows
 * that it does not.
 */
export function kubeconfigHoldsCredentials(text: string): boolean {
    const trimmed = text.trim();
    if (trimmed === "") return false;
    if (!trimmed.includes("\n") && !trimmed.startsWith("{")) return false;
    let doc: Record<string, unknown>;
    try {
        doc = record(parseYaml(text, { logLevel: "error" }));
    } catch {
        return true;
    }
    if (Object.keys(doc).length === 0) return true;
    const users = Array.isArray(doc.users) ? doc.users : [];
    return users.some((entry) => {
        const user = record(record(entry).user);
        if (KUBECONFIG_USER_SECRETS.some((k) => present(user[k]))) return true;
        const oidc = record(record(user["auth-provider"]).config);
        if (OIDC_SECRETS.some((k) => present(oidc[k]))) return true;
        const env = record(user.exec).env;
        return (
            Array.isArray(env) &&
            env.some((e) => /key|token|secret|password|credential/i.test(String(record(e).name ?? "")))
        );
    });
}

/** The command that stores the setting's current value as a secret, without printing it. */
export function secretSetCommand(key: string, stack: string | undefined): string {
    const s = stack !== undefined && stack !== "" ? ` --stack ${stack}` : "";
    return `pulumi config get ${key}${s} | pulumi config set --secret ${key}${s}`;
}

/**
 * One message per credential set in plain text: what it would leak where, and the exact
 * command that makes it a secret. Never shows the value.
 */
export function plaintextSecretProblems(settings: readonly SettingValue[], stack?: string): string[] {
    const problems: string[] = [];
    for (const s of settings) {
        if (s.secret || s.value === undefined || s.value === "") continue;
        if (s.kind === "kubeconfig" && !kubeconfigHoldsCredentials(s.value)) continue;
        const what =
            s.kind === "apiKey"
                ? "an API key"
                : "a kubeconfig with credentials (a token, password, client key or oidc token)";
        problems.push(
            `${s.key} holds ${what} in plain text. Pulumi hands the whole stack config to the dynamic providers ` +
                `and keeps it in state (the inputs of pulumi:providers:pulumi-nodejs::default), so it would be stored ` +
                `unencrypted in the state files and shown by \`pulumi stack export\`. Store it as a secret ` +
                `(the value stays the same): \`${secretSetCommand(s.key, stack)}\`, or ` +
                `\`pulumi config set --secret ${s.key} <value>\`${s.kind === "apiKey" && s.key === "ibmcloud:apiKey" ? " (or unset it and export IBMCLOUD_API_KEY)" : ""}.`,
        );
    }
    return problems;
}
