// Kubernetes object-name rules, as the API server checks them
// (k8s.io/apimachinery/pkg/util/validation: IsDNS1123Label, IsDNS1123Subdomain), so that
// a bad name fails at construction or in `check`, not halfway through `pulumi up`.

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const LABEL_RE = new RegExp(`^${LABEL}$`);
const SUBDOMAIN_RE = new RegExp(`^${LABEL}(\\.${LABEL})*$`);

/** Longest DNS-1123 label (namespace names). @internal */
export const DNS1123_LABEL_MAX = 63;
/** Longest DNS-1123 subdomain (Secret and ServiceAccount names). @internal */
export const DNS1123_SUBDOMAIN_MAX = 253;

/** True for a valid namespace name. @internal */
export function isDns1123Label(value: string): boolean {
    return value.length <= DNS1123_LABEL_MAX && LABEL_RE.test(value);
}

/** True for a valid Secret or ServiceAccount name. @internal */
export function isDns1123Subdomain(value: string): boolean {
    return value.length <= DNS1123_SUBDOMAIN_MAX && SUBDOMAIN_RE.test(value);
}

/**
 * The nearest valid name: lower case, every other character turned into `-`, dashes
 * collapsed and trimmed, cut to `max`. Used for "did you mean" and for default names
 * derived from registry hosts.
 * @internal
 */
export function toDns1123(value: string, max: number = DNS1123_LABEL_MAX): string {
    const cleaned = value
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-+|-+$/g, "");
    return cleaned.slice(0, max).replace(/-+$/, "");
}

const LABEL_RULE = `a DNS-1123 label: at most ${DNS1123_LABEL_MAX} lower-case letters, digits and "-", starting and ending with a letter or digit`;
const SUBDOMAIN_RULE = `a DNS-1123 subdomain: at most ${DNS1123_SUBDOMAIN_MAX} lower-case letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit`;

function suggestion(value: string, valid: (s: string) => boolean, max: number): string {
    const fixed = toDns1123(value, max);
    return fixed !== "" && fixed !== value && valid(fixed) ? ` Did you mean "${fixed}"?` : "";
}

/**
 * An error message when `value` is not a valid namespace name, else `undefined`.
 * @param field the argument path the user wrote, e.g. `namespace` or `targetNamespaces[2]`
 * @internal
 */
export function checkNamespaceName(field: string, value: unknown): string | undefined {
    if (typeof value !== "string" || value === "") {
        return `${field}: a Kubernetes namespace name is required (${LABEL_RULE}); got ${JSON.stringify(value)}.`;
    }
    if (isDns1123Label(value)) return undefined;
    return (
        `${field}: "${value}" is not a valid Kubernetes namespace name (${LABEL_RULE}).` +
        suggestion(value, isDns1123Label, DNS1123_LABEL_MAX)
    );
}

/**
 * An error message when `value` is not a valid Secret or ServiceAccount name, else `undefined`.
 * @param kind what the name is for, e.g. `Secret` or `ServiceAccount`
 * @internal
 */
export function checkObjectName(field: string, kind: string, value: unknown): string | undefined {
    if (typeof value !== "string" || value === "") {
        return `${field}: a ${kind} name is required (${SUBDOMAIN_RULE}); got ${JSON.stringify(value)}.`;
    }
    if (isDns1123Subdomain(value)) return undefined;
    return (
        `${field}: "${value}" is not a valid ${kind} name (${SUBDOMAIN_RULE}).` +
        suggestion(value, isDns1123Subdomain, DNS1123_SUBDOMAIN_MAX)
    );
}

/**
 * One error for several problems, every problem on its own line (awsx `ec2/vpc.ts`).
 * @internal
 */
export function joinProblems(problems: readonly string[]): string {
    return problems.length === 1 ? problems[0] : `${problems.length} problems:\n - ${problems.join("\n - ")}`;
}
