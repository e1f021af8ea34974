// Every problem with ClusterRegistryAccess's plain arguments, found before any child is
// declared, each under the path the user wrote (`namespaces.shop.regions[1]`).
import type { ClusterRegistryAccessArgs, RegistryAccess } from "./clusterRegistryAccessArgs";
import { keyLifetimeProblems } from "./iam/apiKey";
import { plainCredentialsProblems } from "./iam/plainCredentialsProblems";
import { checkRegistryNamespace, ROLES } from "./shared/iam/policyModel";
import { iksOwnedNameProblems } from "./k8s/iksOwnedNames";
import { checkRegionList } from "./shared/registry/registryDomains";
import { checkNamespaceName } from "./shared/k8sNames";
import { didYouMean } from "./shared/suggest";
import { namespaceImagePolicyProblems } from "./portieris/namespaceImagePolicy";
import { migrationSettingProblems } from "./migration/migrationSettings";
import { namespaceSelectorProblems } from "./coverage/namespaceSelector";
import { accountLimitSettingProblems } from "./shared/iam/accountLimits";

/**
 * Problems with one access scope, a namespace's own or a shared identity's, each under the path
 * the user wrote (`sharedIdentities.frontends.regions[1]`): the same checks for both.
 */
function registryAccessProblems(field: string, access: RegistryAccess): string[] {
    const problems: string[] = [];
    if (access.role !== undefined && !(ROLES as readonly string[]).includes(access.role)) {
        problems.push(
            `${field}.role: unknown role ${JSON.stringify(access.role)}. Container Registry service roles are ` +
                `${ROLES.join(", ")}.${typeof access.role === "string" ? didYouMean(access.role, ROLES) : ""}`,
        );
    }
    const includeGlobal = typeof access.includeGlobal === "boolean" ? access.includeGlobal : undefined;
    if (access.includeGlobal !== undefined && includeGlobal === undefined) {
        problems.push(
            `${field}.includeGlobal: must be true or false; got ${JSON.stringify(access.includeGlobal)}.`,
        );
    }
    problems.push(...checkRegionList(`${field}.regions`, access.regions, includeGlobal));
    for (const f of checkRegistryNamespace(
        `${field}.registryNamespace`,
        access.registryNamespace,
        () => false,
    )) {
        problems.push(`${f.property}: ${f.reason}`);
    }
    problems.push(...keyLifetimeProblems(`${field}.`, access));
    return problems;
}

/** The longest `accessGroups.namePrefix`: it leaves room in IAM's 100 characters for the scope. */
const GROUP_PREFIX_MAX = 40;

/** Problems with `accessGroups`: `true`, `false`, or `{ namePrefix }`. @internal */
export function accessGroupsProblems(field: string, value: unknown): string[] {
    if (value === undefined || typeof value === "boolean") return [];
    const fix = `Use true (groups named "icr-<role>-<regions>-<registry namespace>"), false, or { namePrefix: "<prefix>" }.`;
    if (value === null || typeof value !== "object" || Array.isArray(value))
        return [`${field}: must be true, false or an object; got ${JSON.stringify(value)}. ${fix}`];
    const problems: string[] = [];
    for (const key of Object.keys(value)) {
        if (key !== "namePrefix")
            problems.push(`${field}.${key}: unknown option.${didYouMean(key, ["namePrefix"])} ${fix}`);
    }
    const prefix = (value as { namePrefix?: unknown }).namePrefix;
    if (
        prefix !== undefined &&
        (typeof prefix !== "string" ||
            !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(prefix) ||
            prefix.length > GROUP_PREFIX_MAX)
    ) {
        problems.push(
            `${field}.namePrefix: ${JSON.stringify(prefix)} is not a usable group name prefix; use 1 to ` +
                `${GROUP_PREFIX_MAX} letters, digits, "-" and "_", starting with a letter or digit (e.g. "icr-prod"), ` +
                `or leave it out for "icr".`,
        );
    }
    return problems;
}

/** Every problem with the plain arguments, before any child exists. @internal */
export function clusterRegistryAccessProblems(args: ClusterRegistryAccessArgs): string[] {
    const problems: string[] = [];
    if (typeof args.cluster !== "string" || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(args.cluster)) {
        problems.push(
            `cluster: ${JSON.stringify(args.cluster)} is not a usable cluster name; use lowercase letters, digits ` +
                `and "-" (it becomes part of the IAM names "<cluster>-<namespace>-id").`,
        );
    }
    const namespaces = Object.entries(args.namespaces ?? {});
    if (args.namespaceSelector !== undefined) {
        problems.push(...namespaceSelectorProblems("namespaceSelector", args.namespaceSelector));
        const access = args.namespaceSelector?.access;
        if (access !== undefined && access.identity === undefined) {
            problems.push(...registryAccessProblems("namespaceSelector.access", access));
        } else if (
            access?.identity !== undefined &&
            !Object.keys(args.sharedIdentities ?? {}).includes(access.identity)
        ) {
            problems.push(
                `namespaceSelector.access.identity: no shared identity "${access.identity}"; define it under sharedIdentities.`,
            );
        }
    }
    problems.push(...migrationSettingProblems("migrateTokenSecrets", args.migrateTokenSecrets));
    problems.push(...accessGroupsProblems("accessGroups", args.accessGroups));
    problems.push(...keyLifetimeProblems("", args));
    problems.push(...accountLimitSettingProblems("iamLimits", args.iamLimits));
    if (namespaces.length === 0 && args.namespaceSelector === undefined) {
        problems.push(
            `namespaces: give at least one Kubernetes namespace, e.g. { default: {} }, or a namespaceSelector.`,
        );
    }
    const shared = Object.keys(args.sharedIdentities ?? {});
    for (const [name, access] of Object.entries(args.sharedIdentities ?? {})) {
        const field = `sharedIdentities.${name}`;
        const p = checkNamespaceName(field, name);
        if (p) problems.push(p);
        if (args.namespaces?.[name] !== undefined && args.namespaces[name].identity === undefined) {
            problems.push(
                `${field}: namespace "${name}" has its own identity with the same IAM names ` +
                    `("${args.cluster}-${name}-id"); rename the shared identity.`,
            );
        }
        problems.push(...registryAccessProblems(field, access ?? {}));
    }
    for (const [namespace, access] of namespaces) {
        const field = `namespaces.${namespace}`;
        const p = checkNamespaceName(field, namespace);
        if (p) problems.push(p);
        if (access.identity !== undefined) {
            if (!shared.includes(access.identity)) {
                problems.push(
                    `${field}.identity: no shared identity "${access.identity}". ` +
                        (shared.length > 0
                            ? `Defined: ${shared.join(", ")}.${didYouMean(access.identity, shared)}`
                            : `Define it under sharedIdentities, or remove "identity".`),
                );
            }
            for (const key of ["role", "regions", "registryNamespace", "includeGlobal"] as const) {
                if (access[key] !== undefined) {
                    problems.push(
                        `${field}.${key}: set on the shared identity "${access.identity}", not on a namespace that uses it.`,
                    );
                }
            }
        } else {
            problems.push(...registryAccessProblems(field, access));
        }
        // IKS's own pull secrets and built-in namespaces are never this stack's (k8s/iksOwnedNames.ts).
        problems.push(
            ...iksOwnedNameProblems(field, {
                namespace,
                layout: access.layout ?? args.layout,
                secretName: access.secretName,
                createNamespace: access.createNamespace,
            }),
        );
    }
    // Checked here too (the IAM resources check it again) so that the message names the argument
    // the user wrote; the reasons never show a value, since the argument is a secret.
    problems.push(...plainCredentialsProblems("registryCredentials", args.registryCredentials));
    problems.push(...namespaceImagePolicyProblems(args.namespaces ?? {}, args.sharedIdentities));
    return problems;
}
