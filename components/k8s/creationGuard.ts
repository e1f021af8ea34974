// CreationGuard: before a component creates a Namespace (createNamespace) or a Secret under a
// name IKS uses, make sure the object does not exist already, unless this stack made it:
// pulumi-kubernetes' server-side-apply create is an upsert, so an existing object would
// silently become the stack's, and `destroy` would delete it (see ./iksOwnedNames.ts).
//
// A dynamic resource (type `pulumi-nodejs:dynamic/k8s:CreationGuard`) rather than a check in the
// program, for two reasons:
// - Whose an object is, is recorded on the object when it is made, not recomputed from names:
//   every guarded object must be absent, or carry this stack's owner id
//   (../ownership/stackOwner.ts) in CREATED_BY_ANNOTATION. The owner id lives in state, so
//   `pulumi stack rename`, export/import and a move to another backend leave it as it is. The
//   check reads every guarded object on every run, not only new ones: a guard recorded before
//   its objects were made (a failed or interrupted `up`) must not vouch for an object someone
//   else made in between.
// - A `check` failure stops `pulumi preview` and `up` in seconds, before any create; an error
//   raised in an Output the engine waits on takes about a minute to surface.
//
// Its provider reads (GET) the objects it guards and writes nothing.
import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../internal/providerShim";
import { isUnknown } from "../internal/unknown";
import { GuardCluster, kubeconfigInputFailures } from "../host/k8s/guardCluster";
import { KubeClient } from "../clients/kube/client";
import { KubeconfigError } from "../clients/kube/config";

/** Annotation on the Namespaces and Secrets the library creates: the stack's owner id. @internal */
export const CREATED_BY_ANNOTATION = "pulumi-icr-access/created-by";

/** One object a component is about to create. @internal */
export interface GuardedObject {
    readonly kind: "Namespace" | "Secret";
    /** The Secret's namespace. */
    readonly namespace?: string;
    readonly name: string;
    /** The argument that asks for it, as the user wrote it (e.g. `namespaces.shop.createNamespace`). */
    readonly field: string;
    /** What taking it over would do, and the fix. */
    readonly consequence: string;
}

/** The parts of a live object the decision reads. @internal */
export interface LiveObjectMeta {
    readonly annotations?: Record<string, string>;
}

/** What the provider receives. @internal */
export interface CreationGuardInputs {
    objects: GuardedObject[];
    /** The stack's owner id. */
    ownerId: string;
    /** Marks written by releases before the owner id (a hash of organization, project and stack). */
    legacyMarks?: string[];
    kubeconfig?: string;
    context?: string;
}

function keyOf(o: { kind: string; namespace?: string; name: string }): string {
    return `${o.kind}/${o.namespace ?? ""}/${o.name}`;
}

/**
 * Why creating `object` would take over someone else's, or undefined when it does not exist
 * (`live` undefined) or carries one of `marks`. Pure.
 * @internal
 */
export function takeoverProblem(
    object: GuardedObject,
    live: LiveObjectMeta | undefined,
    marks: readonly string[],
): string | undefined {
    if (live === undefined) return undefined;
    const recorded = live.annotations?.[CREATED_BY_ANNOTATION];
    if (recorded !== undefined && marks.includes(recorded)) return undefined;
    const what =
        object.kind === "Namespace"
            ? `namespace "${object.name}"`
            : `Secret "${object.namespace}/${object.name}"`;
    const whose =
        recorded === undefined
            ? "this stack did not create it (it carries no pulumi-icr-access/created-by mark)"
            : `another stack created it (pulumi-icr-access/created-by: ${recorded})`;
    return `${object.field}: ${what} already exists and ${whose}. Nothing was created or changed. ${object.consequence}`;
}

/** The CreationGuard provider. @internal */
export class CreationGuardProvider implements pulumi.dynamic.ResourceProvider<
    CreationGuardInputs,
    CreationGuardInputs
> {
    private readonly cluster = new GuardCluster();

    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        this.cluster.configure(req);
    }

    async check(
        _olds: Partial<CreationGuardInputs>,
        news: CreationGuardInputs,
    ): Promise<pulumi.dynamic.CheckResult<CreationGuardInputs>> {
        const fresh = Array.isArray(news.objects) ? news.objects : [];
        if (fresh.length === 0) return { inputs: news };
        const badKubeconfig = kubeconfigInputFailures(news.kubeconfig);
        if (badKubeconfig.length > 0) return { inputs: news, failures: badKubeconfig };
        // Before the stack's first run its owner id is not known yet; nothing can carry it then.
        const marks = [news.ownerId, ...(news.legacyMarks ?? [])].filter(
            (m): m is string => typeof m === "string" && m !== "" && !isUnknown(m),
        );
        let client: KubeClient;
        try {
            client = await this.cluster.connect(news);
        } catch (err) {
            return { inputs: news, failures: [cannotCheck(fresh, err)] };
        }
        const problems: string[] = [];
        for (const object of fresh) {
            const path =
                object.kind === "Namespace"
                    ? `/api/v1/namespaces/${encodeURIComponent(object.name)}`
                    : `/api/v1/namespaces/${encodeURIComponent(object.namespace ?? "")}/secrets/${encodeURIComponent(object.name)}`;
            let live: LiveObjectMeta | undefined;
            try {
                const res = await client.get<{ metadata?: LiveObjectMeta }>(path);
                live = res.status === 404 ? undefined : (res.data.metadata ?? {});
            } catch (err) {
                return { inputs: news, failures: [cannotCheck(fresh, err)] };
            }
            const p = takeoverProblem(object, live, marks);
            if (p !== undefined) problems.push(p);
        }
        return {
            inputs: news,
            failures: problems.map((reason) => ({ property: "objects", reason })),
        };
    }

    async diff(
        _id: string,
        olds: CreationGuardInputs,
        news: CreationGuardInputs,
    ): Promise<pulumi.dynamic.DiffResult> {
        const before = (olds.objects ?? []).map(keyOf).sort().join("\n");
        const after = (news.objects ?? []).map(keyOf).sort().join("\n");
        return { changes: before !== after };
    }

    async create(inputs: CreationGuardInputs): Promise<pulumi.dynamic.CreateResult<CreationGuardInputs>> {
        return { id: (inputs.objects ?? []).map(keyOf).join(",") || "none", outs: inputs };
    }

    async read(
        id: string,
        props?: CreationGuardInputs,
    ): Promise<pulumi.dynamic.ReadResult<CreationGuardInputs>> {
        return { id, props };
    }

    async update(
        _id: string,
        _olds: CreationGuardInputs,
        news: CreationGuardInputs,
    ): Promise<pulumi.dynamic.UpdateResult<CreationGuardInputs>> {
        return { outs: news };
    }

    async delete(): Promise<void> {
        // Records only: the guarded objects are deleted (or not) by their own resources.
    }
}

function cannotCheck(objects: readonly GuardedObject[], err: unknown): pulumi.dynamic.CheckFailure {
    // The message of a kubeconfig or API error never holds credentials (kubeClient.ts).
    const which = objects
        .map((o) => (o.kind === "Namespace" ? `namespace "${o.name}"` : `Secret "${o.namespace}/${o.name}"`))
        .join(", ");
    const prefix =
        err instanceof KubeconfigError ? "the kubeconfig cannot be used" : "the cluster cannot be read";
    return {
        property: "objects",
        reason:
            `${objects[0]?.field ?? "objects"}: could not make sure that ${which} did not exist before this stack ` +
            `(${prefix}: ${(err as Error).message}). Nothing was created. Fix the kubeconfig or the cluster's ` +
            "reachability and run again.",
    };
}

const creationGuardProvider = providerShim("CreationGuard");

/** The guard as a resource: the guarded objects' resources depend on it. @internal */
export class CreationGuard extends pulumi.dynamic.Resource {
    constructor(
        name: string,
        args: {
            objects: GuardedObject[];
            ownerId: pulumi.Input<string>;
            legacyMarks?: string[];
            kubeconfig?: pulumi.Input<string>;
            context?: pulumi.Input<string>;
        },
        opts?: pulumi.CustomResourceOptions,
    ) {
        super(
            creationGuardProvider,
            name,
            {
                objects: args.objects,
                ownerId: args.ownerId,
                legacyMarks: args.legacyMarks,
                kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
                context: args.context,
            },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }),
            "k8s",
            "CreationGuard",
        );
    }
}
