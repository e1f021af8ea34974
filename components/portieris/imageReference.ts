// What Portieris v0.14.2 makes of a container's image string before it looks for a policy,
// restated (not copied) from its source and from the libraries it calls:
//
// - helpers/image/image.go NewReference: an `@sha256:<anything>` suffix is cut off first (a
//   short digest still passes); the rest goes to distribution/reference's
//   ParseNormalizedNamed; the host is read back through net/url; a name with no `:` left
//   once the host is removed gets the tag `latest`, otherwise the parsed tag is read, and a
//   reference with a digest but no tag has none to read: the handler panics there, so the
//   API server gets no answer for the whole request;
// - pkg/controller/multi/controller.go getPatchesForContainers: blank images are skipped, an
//   unparsable one is denied ("invalid image name"), and the decision is keyed by
//   `<normalized name>:<tag>` or `<normalized name>:<sha256 digest>`;
// - distribution/reference v0.6.0 normalize.go (splitDockerDomain, ParseNormalizedNamed),
//   reference.go (Parse: the 255 limit is on the repository path only) and regexp.go (the
//   grammar); opencontainers/go-digest v1.0.0 digest.go and algorithm.go (digest validation).
//
// Pure, apart from Node's IPv6 address check.
import { isIPv6 } from "net";

// distribution/reference v0.6.0 regexp.go, as JavaScript regular expressions. Go's regexp
// picks the same submatches as a backtracking engine (leftmost-first), and `\w` is ASCII in
// both.
const ALPHANUMERIC = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|[-]+)";
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6_ADDRESS = "\\[(?:[a-fA-F0-9:]+)\\]";
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6_ADDRESS})(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}";
/** Name, tag, digest (regexp.go referencePat). */
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
/** Domain and path of a name (regexp.go anchoredNameRegexp). */
const ANCHORED_NAME = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
/** A bare image id (regexp.go anchoredIdentifierRegexp). */
const IDENTIFIER = /^[a-f0-9]{64}$/;

/** reference.go RepositoryNameTotalLengthMax: the limit on the repository path (not the domain, tag or digest). */
export const REPOSITORY_PATH_MAX = 255;

const DEFAULT_DOMAIN = "docker.io";
const LEGACY_DEFAULT_DOMAIN = "index.docker.io";
const OFFICIAL_REPO_PREFIX = "library/";

/** A reference as distribution/reference parses it. */
export interface ParsedReference {
    /** The registry host, with its port; "" when the grammar finds none. */
    readonly domain: string;
    /** The repository path, e.g. `library/nginx`. */
    readonly path: string;
    /** "" when none is written. */
    readonly tag: string;
    /** `algorithm:hex`, "" when none is written. */
    readonly digest: string;
}

/** go-digest v1.0.0 Algorithm sizes (hex characters) of the algorithms Portieris's binary links in. */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
/** go-digest v1.0.0 digest.go DigestRegexpAnchored. */
const GO_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** go-digest v1.0.0 digest.go Validate (with algorithm.go Validate): an error text, or undefined when valid. */
export function digestError(digest: string): string | undefined {
    const colon = digest.indexOf(":");
    if (colon <= 0 || colon + 1 === digest.length) return "invalid checksum digest format";
    const algorithm = digest.slice(0, colon);
    const encoded = digest.slice(colon + 1);
    const length = DIGEST_HEX_LENGTH[algorithm];
    if (length === undefined) {
        return GO_DIGEST.test(digest) ? "unsupported digest algorithm" : "invalid checksum digest format";
    }
    if (encoded.length !== length) return "invalid checksum digest length";
    return /^[a-f0-9]+$/.test(encoded) ? undefined : "invalid checksum digest format";
}

/** reference.go Parse: a fully written reference, or an error text. */
export function parseReference(s: string): ParsedReference | string {
    const m = REFERENCE.exec(s);
    if (m === null) {
        if (s === "") return "repository name must have at least one component";
        if (REFERENCE.test(s.toLowerCase())) return "repository name must be lowercase";
        return "invalid reference format";
    }
    const name = ANCHORED_NAME.exec(m[1])!;
    const domain = name[1] ?? "";
    const path = name[2];
    if (Buffer.byteLength(path, "utf8") > REPOSITORY_PATH_MAX) {
        return `repository name must not be more than ${REPOSITORY_PATH_MAX} characters`;
    }
    const digest = m[3] ?? "";
    if (digest !== "") {
        const error = digestError(digest);
        if (error !== undefined) return error;
    }
    return { domain, path, tag: m[2] ?? "", digest };
}

/**
 * normalize.go splitDockerDomain: the first path component is a host when it is `localhost`,
 * has a `.` or a `:`, or has a capital letter; else the name is Docker Hub's, and a
 * one-component Docker Hub name gets `library/`.
 */
export function splitDockerDomain(name: string): { readonly domain: string; readonly remainder: string } {
    const slash = name.indexOf("/");
    if (slash < 0) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
    const first = name.slice(0, slash);
    const rest = name.slice(slash + 1);
    let domain: string;
    let remainder: string;
    if (first === "localhost") [domain, remainder] = [first, rest];
    else if (first === LEGACY_DEFAULT_DOMAIN) [domain, remainder] = [DEFAULT_DOMAIN, rest];
    else if (first.includes(".") || first.includes(":")) [domain, remainder] = [first, rest];
    else if (first.toLowerCase() !== first) [domain, remainder] = [first, rest];
    else [domain, remainder] = [DEFAULT_DOMAIN, name];
    if (domain === DEFAULT_DOMAIN && !remainder.includes("/")) remainder = OFFICIAL_REPO_PREFIX + remainder;
    return { domain, remainder };
}

/** normalize.go ParseNormalizedNamed: the reference with Docker Hub's defaults filled in, or an error text. */
export function parseNormalizedNamed(s: string): ParsedReference | string {
    if (IDENTIFIER.test(s)) {
        return `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`;
    }
    const { domain, remainder } = splitDockerDomain(s);
    const tagSep = remainder.indexOf(":");
    const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
    if (remote.toLowerCase() !== remote) {
        return `invalid reference format: repository name (${remote}) must be lowercase`;
    }
    return parseReference(`${domain}/${remainder}`);
}

/** The normalized name: `domain/path`, or the path alone without a domain (reference.go Name). */
export function referenceName(ref: ParsedReference): string {
    return ref.domain === "" ? ref.path : `${ref.domain}/${ref.path}`;
}

/** Go's net/url host split of `http://<domain>`: the host name and the port, or an error text. */
function urlHost(domain: string): { readonly hostname: string; readonly port: string } | string {
    if (domain.startsWith("[")) {
        const close = domain.lastIndexOf("]");
        const address = domain.slice(1, close);
        // Since Go 1.25.2 (CVE-2025-47912), only a valid IPv6 address may stand in brackets.
        if (!isIPv6(address)) return `parse "http://${domain}": invalid host`;
        const port = domain.slice(close + 1).replace(/^:/, "");
        return { hostname: address, port };
    }
    const colon = domain.indexOf(":");
    return colon < 0
        ? { hostname: domain, port: "" }
        : { hostname: domain.slice(0, colon), port: domain.slice(colon + 1) };
}

/** What Portieris makes of one container's image. */
export type PortierisImage =
    /** Blank (whitespace only): skipped, the container is let through. */
    | { readonly kind: "blank" }
    /** Not a reference: denied with "invalid image name". */
    | { readonly kind: "invalid"; readonly error: string }
    /** Parsing fails inside Portieris (a digest other than sha256 and no tag): the request gets no answer. */
    | { readonly kind: "request-fails"; readonly error: string }
    | {
          readonly kind: "valid";
          /** The normalized name, e.g. `docker.io/library/nginx`. */
          readonly name: string;
          /** The tag, `latest` when none is written. */
          readonly tag: string;
          /** What follows `@sha256:`, "" without one. */
          readonly digest: string;
          /** The host name (no port, no brackets), where pull secrets are looked up. */
          readonly hostname: string;
          readonly port: string;
          /** The key Portieris files the container's decision under. */
          readonly key: string;
      };

/** Go's strings.TrimSpace: ASCII white space, U+0085, U+00A0 and Unicode's Z categories. */
function goTrimSpace(s: string): string {
    const space = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
    const end = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/;
    return s.replace(space, "").replace(end, "");
}

/** Portieris's parse of one image string (helpers/image/image.go NewReference). */
export function portierisImage(image: string): PortierisImage {
    if (goTrimSpace(image) === "") return { kind: "blank" };
    let name = image;
    let digest = "";
    const marker = "@sha256:";
    if (image.includes(marker)) {
        const fields = image.split(marker);
        name = fields[0];
        digest = fields[1];
    }
    const ref = parseNormalizedNamed(name);
    if (typeof ref === "string") return { kind: "invalid", error: ref };
    const host = urlHost(ref.domain);
    if (typeof host === "string") return { kind: "invalid", error: host };
    // The tag: `latest` unless a `:` is left once the host is taken out of the name as written.
    const withoutHost = name.replace(ref.domain, "");
    let tag: string;
    if (!withoutHost.includes(":")) tag = "latest";
    else if (ref.tag !== "") tag = ref.tag;
    else {
        return {
            kind: "request-fails",
            error:
                `"${image}" has a ${ref.digest.slice(0, ref.digest.indexOf(":"))} digest and no tag: Portieris ` +
                `v0.14.2 handles only sha256 digests and fails on this one (helpers/image/image.go reads a tag ` +
                `that is not there), so the API server gets no answer and, with the Helm chart's ` +
                `failurePolicy: Fail, denies the workload`,
        };
    }
    const normalized = referenceName(ref);
    return {
        kind: "valid",
        name: normalized,
        tag,
        digest,
        hostname: host.hostname,
        port: host.port,
        key: digest === "" ? `${normalized}:${tag}` : `${normalized}:${digest}`,
    };
}

/** What Portieris makes of an image string before matching it. */
export type ImageParse = "blank" | "invalid" | "request-fails" | "valid";

/** The outcome of {@link portierisImage} alone. */
export function parseImage(image: string): ImageParse {
    return portierisImage(image).kind;
}

/**
 * The host of an image as Portieris looks up its pull secret (`auths[<host>]`): the parsed
 * reference's host name, without the port (`docker.io` for Docker Hub names). For an image
 * Portieris cannot parse, the first path component when it looks like a host, else `docker.io`.
 */
export function imageHost(image: string): string {
    const parsed = portierisImage(image);
    if (parsed.kind === "valid") return parsed.hostname;
    const slash = image.indexOf("/");
    if (slash < 0) return DEFAULT_DOMAIN;
    const first = image.slice(0, slash);
    const isHost =
        first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase();
    return isHost ? first.replace(/:\d+$/, "") : DEFAULT_DOMAIN;
}
