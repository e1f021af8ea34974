// The CreationGuard's dynamic provider (the resource: components/k8s/creationGuard.ts). In the
// engine's dynamic-provider host process, its `check` reads (GET) every guarded Namespace and
// Secret and fails, naming the argument, when one exists without this stack's mark
// (../../shared/k8s/createdByMark.ts); it writes nothing.
import type * as pulumi from "@pulumi/pulumi";
import { isUnknown } from "../../shared/unknown";
import { KubeClient } from "../../clients/kube/client";
import { KubeconfigError } from "../../clients/kube/config";
import { GuardedObject, LiveObjectMeta, takeoverProblem } from "../../shared/k8s/createdByMark";
import { GuardCluster, kubeconfigInputFailures } from "./guardCluster";

/** What the dynamic provider receives. @internal */
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

/** The CreationGuard dynamic provider. @internal */
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
    // The message of a kubeconfig or API error never holds credentials (components/clients/kube).
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
