// The AccessPolicy provider (`pulumi-nodejs:dynamic/iam:AccessPolicy`), as the provider host
// runs it. It calls IAM Policy Management v1 (IBM's IAM Policy Management API reference, "Policies"):
//   create  POST   /v1/policies        (409 policy_conflict_error → error naming the policy, or adopt)
//   read    GET    /v1/policies/{id}   (404 or state "deleted" → gone)
//   update  PUT    /v1/policies/{id}   with If-Match: <ETag> (re-read on a stale ETag)
//   delete  DELETE /v1/policies/{id}   (404 → done)
import type * as pulumi from "@pulumi/pulumi";
import { IamClient, IamClientTuning, PolicyWithEtag } from "../../clients/iam";
import { parseIbmTime } from "../../clients/iam/wire";
import { checkCredentialsInput, IamCredentialsInputs } from "../../shared/iam/credentialInputs";
import {
    CONTAINER_REGISTRY,
    Failure,
    GLOBAL,
    Role,
    canonicalRoles,
    checkRegion,
    checkRegistryNamespace,
    checkRoles,
    parsePolicy,
    policyBody,
} from "../../shared/iam/policyModel";
import {
    checkAccountId,
    checkBoolean,
    checkDescription,
    checkIamId,
    checkOptionalString,
} from "../../shared/iam/validation";
import {
    OwnerMark,
    foreignOwnerText,
    markText,
    markedDescription,
    parseMarkText,
    readMark,
    relationTo,
} from "../../shared/ownership/ownerMark";
import { containsUnknown, deepEqual, isUnknown } from "../../shared/unknown";
import { IamProviderConfig, iamProviderConfigFrom } from "./credentials";
import { OwnedInputs, checkOwnedInputs, incarnationOf, markFor, stillOurs } from "./ownedObjects";
import { asIamError, compact, iamClientFor, writeWithFreshTag } from "./providerSupport";

/** What the provider receives. @internal */
export interface AccessPolicyInputs extends OwnedInputs {
    iamId: string;
    roles: Role[];
    region?: string;
    registryNamespace?: string;
    accountId?: string;
    description?: string;
    adoptExisting?: boolean;
    subjectCreatedAt?: string;
    credentials?: IamCredentialsInputs;
}

/** What the provider stores. @internal */
export interface AccessPolicyState extends OwnedInputs {
    iamId: string;
    roles: Role[];
    region?: string;
    registryNamespace?: string;
    accountId: string;
    description: string;
    adoptExisting?: boolean;
    credentials?: IamCredentialsInputs;
    /** Revision (`ETag` header), sent back as `If-Match`. */
    etag?: string;
    href?: string;
    createdAt?: string;
    lastModifiedAt?: string;
    /** Grants found on the live policy that this resource does not model; an update removes them. */
    unmanaged?: string[];
    /** The owner mark the policy carries (`owner.incarnation.call`), when it carries ours. */
    ownerMark?: string;
}

/** `check` failures of AccessPolicy inputs. @internal */
export function checkAccessPolicyInputs(news: AccessPolicyInputs): Failure[] {
    return [
        ...checkIamId("iamId", news.iamId, false),
        ...checkRoles("roles", news.roles, isUnknown),
        ...checkRegion("region", news.region, isUnknown),
        ...checkRegistryNamespace("registryNamespace", news.registryNamespace, isUnknown),
        ...checkAccountId("accountId", news.accountId),
        ...checkDescription("description", news.description),
        ...checkBoolean("adoptExisting", news.adoptExisting),
        ...checkOptionalString("subjectCreatedAt", news.subjectCreatedAt),
        // Also checks `credentials.accountId`, without quoting it: the object is a secret.
        ...checkCredentialsInput(news.credentials),
        ...checkOwnedInputs(news),
    ];
}

/**
 * The diff of an AccessPolicy: everything changes in place (PUT replaces the whole policy),
 * except the account, which replaces it. Role order does not matter. `subjectCreatedAt` only
 * helps a create, so it never counts.
 * @internal
 */
export function diffAccessPolicy(
    olds: AccessPolicyState,
    news: AccessPolicyInputs,
): pulumi.dynamic.DiffResult {
    const differs = (a: unknown, b: unknown) => containsUnknown(b) || !deepEqual(a, b);
    const replaces: string[] = [];
    if (news.accountId !== undefined && differs(olds.accountId, news.accountId)) replaces.push("accountId");
    const rolesOf = (r: unknown) => (Array.isArray(r) ? canonicalRoles(r as string[]) : r);
    const changed =
        differs(olds.iamId, news.iamId) ||
        (containsUnknown(news.roles) ? true : !deepEqual(rolesOf(olds.roles), rolesOf(news.roles))) ||
        differs(olds.region, news.region) ||
        differs(olds.registryNamespace, news.registryNamespace) ||
        differs(olds.description ?? "", news.description ?? "") ||
        (olds.unmanaged ?? []).length > 0 ||
        differs(olds.credentials, news.credentials);
    return { changes: replaces.length > 0 || changed, replaces };
}

function bodyOf(inputs: AccessPolicyInputs, accountId: string, mark: OwnerMark | undefined) {
    return policyBody({
        iamId: inputs.iamId,
        roles: inputs.roles,
        accountId,
        region: inputs.region,
        registryNamespace: inputs.registryNamespace,
        description: mark ? markedDescription(inputs.description ?? "", mark) : inputs.description,
    });
}

function stateOf(inputs: AccessPolicyInputs, got: PolicyWithEtag): AccessPolicyState {
    const p = parsePolicy(got.policy);
    const unmanaged = [
        ...p.otherRoles,
        ...p.otherAttributes,
        ...(p.serviceName !== undefined && p.serviceName !== CONTAINER_REGISTRY
            ? [`serviceName=${p.serviceName}`]
            : []),
    ];
    const { description, mark } = readMark(p.description);
    return compact({
        owner: inputs.owner,
        incarnation: inputs.incarnation,
        iamId: p.iamId ?? inputs.iamId,
        roles: p.roles,
        region: p.region,
        registryNamespace: p.registryNamespace,
        accountId: p.accountId ?? inputs.accountId ?? "",
        description,
        adoptExisting: inputs.adoptExisting,
        credentials: inputs.credentials,
        etag: got.etag,
        href: got.policy.href,
        createdAt: got.policy.created_at,
        lastModifiedAt: got.policy.last_modified_at,
        unmanaged: unmanaged.length > 0 ? unmanaged : undefined,
        ownerMark: mark ? markText(mark) : undefined,
    });
}

function scopeText(inputs: { region?: string; registryNamespace?: string }): string {
    const where =
        inputs.region === undefined
            ? "every region"
            : inputs.region === GLOBAL
              ? "the global registry"
              : `region ${inputs.region}`;
    return `${where}, ${inputs.registryNamespace === undefined ? "every namespace" : `namespace ${inputs.registryNamespace}`}`;
}

function goneError(id: string): Error {
    return new Error(
        `AccessPolicy: policy "${id}" no longer exists in IAM (deleted outside Pulumi, or with its service ID). ` +
            "Run `pulumi refresh` to drop it from the stack, then `pulumi up` to create it again.",
    );
}

function missingEtagError(id: string): Error {
    return new Error(
        `AccessPolicy: IAM returned policy "${id}" without an ETag header, so it cannot be replaced safely: ` +
            "IBM's Policy Management API requires `If-Match: <ETag>` on PUT, and sending `If-Match: *` instead " +
            "would overwrite a change someone else made since. Run `pulumi up` again; if it persists, check " +
            "that nothing between this program and IAM (a proxy) drops the ETag header.",
    );
}

/**
 * Replaces a policy's body, re-reading its ETag when we have none (a create or a conflict
 * that named none) or IAM says the one we sent is stale. Never falls back to `If-Match: *`:
 * that would turn the guarded write into an unconditional one.
 */
async function replaceWithFreshEtag(
    client: IamClient,
    id: string,
    etag: string | undefined,
    body: ReturnType<typeof policyBody>,
): Promise<PolicyWithEtag> {
    return writeWithFreshTag<PolicyWithEtag, PolicyWithEtag>({
        tag: etag,
        reread: async () => {
            const got = await client.getPolicy(id);
            if (!got || got.policy.state === "deleted") return undefined;
            if (got.etag === undefined || got.etag.trim() === "") throw missingEtagError(id);
            return { tag: got.etag, current: got };
        },
        write: (tag) => client.replacePolicy(id, body, tag),
        gone: () => goneError(id),
    });
}

/**
 * The AccessPolicy provider. One instance per process (components/providers.ts); tests may make their own.
 * @internal
 */
export class AccessPolicyProvider implements pulumi.dynamic.ResourceProvider<
    AccessPolicyInputs,
    AccessPolicyState
> {
    private config?: IamProviderConfig;

    constructor(private readonly tuning?: Partial<IamClientTuning>) {}

    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        this.config = iamProviderConfigFrom(req.config);
    }

    private client(credentials: IamCredentialsInputs | undefined): IamClient {
        return iamClientFor(credentials, this.config, this.tuning, "AccessPolicy");
    }

    async check(
        olds: Partial<AccessPolicyInputs>,
        news: AccessPolicyInputs,
    ): Promise<pulumi.dynamic.CheckResult<AccessPolicyInputs>> {
        news = { ...news, incarnation: incarnationOf(olds, news) };
        const failures = checkAccessPolicyInputs(news);
        if (failures.length === 0 && !containsUnknown(news.credentials)) {
            try {
                const client = this.client(news.credentials);
                // The credentials, at preview (one token exchange per process and key).
                await client.getAccessToken();
            } catch (err) {
                failures.push({ property: "credentials", reason: (err as Error).message });
            }
        }
        return { inputs: news, failures };
    }

    async diff(
        _id: string,
        olds: AccessPolicyState,
        news: AccessPolicyInputs,
    ): Promise<pulumi.dynamic.DiffResult> {
        return diffAccessPolicy(olds, news);
    }

    async create(inputs: AccessPolicyInputs): Promise<pulumi.dynamic.CreateResult<AccessPolicyState>> {
        const client = this.client(inputs.credentials);
        const accountId = inputs.accountId ?? (await client.accountId());
        const mark = markFor(inputs, accountId);
        const body = bodyOf(inputs, accountId, mark);
        // What an earlier attempt of this resource made and never recorded (a crash, a lost
        // answer): taken over, and any others of ours deleted. IAM keeps one policy per subject
        // and scope, so without this the create would meet it as a 409.
        const orphans = (await client.listPolicies({ accountId, iamId: inputs.iamId })).filter(
            (p) => p.state !== "deleted" && relationTo(p.description, mark) === "orphan",
        );
        for (const extra of orphans.slice(1)) await client.deletePolicy(extra.id);
        let got: PolicyWithEtag;
        if (orphans.length > 0) {
            got = await replaceWithFreshEtag(client, orphans[0].id, undefined, body);
            return { id: got.policy.id, outs: stateOf({ ...inputs, accountId }, got) };
        }
        try {
            got = await client.createPolicy(body, {
                subjectCreatedAt: parseIbmTime(inputs.subjectCreatedAt),
                made: (p) => relationTo(p.description, mark) === "this-call",
            });
        } catch (err) {
            const conflict = asIamError(err)?.conflict;
            if (!conflict) throw err;
            const existing = await client.getPolicy(conflict.policyId, { createdAt: Date.now() });
            const relation = existing ? relationTo(existing.policy.description, mark) : "foreign";
            // Ours (an earlier attempt's, listed late; or the one a replace of this resource
            // still holds, which its own delete then leaves, see stillOurs): taken over. Another
            // owner's, or one made by hand: only when told to.
            if (relation === "foreign" && !inputs.adoptExisting) {
                throw new Error(
                    `AccessPolicy: IAM already has policy "${conflict.policyId}" for subject ${inputs.iamId} on ` +
                        `Container Registry (${scopeText(inputs)}), ${foreignOwnerText(existing?.policy.description)}; ` +
                        "IAM keeps one policy per subject and scope, and this stack takes over nothing that is " +
                        "not its own unless told to. To manage that policy with this stack (its roles and " +
                        "description become this resource's, and destroy deletes it), set `adoptExisting: true` " +
                        "(`adoptExistingPolicies` on NamespaceIdentity and ClusterRegistryAccess, " +
                        "`icr-access:adoptExistingPolicies` in the per-cluster stack). Nothing was created. " +
                        `(${(err as Error).message})`,
                );
            }
            got = await replaceWithFreshEtag(
                client,
                conflict.policyId,
                existing?.etag ?? conflict.etag,
                body,
            );
        }
        return { id: got.policy.id, outs: stateOf({ ...inputs, accountId }, got) };
    }

    async read(id: string, props?: AccessPolicyState): Promise<pulumi.dynamic.ReadResult<AccessPolicyState>> {
        const client = this.client(props?.credentials);
        const got = await client.getPolicy(id, { createdAt: parseIbmTime(props?.createdAt) });
        if (!got || got.policy.state === "deleted") return { id: "" };
        const state = stateOf(
            {
                iamId: props?.iamId ?? "",
                roles: props?.roles ?? [],
                adoptExisting: props?.adoptExisting,
                credentials: props?.credentials,
                accountId: props?.accountId,
                owner: props?.owner,
                incarnation: props?.incarnation,
            },
            got,
        );
        const inputs: AccessPolicyInputs = compact({
            iamId: state.iamId,
            roles: state.roles,
            region: state.region,
            registryNamespace: state.registryNamespace,
            accountId: state.accountId,
            description: state.description,
            adoptExisting: props?.adoptExisting,
            credentials: props?.credentials,
            owner: props?.owner,
            incarnation: props?.incarnation,
        });
        return { id, props: state, inputs: inputs as unknown as AccessPolicyState };
    }

    async update(
        id: string,
        olds: AccessPolicyState,
        news: AccessPolicyInputs,
    ): Promise<pulumi.dynamic.UpdateResult<AccessPolicyState>> {
        const client = this.client(news.credentials);
        const accountId = news.accountId ?? olds.accountId;
        // The mark stays the one recorded at create; a policy from before marks gets one now.
        const recorded = parseMarkText(olds.ownerMark);
        const body = bodyOf(news, accountId, recorded ?? markFor(news, accountId));
        if (
            deepEqual(bodyOf(news, accountId, recorded), bodyOf(olds, accountId, recorded)) &&
            (olds.unmanaged ?? []).length === 0
        ) {
            // Only credentials, adoptExisting or the owner inputs changed: nothing to tell IAM.
            return {
                outs: compact({
                    ...olds,
                    credentials: news.credentials,
                    adoptExisting: news.adoptExisting,
                    owner: news.owner,
                    incarnation: news.incarnation,
                }),
            };
        }
        let got: PolicyWithEtag;
        try {
            got = await replaceWithFreshEtag(client, id, olds.etag, body);
        } catch (err) {
            const e = asIamError(err);
            if (e?.status === 404) throw goneError(id);
            if (e?.conflict) {
                throw new Error(
                    `AccessPolicy: changing policy "${id}" would duplicate policy "${e.conflict.policyId}" ` +
                        `(same subject ${news.iamId} and scope: ${scopeText(news)}). Delete one of them, or change ` +
                        `the scope. (${e.message})`,
                );
            }
            throw err;
        }
        return { outs: stateOf({ ...news, accountId }, got) };
    }

    async delete(id: string, props: AccessPolicyState): Promise<void> {
        const client = this.client(props.credentials);
        if (props.ownerMark !== undefined) {
            const live = await client.getPolicy(id, { createdAt: parseIbmTime(props.createdAt) });
            if (!live || live.policy.state === "deleted") return;
            if (!stillOurs(live.policy.description, props.ownerMark)) return;
        }
        await client.deletePolicy(id, { createdAt: parseIbmTime(props.createdAt) });
    }
}
