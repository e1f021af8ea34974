// Copies existing pull secrets from one namespace into others, as IBM's docs copy the `default`
// namespace's `all-icr-io` with `kubectl get secret ... -o yaml | sed ... | kubectl create -f -`
// (https://cloud.ibm.com/docs/containers?topic=containers-registry), but owned by the stack, kept secret, and re-read on every run so a
// rotated source reaches the copies.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { checkNamespaceName, checkObjectName, joinProblems } from "../shared/k8sNames";
import { DOCKER_CONFIG_JSON_TYPE, registryHostsOf } from "../shared/k8s/dockerConfig";
import { BUILT_IN_NAMESPACES } from "./iksOwnedNames";
import { warnAboutKubernetesProvider } from "./providerChecks";
import { CREATED_BY_ANNOTATION } from "../shared/k8s/createdByMark";
import { CreationGuard } from "./creationGuard";
import { currentStackMark } from "../ownership/legacyStackMark";
import { stackOwnerId } from "../ownership/stackOwner";
import { deprecatedDomainProblem } from "../shared/registry/registryDomains";
import { checkServiceAccounts, patchServiceAccounts, ServiceAccountOptions } from "./serviceAccountOptions";

/** Secret types a pod can use as an image pull secret. */
export const PULL_SECRET_TYPES: readonly string[] = [DOCKER_CONFIG_JSON_TYPE, "kubernetes.io/dockercfg"];

/** Arguments for {@link CopiedPullSecrets}. */
export interface CopiedPullSecretsArgs extends ServiceAccountOptions {
    /**
     * Namespace the secrets are copied from.
     * @default "default" - where IKS writes its pull secrets
     */
    readonly sourceNamespace?: string;
    /**
     * Names of the secrets to copy, e.g. `["all-icr-io"]` on current IKS clusters, or
     * `["default-icr-io", "default-us-icr-io", …]` on older ones. Each must exist and be a
     * `kubernetes.io/dockerconfigjson` (or `dockercfg`) secret when `pulumi up` runs.
     */
    readonly secretNames: string[];
    /** Namespaces to copy into. */
    readonly targetNamespaces: string[];
    /**
     * Keep each copy's name as is. When false, a name that starts with
     * `<sourceNamespace>-` gets the target namespace instead, as the runbook's `sed` does
     * (`default-us-icr-io` → `team-a-us-icr-io`); other names (`all-icr-io`) are kept.
     * @default false
     */
    readonly keepNames?: boolean;
    /**
     * Create the target namespaces too. Destroying the component then deletes them and
     * everything in them. Refused, before anything is created, for a namespace that already
     * exists and that this stack did not create.
     * @default false - the namespaces must exist
     */
    readonly createNamespaces?: boolean;
}

/**
 * The copy's name in `target`: the runbook's `sed 's/default/<ns>/'`, limited to a leading
 * `<source>-` so that a name merely containing the word is not rewritten. Public: the
 * package index exports it, so that a program can name the copies before they exist.
 */
export function copiedSecretName(
    secretName: string,
    sourceNamespace: string,
    target: string,
    keepNames: boolean,
): string {
    const prefix = `${sourceNamespace}-`;
    return !keepNames && secretName.startsWith(prefix)
        ? `${target}-${secretName.slice(prefix.length)}`
        : secretName;
}

/**
 * Pull secrets copied from one namespace (by default IKS's `default`) into others, with
 * the same type and data, and added to each namespace's service accounts.
 *
 * - The source is read with `Secret.get` on every `pulumi up` and `preview`, so a rotated
 *   source (IKS re-running `cluster pull-secret apply`, or a new key) reaches the copies
 *   under the same names: in place when the Kubernetes provider has `enableSecretMutable`
 *   (see `NamespacePullSecrets` on key rotation).
 * - The copies are ordinary stack-owned Secrets: destroy deletes them; the source is never
 *   modified or deleted.
 * - Copy data is a Pulumi secret in state.
 * @see https://cloud.ibm.com/docs/containers?topic=containers-registry#copy_imagePullSecret
 */
export class CopiedPullSecrets extends pulumi.ComponentResource {
    /** Copy names per target namespace, resolved once the copies exist. */
    public readonly secretNames: pulumi.Output<Record<string, string[]>>;
    /** Patched service accounts as `namespace/name`, resolved once they list the copies. */
    public readonly serviceAccounts: pulumi.Output<string[]>;

    constructor(name: string, args: CopiedPullSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("icr:k8s:CopiedPullSecrets", name, {}, opts);

        const source = args.sourceNamespace ?? "default";
        const keepNames = args.keepNames ?? false;
        const problems: string[] = [];
        const push = (p: string | undefined) => p !== undefined && problems.push(p);
        push(checkNamespaceName("sourceNamespace", source));
        if (args.secretNames.length === 0)
            problems.push(`secretNames: the list is empty; name at least one secret in "${source}" to copy.`);
        args.secretNames.forEach((n, i) => push(checkObjectName(`secretNames[${i}]`, "Secret", n)));
        if (args.targetNamespaces.length === 0)
            problems.push(`targetNamespaces: the list is empty; name at least one namespace to copy into.`);
        args.targetNamespaces.forEach((ns, i) => {
            const p = checkNamespaceName(`targetNamespaces[${i}]`, ns);
            push(p);
            if (p !== undefined) return;
            if (args.createNamespaces === true && BUILT_IN_NAMESPACES.includes(ns)) {
                problems.push(
                    `targetNamespaces[${i}]: namespace "${ns}" exists in every cluster, and createNamespaces would make this ` +
                        `stack its owner and delete it with everything in it on destroy. Remove createNamespaces, or remove "${ns}".`,
                );
            }
            const names = new Map<string, string>();
            const overwritten = args.secretNames.filter(
                (secret) => ns === source && copiedSecretName(secret, source, ns, keepNames) === secret,
            );
            if (overwritten.length > 0) {
                problems.push(
                    `targetNamespaces[${i}]: "${ns}" is the source namespace, so copying would overwrite ` +
                        `${overwritten.map((n) => `"${n}"`).join(", ")} with itself. Remove "${ns}" from targetNamespaces.`,
                );
                return;
            }
            for (const secret of new Set(args.secretNames)) {
                const copy = copiedSecretName(secret, source, ns, keepNames);
                if (names.has(copy)) {
                    problems.push(
                        `secretNames: "${names.get(copy)}" and "${secret}" would both be copied to "${ns}/${copy}". Copy only one of them.`,
                    );
                } else {
                    push(checkObjectName(`secretNames (copy into "${ns}")`, "Secret", copy));
                }
                names.set(copy, secret);
            }
        });
        const accounts = checkServiceAccounts(args.serviceAccounts);
        problems.push(...accounts.problems);
        if (problems.length > 0) throw new pulumi.ResourceError(joinProblems(problems), this, true);
        warnAboutKubernetesProvider(this, name, "CopiedPullSecrets", args, accounts.names.length > 0);

        const secretNames = [...new Set(args.secretNames)];
        const targets = [...new Set(args.targetNamespaces)];
        // Read at deploy time (and in preview): the live source, never a value baked into the program.
        const sources = secretNames.map((secretName) => {
            const s = k8s.core.v1.Secret.get(`${name}-source-${secretName}`, `${source}/${secretName}`, {
                parent: this,
            });
            const type = s.type.apply((t) => {
                if (!PULL_SECRET_TYPES.includes(t)) {
                    throw new pulumi.ResourceError(
                        `secretNames: "${source}/${secretName}" has type "${t}", so pods cannot use it to pull images. ` +
                            `Copy a secret of type ${PULL_SECRET_TYPES.join(" or ")}.`,
                        this,
                        true,
                    );
                }
                return t;
            });
            const data = s.data.apply((d) => {
                // Token-era copies (registry.*.bluemix.net, username "token") still work for now,
                // but IBM deprecated them in 2019: say so, without touching the data.
                const deprecated = registryHostsOf(d).filter(
                    (h) => deprecatedDomainProblem("", h) !== undefined,
                );
                if (deprecated.length > 0) {
                    pulumi.log.warn(
                        `secretNames: "${source}/${secretName}" holds deprecated registry token credentials for ` +
                            `${deprecated.join(", ")}. IBM Cloud Container Registry moved to icr.io with IAM API keys; ` +
                            `write new secrets with NamespacePullSecrets (or run \`ibmcloud ks cluster pull-secret apply\`) ` +
                            `and copy those instead.`,
                        this,
                    );
                }
                return d;
            });
            return { secretName, type, data: pulumi.secret(data) };
        });

        // Never take over a namespace this stack did not create (./creationGuard.ts).
        const ownerId = stackOwnerId();
        const guard = args.createNamespaces
            ? new CreationGuard(
                  `${name}-creation-guard`,
                  {
                      objects: targets.map((target) => ({
                          kind: "Namespace" as const,
                          name: target,
                          field: `targetNamespaces[${args.targetNamespaces.indexOf(target)}]`,
                          consequence:
                              "As its owner, this stack would delete it on destroy. If the namespace was made " +
                              "outside this stack, remove createNamespaces: the stack then copies its secrets into " +
                              "the namespace and never deletes the namespace.",
                      })),
                      ownerId,
                      legacyMarks: [currentStackMark()],
                      kubeconfig: args.kubeconfig,
                      context: args.context,
                  },
                  { parent: this },
              )
            : undefined;
        const mark = { [CREATED_BY_ANNOTATION]: ownerId };
        const byNamespace: Record<string, pulumi.Output<string[]>> = {};
        const patches = targets.flatMap((target) => {
            const namespace = args.createNamespaces
                ? new k8s.core.v1.Namespace(
                      `${name}-${target}-namespace`,
                      { metadata: { name: target, annotations: mark } },
                      { parent: this, dependsOn: guard ? [guard] : [] },
                  ).metadata.name
                : pulumi.output(target);
            const copies = sources.map(
                (src) =>
                    new k8s.core.v1.Secret(
                        `${name}-${target}-${src.secretName}`,
                        {
                            metadata: {
                                name: copiedSecretName(src.secretName, source, target, keepNames),
                                namespace,
                                annotations: {
                                    "pulumi-icr-access/copied-from": `${source}/${src.secretName}`,
                                },
                            },
                            type: src.type,
                            data: src.data,
                        },
                        { parent: this },
                    ),
            );
            byNamespace[target] = pulumi.all(copies.map((c) => c.metadata.name));
            return patchServiceAccounts(
                this,
                `${name}-${target}`,
                namespace,
                accounts.names,
                byNamespace[target],
                args,
            );
        });

        this.secretNames = pulumi.all(byNamespace);
        this.serviceAccounts = pulumi.all(
            patches.map((p) => pulumi.interpolate`${p.namespace}/${p.serviceAccount}`),
        );
        this.registerOutputs({ secretNames: this.secretNames, serviceAccounts: this.serviceAccounts });
    }
}
