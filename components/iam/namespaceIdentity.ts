// NamespaceIdentity: the IAM side of "let this Kubernetes namespace pull from IBM Cloud
// Container Registry", as IBM's manual procedure does it by hand (IBM Cloud Kubernetes Service
// docs, "Using an image pull secret to access images in other IBM Cloud accounts",
// https://cloud.ibm.com/docs/containers?topic=containers-registry): a service ID named
// `<cluster>-<namespace>-id`, a Container Registry policy for it (Reader unless told otherwise,
// one per region asked for), and an API key named `<cluster>-<namespace>-key`.
import * as pulumi from "@pulumi/pulumi";
import { recordIdentityGrant } from "../internal/identityGrants";
import { checkNamespaceName, joinProblems } from "../shared/k8sNames";
import { didYouMean } from "../shared/suggest";
import { AccessPolicy } from "./accessPolicy";
import { ApiKey, LeakAction } from "./apiKey";
import { IamCredentialsArgs } from "./credentials";
import { plainCredentialsProblems } from "./plainCredentialsProblems";
import { checkRegionList, policyLocations } from "../shared/registry/registryDomains";
import { GLOBAL, LOCATIONS, ROLES, RegistryLocation, Role } from "../shared/iam/policyModel";
import { ServiceId, iamIdOfServiceId } from "./serviceId";
import { plaintextSecretSettingProblems } from "../stackSettings";

/** Arguments of {@link NamespaceIdentity}. */
export interface NamespaceIdentityArgs {
    /** Cluster name, as in `<cluster>-<namespace>-id`. Plain string: it is part of names. */
    readonly cluster: string;
    /** Kubernetes namespace the identity is for. Plain string: it is part of names. */
    readonly namespace: string;
    /**
     * Container Registry service role: `Reader` pulls, `Writer` also pushes, `Manager` also
     * manages namespaces.
     * @default "Reader"
     */
    readonly role?: Role;
    /**
     * Scope the access to these IAM regions (`us-south`; the domain prefixes `us`, `uk`, ... and
     * former names such as `ap-south` too), plus the global registry `icr.io` unless
     * `includeGlobal` is false: the same rule as NamespacePullSecrets' `regions` and
     * ClusterRegistryAccess. One policy is made per region, because an IAM policy holds one
     * (child `<name>-policy-<IAM region>`, and `<name>-policy-global` for `icr.io`). Name each
     * region once. An empty list is an error, because it would silently mean "the global
     * `icr.io` only": omit `regions` for every region, list regions, or write `[]` with
     * `includeGlobal: true` (or `["global"]`) for `icr.io` only.
     * @default - one policy for every region and the global registry (child `<name>-policy`)
     */
    readonly regions?: string[];
    /**
     * Also grant the global registry `icr.io` (IBM-provided images) when `regions` is given, as
     * NamespacePullSecrets writes a secret for it by default. Set to `true` explicitly, it also
     * makes `regions: []` mean "icr.io only". Without `regions`, the one policy covers `icr.io`
     * whatever this says.
     * @default true - as ClusterRegistryAccess and IKS do
     */
    readonly includeGlobal?: boolean;
    /**
     * Scope the access to one Container Registry namespace.
     * @default - every registry namespace of the account
     */
    readonly registryNamespace?: pulumi.Input<string>;
    /**
     * Account of the service ID, the policies and the key (the registry's account).
     * @default - the account of the API key
     */
    readonly accountId?: pulumi.Input<string>;
    /**
     * Credentials for these IAM objects only, e.g. for another account's registry. Stored as a secret.
     * @default - config `ibmcloud:apiKey` / `ibmcloud:iamEndpoint` / `ibmcloud:accountId`, then
     * `IBMCLOUD_API_KEY` / `IBMCLOUD_IAM_ENDPOINT` / `IBMCLOUD_ACCOUNT_ID`
     */
    readonly credentials?: pulumi.Input<IamCredentialsArgs>;
    /**
     * Key rotation trigger, e.g. `"2026-11"`: a new value creates a new key, then deletes the old one.
     * @default - never rotated
     */
    readonly rotation?: pulumi.Input<string>;
    /**
     * Lifetime of the API key, e.g. `"90d"`, `"12h"`, `"2w"`: it is created with IAM's
     * `expires_at` that far ahead and renewed before then (see {@link ApiKeyArgs.keyLifetime}).
     * @default - the key never expires
     */
    readonly keyLifetime?: pulumi.Input<string>;
    /**
     * How long before its expiry the key is renewed (create before delete).
     * @default - one third of `keyLifetime`
     */
    readonly renewBefore?: pulumi.Input<string>;
    /**
     * What IAM does with the key when it finds it leaked: `"none"`, `"disable"` or `"delete"`.
     * @default "disable"
     */
    readonly actionWhenLeaked?: pulumi.Input<LeakAction>;
    /**
     * Let IAM keep the key value (retrievable later). Changing it replaces the key.
     * @default false
     */
    readonly storeValue?: pulumi.Input<boolean>;
    /**
     * Lock the API key against changes and deletion outside Pulumi. The service ID is not
     * locked: IAM refuses to create, change or delete policies of a locked service ID.
     * @default - the lock is not managed
     */
    readonly locked?: pulumi.Input<boolean>;
    /**
     * Manage an existing service ID (e.g. one made by hand from the runbook) instead of creating
     * one: `ServiceId-<uuid>`. Its name and description are set to this component's.
     * @default - a new service ID
     */
    readonly adoptServiceId?: pulumi.Input<string>;
    /**
     * Take over an existing policy with the same subject and scope instead of failing.
     * @default false
     */
    readonly adoptExistingPolicies?: pulumi.Input<boolean>;
    /**
     * Give the service ID Container Registry policies of its own. `false` when its access comes
     * from elsewhere, e.g. from a shared access group it is made a member of
     * (`AccessGroupMembership`, ClusterRegistryAccess's `accessGroups`): then no policy is
     * made, `policyIds` is empty, and `grantedLocations` still says what the grant elsewhere must cover.
     * @default true
     */
    readonly accessPolicies?: boolean;
}

/** Problems with the plain arguments of a {@link NamespaceIdentity}, all at once. @internal */
export function namespaceIdentityProblems(args: NamespaceIdentityArgs): string[] {
    const problems: string[] = [];
    if (typeof args.cluster !== "string" || args.cluster.trim() === "" || /\s/.test(args.cluster)) {
        problems.push(
            `cluster: a cluster name without white space is required; got ${JSON.stringify(args.cluster)}.`,
        );
    }
    const ns = checkNamespaceName("namespace", args.namespace);
    if (ns) problems.push(ns);
    if (args.role !== undefined && !(ROLES as readonly string[]).includes(args.role)) {
        problems.push(
            `role: unknown role ${JSON.stringify(args.role)}. Container Registry service roles are ` +
                `${ROLES.join(", ")}.${typeof args.role === "string" ? didYouMean(args.role, ROLES) : ""}`,
        );
    }
    const includeGlobal = typeof args.includeGlobal === "boolean" ? args.includeGlobal : undefined;
    if (args.includeGlobal !== undefined && includeGlobal === undefined) {
        problems.push(`includeGlobal: must be true or false; got ${JSON.stringify(args.includeGlobal)}.`);
    }
    if (args.accessPolicies !== undefined && typeof args.accessPolicies !== "boolean") {
        problems.push(`accessPolicies: must be true or false; got ${JSON.stringify(args.accessPolicies)}.`);
    }
    // The regions as NamespacePullSecrets and ClusterRegistryAccess read them.
    problems.push(...checkRegionList("regions", args.regions, includeGlobal));
    problems.push(...plainCredentialsProblems("credentials", args.credentials));
    return problems;
}

/** IAM names and descriptions of a cluster namespace's identity, as the runbook spells them. @internal */
export function namespaceIdentityNames(cluster: string, namespace: string) {
    const serviceIdName = `${cluster}-${namespace}-id`;
    return {
        serviceIdName,
        serviceIdDescription: `Service ID for IBM Cloud Container Registry in Kubernetes cluster ${cluster} namespace ${namespace}`,
        apiKeyName: `${cluster}-${namespace}-key`,
        apiKeyDescription: `API key for service ID ${serviceIdName} in Kubernetes cluster ${cluster} namespace ${namespace}`,
        policyDescription: (role: Role, region: string | undefined) =>
            `${role} access to IBM Cloud Container Registry` +
            (region === undefined ? "" : region === GLOBAL ? " (global)" : ` in ${region}`) +
            ` for Kubernetes cluster ${cluster} namespace ${namespace}`,
    };
}

/**
 * The IAM identity one Kubernetes namespace of one cluster pulls images with: service ID,
 * Container Registry access policy (one per region) and API key.
 */
export class NamespaceIdentity extends pulumi.ComponentResource {
    /** The service ID's id, `ServiceId-<uuid>`. */
    public readonly serviceIdId: pulumi.Output<string>;
    /** The service ID's IAM id, `iam-ServiceId-<uuid>`. */
    public readonly iamId: pulumi.Output<string>;
    /** Policy ids, in `grantedLocations` order (one id when `regions` is omitted; none with `accessPolicies: false`). */
    public readonly policyIds: pulumi.Output<string[]>;
    /**
     * Where the identity can pull from: the IAM locations of its policies, in policy order
     * (`["eu-de", "global"]`; `global` is `icr.io`), or every region and `global` when `regions`
     * is omitted. NamespacePullSecrets given this identity's `apiKey` writes pull secrets for
     * these registries only: by default for all of them, and it refuses at preview a
     * `regions`, `includeGlobal` or `domains` that names another.
     */
    public readonly grantedLocations: readonly RegistryLocation[];
    /** The API key's id, `ApiKey-<uuid>`. */
    public readonly apiKeyId: pulumi.Output<string>;
    /** The API key value: the registry password for user name `iamapikey`. Secret. */
    public readonly apiKey: pulumi.Output<string>;
    /** When IAM stops accepting the API key (`yyyy-MM-ddTHH:mm+0000`); undefined without `keyLifetime`. */
    public readonly apiKeyExpiresAt: pulumi.Output<string | undefined>;

    constructor(name: string, args: NamespaceIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        // `{}`, not `args`: the component's inputs go to state, and `credentials` must not.
        super("icr:iam:NamespaceIdentity", name, {}, opts);

        // With plain-text credentials in the stack's config, before its first dynamic resource (../stackSettings.ts).
        const problems = [...namespaceIdentityProblems(args), ...plaintextSecretSettingProblems()];
        if (problems.length > 0)
            throw new pulumi.ResourceError(
                `NamespaceIdentity ${name}: ${joinProblems(problems)}`,
                this,
                true,
            );

        const names = namespaceIdentityNames(args.cluster, args.namespace);
        const role = args.role ?? "Reader";
        const credentials = args.credentials === undefined ? undefined : pulumi.secret(args.credentials);

        // 1. The service ID.
        const serviceId = new ServiceId(
            `${name}-id`,
            {
                name: names.serviceIdName,
                description: names.serviceIdDescription,
                accountId: args.accountId,
                adoptId: args.adoptServiceId,
                credentials,
            },
            { parent: this },
        );
        // The subject from the id, which stays known while a preview updates the service ID.
        // Its creation time goes to the policies and the key too, so IAM's brief 404 for a new
        // service ID is waited out even when an earlier `up` created it; their diffs ignore it,
        // so it being unknown in a preview changes nothing.
        const subject = serviceId.id.apply(iamIdOfServiceId);

        // 2. Its Container Registry access, one policy per region (step 3), and icr.io unless
        // includeGlobal is false: the rule pull secrets follow (../shared/registry/registryDomains.ts).
        const scoped = policyLocations(args) as RegistryLocation[] | undefined;
        const locations: (RegistryLocation | undefined)[] =
            args.accessPolicies === false ? [] : (scoped ?? [undefined]);
        const policies = locations.map(
            (region) =>
                new AccessPolicy(
                    region === undefined ? `${name}-policy` : `${name}-policy-${region}`,
                    {
                        iamId: subject,
                        roles: [role],
                        region,
                        registryNamespace: args.registryNamespace,
                        accountId: args.accountId,
                        description: names.policyDescription(role, region),
                        adoptExisting: args.adoptExistingPolicies,
                        subjectCreatedAt: serviceId.createdAt,
                        credentials,
                    },
                    { parent: this },
                ),
        );

        // 3. Its API key (steps 4-5).
        const key = new ApiKey(
            `${name}-key`,
            {
                name: names.apiKeyName,
                iamId: subject,
                description: names.apiKeyDescription,
                accountId: args.accountId,
                storeValue: args.storeValue,
                locked: args.locked,
                rotation: args.rotation,
                keyLifetime: args.keyLifetime,
                renewBefore: args.renewBefore,
                actionWhenLeaked: args.actionWhenLeaked,
                subjectCreatedAt: serviceId.createdAt,
                credentials,
            },
            // The key comes after its access, so consumers (pull secrets) do too. An ordering
            // edge, not a data one: a data edge would make the key unknown in every preview
            // that touches a policy, and show every pull secret as changing.
            { parent: this, dependsOn: policies },
        );

        this.serviceIdId = serviceId.id;
        this.iamId = serviceId.iamId;
        this.policyIds = pulumi.all(policies.map((p) => p.id));
        this.apiKeyId = key.id;
        this.apiKey = pulumi.secret(key.apikey);
        this.apiKeyExpiresAt = key.expiresAt;
        this.grantedLocations = Object.freeze([...(scoped ?? (LOCATIONS as RegistryLocation[]))]);
        recordIdentityGrant(this.apiKey, {
            identity: name,
            locations: scoped,
            settings:
                args.regions === undefined
                    ? "regions omitted: every region"
                    : `regions: ${JSON.stringify(args.regions)}` +
                      (args.includeGlobal === undefined ? "" : `, includeGlobal: ${args.includeGlobal}`),
        });
        // Nothing to wait for, so the engine's write for it comes now, while the state is
        // small: see the note in ../k8s/namespacePullSecrets.ts. The values stay on the class
        // and on the children (ServiceId, AccessPolicy, ApiKey).
        this.registerOutputs({});
    }
}
