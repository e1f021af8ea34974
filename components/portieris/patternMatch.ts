// Portieris's matching of repository patterns against a container's image, restated from
// Portieris v0.14.2 helpers/wildcard/wildcard.go (CompareImageRef, Compare, CompareAnyTag) and
// pkg/apis/portieris.cloud.ibm.com/v1/types.go (FindImagePolicy, FindClusterImagePolicy); the
// image string is the one pkg/controller/multi/controller.go passes (img.String(), the original):
//
// - the image is the string the pod spec writes, unchanged: no `docker.io/library/` is added to
//   a short name, no `:latest`, and a digest stays part of it;
// - `*` matches any run of characters, `/` included; nothing else is special;
// - a pattern with a `/` is split at its first `/` into host and path, the image likewise, and
//   the host part matches only the image's host (an image without `/` has no host and matches
//   no such pattern);
// - a pattern, or its path part, without a tag also matches with any `:tag` after it;
// - the best match is the first pattern without `*` equal to the whole image; else the pattern
//   with the most bytes other than `*` (Go's len, UTF-8 bytes; the first such pattern on a tie).
//
// This is a prediction for review: enforcement is Portieris's, at admission. Pure.
import { PolicyObject, PolicyRepository } from "./types";

/** Whole-string glob match, `*` for any run of characters (possibly empty). */
export function globMatches(pattern: string, value: string): boolean {
    if (pattern === "") return value === "";
    const pieces = pattern.split("*");
    if (pieces.length === 1) return value === pattern;
    const [first, ...rest] = pieces;
    const last = rest.pop()!;
    if (!value.startsWith(first)) return false;
    let at = first.length;
    // Leftmost placement of each middle piece is optimal: any later placement leaves less room.
    for (const piece of rest) {
        const found = value.indexOf(piece, at);
        if (found < 0) return false;
        at = found + piece.length;
    }
    return value.length - at >= last.length && value.endsWith(last);
}

/** {@link globMatches}, or the same with `:*` appended: a pattern without a tag admits any tag. */
export function globMatchesAnyTag(pattern: string, value: string): boolean {
    return globMatches(pattern, value) || globMatches(`${pattern}:*`, value);
}

/**
 * Whether a repository pattern admits an image, with the host part anchored to the image's
 * host: `*.icr.io/team/*` does not match `evil.example/x.icr.io/team/app`.
 */
export function patternMatchesImage(pattern: string, image: string): boolean {
    const slash = pattern.indexOf("/");
    if (slash < 0) return globMatchesAnyTag(pattern, image);
    const imageSlash = image.indexOf("/");
    if (imageSlash < 0) return false;
    return (
        globMatches(pattern.slice(0, slash), image.slice(0, imageSlash)) &&
        globMatchesAnyTag(pattern.slice(slash + 1), image.slice(imageSlash + 1))
    );
}

/** The repository entry of a policy list that decides an image, and how it was chosen. */
export interface RepositoryMatch {
    readonly policy: PolicyObject;
    readonly repository: PolicyRepository;
    /** True for a pattern without `*` equal to the whole image. */
    readonly exact: boolean;
    /** UTF-8 bytes of the pattern other than `*` (types.go matchQuality): the higher, the more specific. */
    readonly specificity: number;
}

/**
 * The best-matching repository entry among `policies` (in the API server's list order, by
 * name), or undefined when no pattern admits the image, in which case Portieris denies it.
 */
export function bestRepositoryMatch(
    policies: readonly PolicyObject[],
    image: string,
): RepositoryMatch | undefined {
    let best: RepositoryMatch | undefined;
    for (const policy of policies) {
        for (const repository of policy.spec.repositories ?? []) {
            const pattern = repository.name ?? "";
            const wildcard = pattern.includes("*");
            if (!wildcard && pattern === image) {
                return { policy, repository, exact: true, specificity: Buffer.byteLength(image, "utf8") };
            }
            if (!patternMatchesImage(pattern, image)) continue;
            const specificity = Buffer.byteLength(pattern, "utf8") - (pattern.match(/\*/g)?.length ?? 0);
            if (best === undefined || specificity > best.specificity) {
                best = { policy, repository, exact: false, specificity };
            }
        }
    }
    return best;
}
