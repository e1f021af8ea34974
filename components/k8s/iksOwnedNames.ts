// Names this library must never take over: the pull secrets IKS itself writes in `default`,
// and the namespaces every cluster has. Pure: no Pulumi import.
//
// Why: pulumi-kubernetes creates objects by server-side apply, which on the pulumi-kubernetes provider versions
// this package supports (< 4.29) is an upsert: asking for a Secret or Namespace that already
// exists silently makes the stack its owner, overwrites its data, and `destroy` then deletes
// it. IKS writes `all-icr-io` in `default` on every cluster since 2020 (Kubernetes 1.18) and
// keeps it current; clusters from 2019 and those upgraded from them also hold the per-domain
// `default-icr-io` and `default-<region>-icr-io` (https://cloud.ibm.com/docs/containers?topic=containers-registry). Deleting them breaks
// every pod in `default` that pulls IBM images, and deleting a namespace deletes everything
// in it.
//
// What is refused here, at construction (so in `pulumi preview`, before anything exists):
//   - a combined secret named like an IKS pull secret in `default` (including the default
//     name `all-icr-io`): certain to collide on IKS;
//   - `createNamespace` for `default`, `kube-system`, `kube-public` or `kube-node-lease`,
//     which exist in every cluster.
// The per-domain layout in `default` keeps the runbook's names (`default-us-icr-io`, ...),
// which collide only on clusters that still hold IKS's 2019 secrets, and `createNamespace`
// of any other name may or may not collide: both are checked against the live cluster
// before anything is created (./takeoverGuard.ts).

/** The namespace where IKS writes its own pull secrets. @internal */
export const IKS_PULL_SECRET_NAMESPACE = "default";

/** IKS's combined pull secret in `default` (Kubernetes 1.18+ clusters). @internal */
export const IKS_COMBINED_SECRET_NAME = "all-icr-io";

/** Namespaces every Kubernetes cluster has, which a stack must never own. @internal */
export const BUILT_IN_NAMESPACES: readonly string[] = [
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
];

// default-icr-io, default-us-icr-io, default-private-us-icr-io, ...: IKS's per-domain names.
const IKS_PER_DOMAIN_NAME = /^default-([a-z0-9]+-)*icr-io$/;

/** True when `name` in `namespace` is, or is named like, a pull secret IKS writes itself. @internal */
export function isIksPullSecretName(namespace: string, name: string): boolean {
    return (
        namespace === IKS_PULL_SECRET_NAMESPACE &&
        (name === IKS_COMBINED_SECRET_NAME || IKS_PER_DOMAIN_NAME.test(name))
    );
}

/** What {@link iksOwnedNameProblems} looks at: one namespace's plain arguments. @internal */
export interface OwnedNameArgs {
    readonly namespace: string;
    /** The layout in effect (the namespace's, else the stack's, else perDomain). */
    readonly layout?: string;
    readonly secretName?: string;
    readonly createNamespace?: boolean;
}

/**
 * Problems with asking for names this library must not own, each under `field` (the argument
 * path the user wrote, e.g. `namespaces.default`; "" for a component's own arguments).
 * @internal
 */
export function iksOwnedNameProblems(field: string, args: OwnedNameArgs): string[] {
    const at = (key: string) => (field === "" ? key : `${field}.${key}`);
    const problems: string[] = [];
    if (args.layout === "combined") {
        const name = args.secretName ?? IKS_COMBINED_SECRET_NAME;
        if (isIksPullSecretName(args.namespace, name)) {
            problems.push(
                `${at("secretName")}: ${args.secretName === undefined ? `not set, so the combined secret would be "${name}", which` : `"${name}"`} ` +
                    `in namespace "${args.namespace}" is a pull secret IKS itself writes and keeps up to date. This stack would ` +
                    `take the existing Secret over, replace its credentials, and delete it on destroy. Set secretName to a name ` +
                    `of your own (e.g. "icr-pull"), or leave IKS's secret to IKS and give this namespace no entry.`,
            );
        }
    }
    if (args.createNamespace === true && BUILT_IN_NAMESPACES.includes(args.namespace)) {
        problems.push(
            `${at("createNamespace")}: namespace "${args.namespace}" exists in every cluster. Creating it would make this ` +
                `stack its owner, and destroy would delete it with everything in it. Remove createNamespace.`,
        );
    }
    return problems;
}
