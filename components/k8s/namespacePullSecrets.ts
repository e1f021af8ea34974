// Image pull secrets for IBM Cloud Container Registry in one Kubernetes namespace, from an
// IAM API key: the key stored in dockerconfigjson secrets, one per icr.io domain (or one for
// all), listed on the namespace's service accounts, as IBM's docs have it done by hand
// (https://cloud.ibm.com/docs/containers?topic=containers-registry).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IdentityGrant, identityGrantOf } from "../internal/identityGrants";
import { checkNamespaceName, checkObjectName, joinProblems } from "../shared/k8sNames";
import { describeSecretValue } from "../shared/secretShape";
import { didYouMean } from "../shared/suggest";
import {
    buildDockerConfigJsonBase64,
    DOCKER_CONFIG_JSON_KEY,
    DOCKER_CONFIG_JSON_TYPE,
    iamApiKeyCredential,
    IKS_DEFAULT_EMAIL,
} from "../shared/k8s/dockerConfig";
import {
    findRegion,
    RegistryDomain,
    RegistryDomainError,
    RegistryDomainSelection,
    RegistryEndpoints,
    resolveRegistryDomains,
} from "../shared/registry/registryDomains";
import { iksOwnedNameProblems, isIksPullSecretName } from "./iksOwnedNames";
import { warnAboutKubernetesProvider } from "./providerChecks";
import { CREATED_BY_ANNOTATION, GuardedObject } from "../shared/k8s/createdByMark";
import { CreationGuard } from "./creationGuard";
import { NamespaceRemovalGuard } from "./namespaceRemovalGuard";
import { currentStackMark } from "../ownership/legacyStackMark";
import { stackOwnerId } from "../ownership/stackOwner";
import { checkServiceAccounts, patchServiceAccounts, ServiceAccountOptions } from "./serviceAccountOptions";

/** How the domains are spread over secrets. */
export const PullSecretLayout = {
    /**
     * One secret per domain, named as IKS named them before 2020: `<namespace>-<region>-icr-io`
     * (`default-us-icr-io`), `<namespace>-icr-io` for the global `icr.io`, and
     * `<namespace>-private-<region>-icr-io` for private endpoints.
     */
    PerDomain: "perDomain",
    /** One secret holding every domain, as IKS's `all-icr-io` does since Kubernetes 1.18. */
    Combined: "combined",
} as const;
/** How the domains are spread over secrets. */
export type PullSecretLayout = (typeof PullSecretLayout)[keyof typeof PullSecretLayout];

/** Default name of the `combined` secret. */
export const DEFAULT_COMBINED_SECRET_NAME = "all-icr-io";

/** Arguments for {@link NamespacePullSecrets}. */
export interface NamespacePullSecretsArgs extends ServiceAccountOptions {
    /**
     * Kubernetes namespace to write the secrets into. A plain string: it is part of the
     * secret names. Changing it replaces every secret.
     */
    readonly namespace: string;
    /**
     * IAM API key of a service ID with the Container Registry Reader role (e.g.
     * `NamespaceIdentity`'s `apiKey`), used as the registry password with username
     * `iamapikey`. Treated as a secret whether or not you wrapped it. A new key changes only
     * the secrets' data, under the same names: an in-place update when the Kubernetes
     * Kubernetes provider has `enableSecretMutable` (see {@link NamespacePullSecrets}).
     *
     * Given a NamespaceIdentity's `apiKey` output itself, the secrets follow what that identity
     * grants (its `grantedLocations`): `regions` and `includeGlobal` default to the identity's,
     * and a region, `includeGlobal` or domain the identity cannot pull from is refused at
     * preview, naming both settings.
     */
    readonly apiKey: pulumi.Input<string>;
    /**
     * Regions whose domains get credentials, by IAM region (`us-south`), domain prefix
     * (`us`), former registry region name (`ap-south`), or `global`. Output order never
     * depends on this order. Name each region once: `["us-south", "us"]` is an error.
     * An empty list is an error too, because it would silently mean "the global `icr.io` only":
     * omit `regions` for every region, list regions, or write `[]` with `includeGlobal: true`
     * (or `["global"]`) to mean `icr.io` only.
     * @default - every region; with a NamespaceIdentity's `apiKey`, the regions it grants
     */
    readonly regions?: string[];
    /**
     * Whether the global `icr.io` (IBM-provided images) is added to the chosen regions.
     * Set to `true` explicitly, it also makes `regions: []` mean "icr.io only".
     * @default true - as IKS does; with a NamespaceIdentity's `apiKey`, whether it grants `icr.io`
     */
    readonly includeGlobal?: boolean;
    /**
     * Public domains (`us.icr.io`), private service-endpoint domains (`private.us.icr.io`),
     * or both.
     * @default "public" - as the runbook's per-region secrets
     */
    readonly endpoints?: RegistryEndpoints;
    /**
     * Exact domains instead of `regions`/`includeGlobal`/`endpoints` (e.g.
     * `["us.icr.io", "private.us.icr.io"]`); cannot be combined with them.
     * @default - chosen by region
     */
    readonly domains?: string[];
    /**
     * One secret per domain, or one secret for all.
     * @default "perDomain" - the runbook's names (`<namespace>-us-icr-io`, …)
     */
    readonly layout?: PullSecretLayout;
    /**
     * Name of the `combined` secret. In `default`, IKS owns `all-icr-io` (and the per-domain
     * `default-icr-io`, `default-<region>-icr-io`): those names are refused there, so choose
     * another (e.g. `icr-pull`).
     * @default "all-icr-io" - refused in `default`, where IKS writes a secret of that name
     */
    readonly secretName?: string;
    /**
     * Email written into each `auths` entry. Registries ignore it.
     * @default "iamapikey" - as IKS writes it
     */
    readonly email?: pulumi.Input<string>;
    /**
     * Create the namespace too. Refused, before anything is created, when the namespace already
     * exists and this stack did not create it (`default`, `kube-system`, ... always exist): the
     * stack would become its owner and delete it on destroy. A namespace the stack created is
     * deleted with the component only while it holds nothing but the stack's secrets and what
     * Kubernetes puts in every namespace (see `deleteNamespaceContents`).
     * @default false - the namespace must exist
     */
    readonly createNamespace?: boolean;
    /**
     * With `createNamespace`: let destroy (or removing the component) delete the namespace even
     * though it holds objects that are not this stack's; they go with it. Without this, the
     * delete is refused, naming them, and nothing is deleted.
     * @default false
     */
    readonly deleteNamespaceContents?: pulumi.Input<boolean>;
    /**
     * The path of these arguments in the caller's own arguments (`namespaces.shop`), for messages.
     * @internal
     */
    readonly argumentPath?: string;
}

interface SecretPlan {
    key: string;
    secretName: string;
    hosts: string[];
}

/**
 * The secrets for a namespace: their natural keys, Kubernetes names and domains.
 * @internal
 */
export function planPullSecrets(
    namespace: string,
    domains: readonly RegistryDomain[],
    layout: PullSecretLayout,
    combinedName: string = DEFAULT_COMBINED_SECRET_NAME,
): SecretPlan[] {
    if (layout === PullSecretLayout.Combined) {
        return [{ key: "combined", secretName: combinedName, hosts: domains.map((d) => d.domain) }];
    }
    return domains.map((d) => ({ key: d.key, secretName: `${namespace}-${d.key}`, hosts: [d.domain] }));
}

const LAYOUTS: readonly string[] = Object.values(PullSecretLayout);

/**
 * Image pull secrets for IBM Cloud Container Registry in one Kubernetes namespace.
 *
 * Writes `kubernetes.io/dockerconfigjson` secrets holding the API key for each chosen
 * `icr.io` domain (username `iamapikey`), and adds them to the namespace's service
 * accounts without disturbing entries anyone else put there.
 *
 * Key rotation: set `enableSecretMutable: true` on the Kubernetes provider (or
 * `kubernetes:enableSecretMutable` / `PULUMI_K8S_ENABLE_SECRET_MUTABLE` for the default one).
 * Without it pulumi-kubernetes replaces a Secret whose data changes, and a Secret with a
 * fixed name is deleted before it is re-created, so pods started in between cannot pull
 * (pulumi-kubernetes#2291). The component warns when it can see the flag is missing.
 *
 * Only namespaces known at `pulumi up` are covered; a namespace created later needs its
 * own instance (or a controller).
 * @see https://cloud.ibm.com/docs/containers?topic=containers-registry#other
 */
export class NamespacePullSecrets extends pulumi.ComponentResource {
    /** The namespace, resolved after it is created when `createNamespace` is set. */
    public readonly namespace: pulumi.Output<string>;
    /** The registry domains that got credentials, in table order. */
    public readonly domains: string[];
    /** Secret names, in domain order, for a pod's `imagePullSecrets`; resolves once the secrets exist. */
    public readonly secretNames: pulumi.Output<string[]>;
    /** `secretNames` as `[{ name }]`, ready for `spec.imagePullSecrets`. */
    public readonly imagePullSecrets: pulumi.Output<
        {
            /** A secret name from `secretNames`. */
            name: string;
        }[]
    >;
    /** The service accounts patched; resolves once they list the secrets. */
    public readonly serviceAccounts: pulumi.Output<string[]>;

    constructor(name: string, args: NamespacePullSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        // {}: the API key must not reach the component's inputs in state (pulumi-kubernetes#3894).
        super("icr:k8s:NamespacePullSecrets", name, {}, opts);

        const problems: string[] = [];
        const nsProblem = checkNamespaceName("namespace", args.namespace);
        if (nsProblem !== undefined) problems.push(nsProblem);
        // With a NamespaceIdentity's own key: the domains it can pull from, and no others.
        const grant = identityGrantOf(args.apiKey);
        let domains: RegistryDomain[] = [];
        try {
            domains = resolveRegistryDomains(selectionWithin(grant, args));
            problems.push(...ungrantedDomainProblems(grant, args, domains));
        } catch (err) {
            if (!(err instanceof RegistryDomainError)) throw err;
            problems.push(err.message);
        }
        const layout = args.layout ?? PullSecretLayout.PerDomain;
        if (!LAYOUTS.includes(layout)) {
            problems.push(
                `layout: unknown layout "${layout}".${didYouMean(layout, LAYOUTS)} Valid layouts: ${LAYOUTS.join(", ")}.`,
            );
        }
        if (args.secretName !== undefined) {
            if (layout !== PullSecretLayout.Combined) {
                problems.push(
                    `secretName: only used with layout "combined"; per-domain secrets are named "<namespace>-<domain>". ` +
                        `Set layout: "combined", or remove secretName.`,
                );
            } else {
                const p = checkObjectName("secretName", "Secret", args.secretName);
                if (p !== undefined) problems.push(p);
            }
        }
        // Checked now when it is a plain value; an Output is checked once it resolves, below.
        if (!pulumi.Output.isInstance(args.apiKey) && !(args.apiKey instanceof Promise)) {
            const p = apiKeyProblem(args.apiKey);
            if (p !== undefined) problems.push(p);
        }
        const accounts = checkServiceAccounts(args.serviceAccounts);
        problems.push(...accounts.problems);
        problems.push(
            ...iksOwnedNameProblems(args.argumentPath ?? "", {
                namespace: args.namespace,
                layout,
                secretName: args.secretName,
                createNamespace: args.createNamespace,
            }),
        );
        if (problems.length > 0) throw new pulumi.ResourceError(joinProblems(problems), this, true);
        warnAboutKubernetesProvider(this, name, "NamespacePullSecrets", args, accounts.names.length > 0);

        // Never take over what this stack did not create (./iksOwnedNames.ts): the namespace
        // when createNamespace is set, and secrets under IKS's names in `default`. Those are
        // marked as this stack's, and created only once the live cluster shows they are free.
        const plans = planPullSecrets(args.namespace, domains, layout, args.secretName);
        const at = (key: string) => (args.argumentPath === undefined ? key : `${args.argumentPath}.${key}`);
        const guarded: GuardedObject[] = [];
        if (args.createNamespace) {
            guarded.push({
                kind: "Namespace",
                name: args.namespace,
                field: at("createNamespace"),
                consequence:
                    "As its owner, this stack would delete it on destroy. If the namespace was made outside this " +
                    "stack, remove createNamespace: the stack then writes its secrets into the namespace and never " +
                    "deletes the namespace.",
            });
        }
        const ownedByIks = (secretName: string) => isIksPullSecretName(args.namespace, secretName);
        for (const plan of plans.filter((p) => ownedByIks(p.secretName))) {
            guarded.push({
                kind: "Secret",
                namespace: args.namespace,
                name: plan.secretName,
                field: at("layout"),
                consequence:
                    `IKS writes its own pull secrets under this name in "${args.namespace}"; this stack would take it over, ` +
                    `replace its credentials and delete it on destroy. Use layout: "combined" with a secretName of your own ` +
                    `(e.g. "icr-pull"), or delete IKS's per-domain secrets first if nothing uses them.`,
            });
        }
        const ownerId = stackOwnerId();
        const guard =
            guarded.length === 0
                ? undefined
                : new CreationGuard(
                      `${name}-creation-guard`,
                      {
                          objects: guarded,
                          ownerId,
                          legacyMarks: [currentStackMark()],
                          kubeconfig: args.kubeconfig,
                          context: args.context,
                      },
                      { parent: this },
                  );
        const guardedOpts: pulumi.CustomResourceOptions = { parent: this, dependsOn: guard ? [guard] : [] };
        const mark = { [CREATED_BY_ANNOTATION]: ownerId };

        const createdNamespace = args.createNamespace
            ? new k8s.core.v1.Namespace(
                  `${name}-namespace`,
                  { metadata: { name: args.namespace, annotations: mark } },
                  guardedOpts,
              )
            : undefined;
        const namespace = createdNamespace?.metadata.name ?? pulumi.output(args.namespace);

        // Validated here too for keys only known at deploy time (eks cluster.ts:714 pattern).
        const apiKey = pulumi.secret(
            pulumi.output(args.apiKey).apply((key) => {
                const p = apiKeyProblem(key);
                if (p !== undefined) throw new pulumi.ResourceError(p, this, true);
                return key;
            }),
        );
        const email = pulumi.output(args.email ?? IKS_DEFAULT_EMAIL);

        const secrets = plans.map(
            (plan) =>
                new k8s.core.v1.Secret(
                    `${name}-${plan.key}`,
                    {
                        metadata: ownedByIks(plan.secretName)
                            ? { name: plan.secretName, namespace, annotations: mark }
                            : { name: plan.secretName, namespace },
                        type: DOCKER_CONFIG_JSON_TYPE,
                        // Only `data` changes on key rotation (never name, namespace or type,
                        // which force a replace), so with enableSecretMutable it is an update.
                        data: pulumi.secret(
                            pulumi.all([apiKey, email]).apply(([key, mail]) => ({
                                [DOCKER_CONFIG_JSON_KEY]: buildDockerConfigJsonBase64(
                                    plan.hosts,
                                    iamApiKeyCredential(key, mail),
                                ),
                            })),
                        ),
                    },
                    ownedByIks(plan.secretName) ? guardedOpts : { parent: this },
                ),
        );

        this.namespace = namespace;
        this.domains = domains.map((d) => d.domain);
        this.secretNames = pulumi.all(secrets.map((s) => s.metadata.name));
        if (createdNamespace !== undefined) {
            // Deleting the namespace deletes what is in it: never what is not the stack's,
            // unless told to (./namespaceRemovalGuard.ts). Depends on the namespace, so its
            // delete runs first.
            new NamespaceRemovalGuard(
                `${name}-namespace-removal-guard`,
                {
                    namespaces: { [args.namespace]: { field: at("createNamespace") } },
                    ours: this.secretNames.apply((names) => ({
                        [args.namespace]: names.map((n) => `Secret/${n}`),
                    })),
                    deleteContents: args.deleteNamespaceContents,
                    deleteContentsField: at("deleteNamespaceContents"),
                    kubeconfig: args.kubeconfig,
                    context: args.context,
                },
                { parent: this, dependsOn: [createdNamespace] },
            );
        }
        this.imagePullSecrets = this.secretNames.apply((names) => names.map((n) => ({ name: n })));
        const patches = patchServiceAccounts(this, name, namespace, accounts.names, this.secretNames, args);
        this.serviceAccounts = pulumi.all(patches.map((p) => p.serviceAccount));
        // Registered empty, and so at once. The engine writes the whole state when a new
        // component's outputs arrive (pulumi/pulumi pkg/backend/snapshot.go,
        // SnapshotManager.RegisterResourceOutputs: no old state, so never elided). Outputs that
        // wait for this component's children arrive late, when the state is largest. With
        // NamespaceIdentity's, that was two whole-state writes per namespace at the worst moment,
        // about a fifth of `up` at 100 namespaces (docs/performance.md, "Component outputs").
        // The values stay on the class and on the children (the Secrets and the service-account
        // patches).
        this.registerOutputs({});
    }
}

/**
 * The selection with the identity's grant as its defaults: `regions` omitted means the regions
 * the identity grants, `includeGlobal` omitted means whether it grants `icr.io`. Unchanged for
 * a key of no known identity, for an identity of every region, and with `domains`.
 * @internal
 */
export function selectionWithin(
    grant: IdentityGrant | undefined,
    selection: RegistryDomainSelection,
): RegistryDomainSelection {
    if (grant?.locations === undefined || selection.domains !== undefined) return selection;
    const global = grant.locations.includes("global");
    const regions = selection.regions ?? grant.locations.filter((l) => l !== "global");
    if (selection.regions === undefined && regions.length === 0 && selection.includeGlobal === false) {
        throw new RegistryDomainError(
            `includeGlobal: false leaves no registry, because the apiKey is NamespaceIdentity "${grant.identity}"'s, ` +
                `which grants only icr.io (${grant.settings}). Remove includeGlobal here, or give the identity regions.`,
        );
    }
    return { ...selection, regions, includeGlobal: selection.includeGlobal ?? global };
}

/**
 * Problems for the domains that the identity whose key this is cannot pull from, each naming the
 * setting here that asked for it (`regions[1]`, `includeGlobal`, `domains[0]`) and the identity's.
 * @internal
 */
export function ungrantedDomainProblems(
    grant: IdentityGrant | undefined,
    args: RegistryDomainSelection & { readonly argumentPath?: string },
    domains: readonly RegistryDomain[],
): string[] {
    if (grant?.locations === undefined) return [];
    const granted = grant.locations;
    const at = (key: string) => (args.argumentPath === undefined ? key : `${args.argumentPath}.${key}`);
    const problems = new Map<string, string>();
    for (const d of domains.filter((x) => !granted.includes(x.iamRegion))) {
        const global = d.iamRegion === "global";
        const regionIndex = (args.regions ?? []).findIndex(
            (r) => (findRegion(r)?.iamRegion ?? r) === d.iamRegion,
        );
        const [field, fix] =
            args.domains !== undefined
                ? [`domains[${args.domains.indexOf(d.domain)}]`, "remove it from domains"]
                : regionIndex >= 0
                  ? [`regions[${regionIndex}]`, "remove it here (or omit regions to follow the identity)"]
                  : ["includeGlobal", "set includeGlobal: false here (or omit it to follow the identity)"];
        if (problems.has(field)) continue;
        const what = global ? "the global registry icr.io" : `region ${d.iamRegion} (${d.domain})`;
        const grantIt = global
            ? `set includeGlobal: true on the NamespaceIdentity (or add "global" to its regions)`
            : `add "${d.iamRegion}" to the NamespaceIdentity's regions`;
        problems.set(
            field,
            `${at(field)}: asks for a pull secret for ${what}, but the apiKey is NamespaceIdentity ` +
                `"${grant.identity}"'s, whose policies grant only ${granted.join(", ")} (${grant.settings}), so the ` +
                `registry would refuse its pulls there. Either ${grantIt}, or ${fix}.`,
        );
    }
    return [...problems.values()];
}

/**
 * Why `apiKey` cannot be the registry password, or undefined. The key is a secret, so the
 * message describes a bad value (type, length, kinds of character) and never shows it.
 * @internal
 */
export function apiKeyProblem(value: unknown): string | undefined {
    const fix =
        "Pass the IAM API key of a service ID that has the Container Registry Reader role " +
        "(for example NamespaceIdentity's apiKey output).";
    if (typeof value !== "string") {
        return `apiKey: expected the API key as a string; got ${describeSecretValue(value)}. ${fix}`;
    }
    if (value.trim() === "") return `apiKey: the API key is empty. ${fix}`;
    if (/\s/.test(value)) {
        // A trailing newline is the usual slip (`$(cat key.txt)`, a file read whole); the
        // registry would take it as part of the password and refuse every pull.
        return (
            `apiKey: the API key (${describeSecretValue(value)}) contains white space, which IAM API keys never ` +
            `do; the registry would refuse it. Trim it (a trailing newline from reading a file is the usual cause).`
        );
    }
    return undefined;
}
