// The `.dockerconfigjson` format of `kubernetes.io/dockerconfigjson` secrets, exactly as
// `kubectl create secret docker-registry` writes it (kubectl create_secret_docker.go):
// {"auths":{"<server>":{"username":…,"password":…,"email":…,"auth":base64("user:pass")}}}.
// Pure: no Pulumi import.

/**
 * Username for IBM Cloud Container Registry when the password is an IAM API key.
 * @see https://cloud.ibm.com/docs/containers?topic=containers-registry#other
 */
export const IAM_API_KEY_USERNAME = "iamapikey";

/**
 * The email IKS writes into its own pull secrets. Registries ignore it; kubelet ignores it.
 * @see https://cloud.ibm.com/docs/containers?topic=containers-registry
 */
export const IKS_DEFAULT_EMAIL = "iamapikey";

/** Data key of a `kubernetes.io/dockerconfigjson` secret. */
export const DOCKER_CONFIG_JSON_KEY = ".dockerconfigjson";

/**
 * Secret type that holds a `.dockerconfigjson`.
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#docker-config-secrets
 */
export const DOCKER_CONFIG_JSON_TYPE = "kubernetes.io/dockerconfigjson";

/** Credentials for one registry server. */
export interface DockerCredential {
    readonly username: string;
    readonly password: string;
    /** @default - omitted from the entry, as `kubectl` does when no email is given */
    readonly email?: string;
}

/** One parsed `auths` entry. */
export interface DockerConfigEntry {
    readonly username: string;
    readonly password: string;
    readonly email?: string;
    readonly auth: string;
}

/**
 * The `.dockerconfigjson` text for these servers. Keys are written in a fixed order
 * (username, password, email, auth) and servers in the given order, so the same input
 * always gives the same bytes and an unchanged key never shows up as a diff.
 */
export function buildDockerConfigJson(servers: readonly string[], credential: DockerCredential): string {
    const auth = Buffer.from(`${credential.username}:${credential.password}`, "utf8").toString("base64");
    const auths: Record<string, Record<string, string>> = {};
    for (const server of servers) {
        auths[server] = {
            username: credential.username,
            password: credential.password,
            ...(credential.email !== undefined ? { email: credential.email } : {}),
            auth,
        };
    }
    return JSON.stringify({ auths });
}

/** {@link buildDockerConfigJson}, base64-encoded for a Secret's `data`. */
export function buildDockerConfigJsonBase64(
    servers: readonly string[],
    credential: DockerCredential,
): string {
    return Buffer.from(buildDockerConfigJson(servers, credential), "utf8").toString("base64");
}

/** IBM Cloud Container Registry credentials from an IAM API key, as IKS writes them. */
export function iamApiKeyCredential(apiKey: string, email: string = IKS_DEFAULT_EMAIL): DockerCredential {
    return { username: IAM_API_KEY_USERNAME, password: apiKey, email };
}

/**
 * Parses `.dockerconfigjson` text (or its base64 form when `base64` is set) into its
 * entries. Throws when the shape is wrong or an entry's `auth` does not match its
 * username and password. Messages never include passwords.
 */
export function parseDockerConfigJson(
    text: string,
    opts: { base64?: boolean } = {},
): Record<string, DockerConfigEntry> {
    const json = opts.base64 ? Buffer.from(text, "base64").toString("utf8") : text;
    let parsed: unknown;
    try {
        parsed = JSON.parse(json);
    } catch {
        throw new Error(`.dockerconfigjson: not valid JSON`);
    }
    const auths = (parsed as { auths?: unknown } | null)?.auths;
    if (typeof auths !== "object" || auths === null || Array.isArray(auths)) {
        throw new Error(`.dockerconfigjson: expected an object with an "auths" object`);
    }
    const out: Record<string, DockerConfigEntry> = {};
    for (const [server, raw] of Object.entries(auths as Record<string, unknown>)) {
        const e = raw as Partial<Record<string, unknown>>;
        let username = typeof e.username === "string" ? e.username : undefined;
        let password = typeof e.password === "string" ? e.password : undefined;
        const auth = typeof e.auth === "string" ? e.auth : undefined;
        if (auth !== undefined) {
            const decoded = Buffer.from(auth, "base64").toString("utf8");
            const colon = decoded.indexOf(":");
            if (colon < 0)
                throw new Error(`.dockerconfigjson: auths["${server}"].auth is not base64("user:password")`);
            const [u, p] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
            if ((username !== undefined && username !== u) || (password !== undefined && password !== p)) {
                throw new Error(
                    `.dockerconfigjson: auths["${server}"].auth does not match its username and password`,
                );
            }
            username ??= u;
            password ??= p;
        }
        if (username === undefined || password === undefined) {
            throw new Error(`.dockerconfigjson: auths["${server}"] has no username and password`);
        }
        out[server] = {
            username,
            password,
            ...(typeof e.email === "string" ? { email: e.email } : {}),
            auth: auth ?? Buffer.from(`${username}:${password}`, "utf8").toString("base64"),
        };
    }
    return out;
}

/**
 * The registry hosts a pull secret's data holds credentials for: the `auths` keys of a
 * `.dockerconfigjson`, or the top-level keys of a legacy `.dockercfg`. Malformed data gives
 * an empty list. Only host names come out, never credentials.
 */
export function registryHostsOf(data: Record<string, string> | undefined): string[] {
    const decode = (key: string): Record<string, unknown> | undefined => {
        const raw = data?.[key];
        if (raw === undefined) return undefined;
        try {
            const parsed = JSON.parse(Buffer.from(raw, "base64").toString("utf8")) as unknown;
            return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
                ? (parsed as Record<string, unknown>)
                : undefined;
        } catch {
            return undefined;
        }
    };
    const json = decode(DOCKER_CONFIG_JSON_KEY);
    const auths = json?.auths;
    if (typeof auths === "object" && auths !== null) return Object.keys(auths);
    return Object.keys(decode(".dockercfg") ?? {});
}
