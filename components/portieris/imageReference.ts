// Whether a container's image string is a reference Portieris can parse. Portieris removes an
// `@sha256:` digest and parses the rest with the distribution reference grammar; an image it
// cannot parse is denied ("invalid image name"), and a blank image is let through. Restated
// from the grammar (distribution/reference regexp.go), enough to tell the two apart. Pure.

const ALNUM = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|[-]+)";
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(
    `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`,
);

/** What Portieris makes of an image string before matching it. */
export type ImageParse = "blank" | "invalid" | "valid";

/** Parses the way Portieris does: blank (skipped), invalid (denied), or valid (matched). */
export function parseImage(image: string): ImageParse {
    if (image.trim() === "") return "blank";
    const at = image.indexOf("@sha256:");
    // Portieris strips `@sha256:<anything>` before parsing, so a short digest still parses.
    const name = at >= 0 ? image.slice(0, at) : image;
    if (name.length > 255 || !REFERENCE.test(name)) return "invalid";
    // A bare 64-hex name is refused by the parser (it reads like an image id).
    if (/^[a-f0-9]{64}$/.test(name)) return "invalid";
    return "valid";
}

/**
 * The host of an image as Portieris looks up its pull secret (`auths[<host>]`): the first
 * path component when it has a `.`, a `:` or a capital letter or is `localhost`, else Docker
 * Hub's `docker.io`.
 */
export function imageHost(image: string): string {
    const slash = image.indexOf("/");
    if (slash < 0) return "docker.io";
    const first = image.slice(0, slash);
    const isHost =
        first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase();
    if (isHost) return first.replace(/:\d+$/, "");
    return "docker.io";
}
