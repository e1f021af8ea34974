// Checks of one repository pattern as a user writes it, before any object exists: the glob
// syntax Portieris understands (only `*` is special), and a host part that is an IBM Cloud
// Container Registry domain or a registry the user names explicitly. Each message names the
// field and says the fix. Pure.
import { ALL_REGISTRY_DOMAINS, deprecatedDomainProblem } from "../shared/registry/registryDomains";
import { REGISTRY_REGIONS } from "../shared/registry/registryRegions";
import { closest } from "../shared/suggest";
import { globMatches } from "./patternMatch";

/** What a pattern check found: errors refuse the program, warnings are shown. */
export interface PatternFindings {
    readonly problems: string[];
    readonly warnings: string[];
}

/** `otherRegistries` entry that admits patterns for any registry host, and the bare `*` pattern. */
export const ANY_REGISTRY = "*";
/** Docker Hub, the host of images written without one (`nginx:1.27`). */
export const DOCKER_HUB = "docker.io";

const PATTERN_CHARS = /^[A-Za-z0-9._\-/:@*]+$/;
const HOST_CHARS = /^[A-Za-z0-9.\-:*[\]]+$/;

function isIcrHost(host: string): boolean {
    return host === "icr.io" || host.endsWith(".icr.io");
}

function unknownIcrDomain(field: string, host: string): string {
    const icr = /^(private\.)?([^.]+)\.icr\.io$/.exec(host);
    const prefix =
        icr === null
            ? undefined
            : closest(
                  icr[2],
                  REGISTRY_REGIONS.map((r) => r.prefix).filter((p) => p !== ""),
              );
    const hint = prefix === undefined ? "" : ` Did you mean "${icr![1] ?? ""}${prefix}.icr.io"?`;
    return (
        `${field}: "${host}" is not an IBM Cloud Container Registry domain.${hint} Valid domains: ` +
        `${REGISTRY_REGIONS.map((r) => r.domain).join(", ")}, each also with a "private." prefix.`
    );
}

/**
 * Checks one pattern. `otherRegistries` lists the registry hosts outside IBM Cloud that the
 * user admits on purpose (`docker.io` for short names, `*` for any host).
 * @param field the path the user wrote, e.g. `namespaces.team-a.repositories[0]`
 */
export function checkPattern(
    field: string,
    pattern: unknown,
    otherRegistries: readonly string[],
): PatternFindings {
    const problems: string[] = [];
    const warnings: string[] = [];
    const done = () => ({ problems, warnings });
    if (typeof pattern !== "string" || pattern.trim() === "") {
        problems.push(
            `${field}: a repository pattern is required, e.g. "de.icr.io/team-a/*"; got ${JSON.stringify(pattern)}.`,
        );
        return done();
    }
    if (/^[a-z]+:\/\//i.test(pattern)) {
        problems.push(
            `${field}: "${pattern}" has a scheme; Portieris matches the image as a pod writes it, without one. ` +
                `Write "${pattern.replace(/^[a-z]+:\/\//i, "")}".`,
        );
        return done();
    }
    if (!PATTERN_CHARS.test(pattern)) {
        const bad = [...new Set(pattern.replace(/[A-Za-z0-9._\-/:@*]/g, ""))].join("");
        const wildcardLike = /[?[\]{}]/.test(bad);
        problems.push(
            `${field}: "${pattern}" has characters no image name has (${JSON.stringify(bad)}).` +
                (wildcardLike
                    ? ` Portieris's only wildcard is "*" (any run of characters, "/" included); "?", "[...]" and "{...}" match themselves.`
                    : ` Use the image's name as a pod spec writes it, with "*" as the wildcard.`),
        );
        return done();
    }
    if (pattern.includes("**")) {
        problems.push(
            `${field}: "${pattern}" has "**"; one "*" already matches any run of characters, "/" included. ` +
                `Write "${pattern.replace(/\*{2,}/g, "*")}".`,
        );
    }
    if (pattern.endsWith("/")) {
        problems.push(
            `${field}: "${pattern}" ends with "/", so it matches no image. Write "${pattern}*" to admit every image under it.`,
        );
    }
    const slash = pattern.indexOf("/");
    if (slash < 0) {
        if (pattern === ANY_REGISTRY) {
            if (!otherRegistries.includes(ANY_REGISTRY)) {
                problems.push(
                    `${field}: "*" admits every image from every registry. If that is meant, add "*" to otherRegistries; ` +
                        `otherwise name the registry namespaces, e.g. "de.icr.io/team-a/*".`,
                );
            }
        } else if (!otherRegistries.includes(DOCKER_HUB) && !otherRegistries.includes(ANY_REGISTRY)) {
            problems.push(
                `${field}: "${pattern}" has no registry host, so it matches Docker Hub short names as pods write them ` +
                    `("nginx:1.27"). Add "docker.io" to otherRegistries if that is meant; for IBM Cloud Container Registry ` +
                    `write the domain first, e.g. "de.icr.io/${pattern}".`,
            );
        }
        return done();
    }
    const host = pattern.slice(0, slash);
    if (host === "" || !HOST_CHARS.test(host)) {
        problems.push(
            `${field}: "${pattern}" has no registry host before its first "/"; write e.g. "de.icr.io/team-a/*".`,
        );
        return done();
    }
    const deprecated = deprecatedDomainProblem(field, host);
    if (deprecated !== undefined) {
        problems.push(deprecated);
        return done();
    }
    const lower = host.toLowerCase();
    if (isIcrHost(lower) && !lower.includes("*")) {
        if (!ALL_REGISTRY_DOMAINS.includes(lower)) problems.push(unknownIcrDomain(field, host));
    } else if (host.includes("*") && ALL_REGISTRY_DOMAINS.some((d) => globMatches(host, d))) {
        // A wildcard host that covers IBM domains: fine when it covers nothing else.
        const coversOthers = !isIcrHost(lower.replace(/\*/g, "x"));
        if (coversOthers && !otherRegistries.includes(ANY_REGISTRY)) {
            problems.push(
                `${field}: the host "${host}" matches hosts outside IBM Cloud Container Registry too. Write an icr.io ` +
                    `domain (e.g. "de.icr.io" or "*.icr.io"), or add "*" to otherRegistries if any host is meant.`,
            );
        }
    } else if (!otherRegistries.includes(host) && !otherRegistries.includes(ANY_REGISTRY)) {
        problems.push(
            `${field}: "${host}" is not an IBM Cloud Container Registry domain. If it is another registry you trust, ` +
                `add "${host}" to otherRegistries; IBM's domains are ${REGISTRY_REGIONS.map((r) => r.domain).join(", ")}.`,
        );
    }
    if (lower === DOCKER_HUB || lower === "index.docker.io") {
        warnings.push(
            `${field}: "${pattern}" matches only images written with "${host}/" in the pod spec; Portieris matches the ` +
                `image string as written, so "nginx:1.27" and "library/nginx" are not matched by it.`,
        );
    }
    return done();
}

/** Checks an `otherRegistries` list: host names (with an optional port), or `*`. */
export function checkOtherRegistries(field: string, hosts: unknown): string[] {
    if (hosts === undefined) return [];
    if (!Array.isArray(hosts)) return [`${field}: expected a list of registry hosts, e.g. ["quay.io"].`];
    const problems: string[] = [];
    hosts.forEach((h, i) => {
        if (h === ANY_REGISTRY) return;
        if (typeof h !== "string" || !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d+)?$/.test(h)) {
            problems.push(
                `${field}[${i}]: ${JSON.stringify(h)} is not a registry host; write a host such as "quay.io" or ` +
                    `"registry.example.com:5000", or "*" for any host.`,
            );
        }
    });
    return problems;
}
