// Normalising the `server` of a private registry into the `auths` key of a
// `.dockerconfigjson`. Pure: no Pulumi import.
//
// How kubelet matches keys (pkg/credentialprovider/keyring.go): it adds `https://` when a
// key has no scheme, ignores the scheme, matches the host (and port), treats a leading
// `/v1/` or `/v2/` path as the bare host, and matches any other path as a prefix of the
// image's repository path. So the scheme and a trailing slash carry no meaning and are
// dropped, while a path (`registry.example.com/team-a`) is kept because it scopes the
// credentials. Docker Hub is written as `https://index.docker.io/v1/`, the key
// `docker login` and `kubectl create secret docker-registry` use.
import { toDns1123 } from "../shared/k8sNames";
import { deprecatedDomainProblem } from "../shared/registry/registryDomains";
import { NamedError } from "../shared/namedError";

/** The `auths` key for Docker Hub, as `docker login` writes it. */
export const DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

const DOCKER_HUB_HOSTS = new Set([
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
]);

/** A registry server that cannot be used as an `auths` key; the message names `server`. */
export class RegistryServerError extends NamedError {
    constructor(message: string) {
        super("RegistryServerError", message);
    }
}

const EXAMPLE = `e.g. "registry.example.com", "registry.example.com:5000" or "registry.example.com/team-a"`;

/**
 * Normalises a registry server: drops an `http(s)://` scheme and trailing slashes, lower-cases
 * the host, maps Docker Hub's names to {@link DOCKER_HUB_SERVER}, and keeps a port and a
 * repository path prefix. Rejects an empty value, other schemes, credentials, queries and
 * fragments, and the deprecated `registry.*.bluemix.net` domains.
 */
export function normalizeRegistryServer(value: string, field = "server"): string {
    const trimmed = (value ?? "").trim();
    if (trimmed === "")
        throw new RegistryServerError(
            `${field}: the registry server is empty. Give its host name, ${EXAMPLE}; for Docker Hub, "docker.io".`,
        );
    const deprecated = deprecatedDomainProblem(field, trimmed);
    if (deprecated !== undefined) throw new RegistryServerError(deprecated);
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(trimmed);
    if (scheme !== null && !/^https?$/i.test(scheme[1])) {
        throw new RegistryServerError(
            `${field}: "${value}" uses scheme "${scheme[1]}://"; a registry server is a host name, optionally with https://, ${EXAMPLE}.`,
        );
    }
    const rest = scheme === null ? trimmed : trimmed.slice(scheme[0].length);
    let url: URL;
    try {
        url = new URL(`https://${rest}`);
    } catch {
        throw new RegistryServerError(`${field}: "${value}" is not a registry host name, ${EXAMPLE}.`);
    }
    if (url.username !== "" || url.password !== "" || rest.split("/")[0].includes("@")) {
        throw new RegistryServerError(
            `${field}: the server must not contain credentials; give them in "username" and "password" and the host alone in "${field}".`,
        );
    }
    if (url.search !== "" || url.hash !== "" || rest.includes("?") || rest.includes("#")) {
        throw new RegistryServerError(
            `${field}: "${value}" has a query or fragment; give the host name alone, ${EXAMPLE}.`,
        );
    }
    if (/\s/.test(rest))
        throw new RegistryServerError(
            `${field}: "${value}" contains white space; give the host name alone, ${EXAMPLE}.`,
        );
    let pathPart = url.pathname.replace(/\/+$/, "");
    if (/^\/v[12]$/.test(pathPart)) pathPart = ""; // kubelet treats /v1/ and /v2/ as the bare host
    // The host as written (lower-cased): URL drops a default port such as :443, and kubelet
    // compares ports, so an explicit port is kept.
    const host = rest.split("/")[0].toLowerCase();
    if (DOCKER_HUB_HOSTS.has(host) && pathPart === "") return DOCKER_HUB_SERVER;
    return `${host}${pathPart}`;
}

/** A default Secret name for a normalised server: `docker-hub`, or the host and path as a DNS-1123 name. */
export function defaultSecretNameFor(server: string): string {
    if (server === DOCKER_HUB_SERVER) return "docker-hub";
    return toDns1123(server, 253) || "registry";
}
