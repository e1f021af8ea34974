// Namespaces chosen by label rather than by name, resolved against the live cluster each time
// the program runs (preview and up), so that a namespace labelled since the last run is
// covered by the next one and shown there as an addition. A namespace that stops matching
// drops out of the program, and the engine deletes what the stack made for it.
//
// Resolution never turns a failure into "no namespaces": an unreachable or refusing API server
// fails the run with the server's reason, before anything changes.
import type { KubeClient } from "../clients/kube/client";
import { checkNamespaceName } from "../shared/k8sNames";

/** One `matchExpressions` requirement, as in a Kubernetes `LabelSelector`. */
export interface LabelSelectorRequirement {
    /** The label key the requirement applies to. */
    readonly key: string;
    /** How the label's value relates to `values`; `Exists` and `DoesNotExist` test the key alone. */
    readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    /** The values for `In` and `NotIn`; empty or absent for `Exists` and `DoesNotExist`. */
    readonly values?: string[];
}

/** Which namespaces to cover besides those named in `namespaces`, and the access each gets. */
export interface NamespaceSelector<Access = Record<string, unknown>> {
    /** Labels a namespace must carry, e.g. `{ "icr-access": "enabled" }`. */
    readonly matchLabels?: Record<string, string>;
    /** Further label requirements, as in a Kubernetes `LabelSelector`. */
    readonly matchExpressions?: LabelSelectorRequirement[];
    /**
     * Namespaces never covered through the selector, by name or glob (`*` any run of
     * characters, `?` one): `["kube-*", "ibm-system"]`.
     * @default - none
     */
    readonly exclude?: string[];
    /**
     * The access every selected namespace gets, as a `namespaces` entry would give it.
     * @default {} - every region, Reader, the default service account
     */
    readonly access?: Access;
}

const OPERATORS: readonly string[] = ["In", "NotIn", "Exists", "DoesNotExist"];
// A label key: an optional DNS-subdomain prefix and "/", then a name of up to 63 characters.
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?)$/;
const GLOB = /^[a-z0-9*?]([-a-z0-9*?]*)$/;

function labelKeyProblem(field: string, key: unknown): string | undefined {
    if (typeof key !== "string" || key === "") return `${field}: a label key must be a non-empty string.`;
    const slash = key.lastIndexOf("/");
    const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
    if (
        !LABEL_NAME.test(name) ||
        (prefix !== undefined && (prefix.length > 253 || !LABEL_PREFIX.test(prefix)))
    ) {
        return (
            `${field}: ${JSON.stringify(key)} is not a label key; use an optional DNS-subdomain prefix and "/", ` +
            `then up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.`
        );
    }
    return undefined;
}

function labelValueProblem(field: string, value: unknown): string | undefined {
    if (typeof value !== "string" || !LABEL_VALUE.test(value)) {
        return (
            `${field}: ${JSON.stringify(value)} is not a label value; use up to 63 letters, digits, "-", "_" ` +
            `or ".", starting and ending with a letter or digit (or the empty string).`
        );
    }
    return undefined;
}

/**
 * Every problem with a selector, each under the path the user wrote
 * (`namespaceSelector.matchExpressions[0].operator`). A selector with no label condition is
 * refused: it would select every namespace of the cluster, `kube-system` included.
 */
export function namespaceSelectorProblems(field: string, selector: NamespaceSelector<unknown>): string[] {
    const problems: string[] = [];
    const push = (p: string | undefined) => p !== undefined && problems.push(p);
    if (typeof selector !== "object" || selector === null || Array.isArray(selector)) {
        return [`${field}: expected an object with matchLabels and/or matchExpressions.`];
    }
    const known = ["matchLabels", "matchExpressions", "exclude", "access"];
    for (const key of Object.keys(selector)) {
        if (!known.includes(key))
            problems.push(`${field}.${key}: unknown field; known: ${known.join(", ")}.`);
    }
    const labels = selector.matchLabels ?? {};
    if (typeof labels !== "object" || labels === null || Array.isArray(labels)) {
        problems.push(`${field}.matchLabels: expected a map of label keys to values.`);
    } else {
        for (const [k, v] of Object.entries(labels)) {
            push(labelKeyProblem(`${field}.matchLabels`, k));
            push(labelValueProblem(`${field}.matchLabels.${k}`, v));
        }
    }
    const expressions = selector.matchExpressions ?? [];
    if (!Array.isArray(expressions)) {
        problems.push(`${field}.matchExpressions: expected a list of { key, operator, values }.`);
    } else {
        expressions.forEach((e, i) => {
            const f = `${field}.matchExpressions[${i}]`;
            push(labelKeyProblem(`${f}.key`, e?.key));
            if (!OPERATORS.includes(e?.operator)) {
                problems.push(
                    `${f}.operator: ${JSON.stringify(e?.operator)} is not one of ${OPERATORS.join(", ")}.`,
                );
                return;
            }
            const values = e.values ?? [];
            const needsValues = e.operator === "In" || e.operator === "NotIn";
            if (!Array.isArray(values)) problems.push(`${f}.values: expected a list of label values.`);
            else if (needsValues && values.length === 0)
                problems.push(`${f}.values: "${e.operator}" needs at least one value.`);
            else if (!needsValues && values.length > 0)
                problems.push(`${f}.values: "${e.operator}" takes no values; remove them.`);
            else values.forEach((v, j) => push(labelValueProblem(`${f}.values[${j}]`, v)));
        });
    }
    const conditions =
        (typeof labels === "object" && labels !== null ? Object.keys(labels).length : 0) +
        (Array.isArray(expressions) ? expressions.length : 0);
    if (conditions === 0) {
        problems.push(
            `${field}: give matchLabels or matchExpressions; a selector without any would cover every namespace ` +
                `of the cluster, kube-system included. Label the namespaces to cover, e.g. ` +
                `kubectl label namespace <name> icr-access=enabled, and select { matchLabels: { icr-access: enabled } }.`,
        );
    }
    const exclude = selector.exclude ?? [];
    if (!Array.isArray(exclude)) {
        problems.push(`${field}.exclude: expected a list of namespace names or globs.`);
    } else {
        exclude.forEach((x, i) => {
            if (typeof x !== "string" || !GLOB.test(x)) {
                problems.push(
                    `${field}.exclude[${i}]: ${JSON.stringify(x)} is neither a namespace name nor a glob of one ` +
                        `(lowercase letters, digits, "-", and the wildcards * and ?).`,
                );
            }
        });
    }
    return problems;
}

/** The selector as the API server's `labelSelector` query parameter (`a=b,c in (d,e),!f`). */
export function labelSelectorQuery(selector: NamespaceSelector<unknown>): string {
    const parts = Object.entries(selector.matchLabels ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`);
    for (const e of selector.matchExpressions ?? []) {
        const values = [...(e.values ?? [])].sort().join(",");
        if (e.operator === "In") parts.push(`${e.key} in (${values})`);
        else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
        else if (e.operator === "Exists") parts.push(e.key);
        else parts.push(`!${e.key}`);
    }
    return parts.join(",");
}

/** Whether a namespace name matches a glob (`*` any run of characters, `?` one character). */
export function globMatches(pattern: string, name: string): boolean {
    const re = pattern
        .replace(/[.+^${}()|[\]\\-]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${re}$`).test(name);
}

/** Whether the selector's label conditions hold for these labels (as the API server decides). */
export function labelsMatch(
    selector: NamespaceSelector<unknown>,
    labels: Readonly<Record<string, string>>,
): boolean {
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const e of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        const values = e.values ?? [];
        if (e.operator === "In" && !(has && values.includes(labels[e.key]))) return false;
        if (e.operator === "NotIn" && has && values.includes(labels[e.key])) return false;
        if (e.operator === "Exists" && !has) return false;
        if (e.operator === "DoesNotExist" && has) return false;
    }
    return true;
}

/** A namespace as listed (only the fields read here). */
export interface NamespaceObject {
    readonly metadata?: { readonly name?: string; readonly labels?: Record<string, string> };
    readonly status?: { readonly phase?: string };
}

/**
 * The names the selector covers among listed namespaces, sorted: matching labels, not
 * excluded, not named explicitly (an explicit entry wins), and not being deleted (a
 * terminating namespace refuses new objects; what the stack had there is removed).
 */
export function selectedNamespaceNames(
    selector: NamespaceSelector<unknown>,
    namespaces: readonly NamespaceObject[],
    explicit: readonly string[],
): string[] {
    return namespaces
        .filter((n) => n.status?.phase !== "Terminating")
        .filter((n) => labelsMatch(selector, n.metadata?.labels ?? {}))
        .map((n) => n.metadata?.name ?? "")
        .filter((name) => checkNamespaceName("", name) === undefined)
        .filter((name) => !explicit.includes(name))
        .filter((name) => !(selector.exclude ?? []).some((p) => globMatches(p, name)))
        .sort();
}

/**
 * Lists the cluster's namespaces that match the selector (the API server filters by label;
 * the result is checked again here) and returns {@link selectedNamespaceNames}. Any failure
 * to list throws, naming the server and the reason: an empty answer is only ever a real one.
 */
export async function resolveNamespaceSelector(
    client: KubeClient,
    selector: NamespaceSelector<unknown>,
    explicit: readonly string[],
): Promise<string[]> {
    const items = await client.list<NamespaceObject>(
        "/api/v1/namespaces",
        `labelSelector=${encodeURIComponent(labelSelectorQuery(selector))}`,
    );
    if (items === undefined) throw new Error("listing namespaces answered 404 without a namespace list");
    return selectedNamespaceNames(selector, items, explicit);
}
