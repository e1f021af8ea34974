// The NamespaceRemovalGuard's dynamic provider (the resource: components/k8s/namespaceRemovalGuard.ts).
// In the engine's dynamic-provider host process it lists what is in a namespace that is about
// to be deleted and refuses while anything there is neither the stack's nor Kubernetes' own
// (./namespaceContents.ts). It deletes nothing.
import type * as pulumi from "@pulumi/pulumi";
import { containsUnknown, isUnknown } from "../../shared/unknown";
import type { KubeClient } from "../../clients/kube/client";
import { GuardCluster, kubeconfigInputFailures } from "./guardCluster";
import { foreignObjectsReader } from "./namespaceContents";

/** One created namespace as recorded: the argument that asks for it. */
export interface RecordedNamespace {
    /** E.g. `namespaces.shop.createNamespace`. */
    field: string;
}

/** What the dynamic provider receives and stores. @internal */
export interface NamespaceRemovalGuardInputs {
    /** Known when the program runs, so a preview always knows which namespaces leave. */
    namespaces: Record<string, RecordedNamespace>;
    /** Per namespace, the stack's objects in it, `Kind/name` (its pull secrets); may be unknown in a preview. */
    ours?: Record<string, string[]>;
    /** Delete such a namespace with whatever is in it. */
    deleteContents?: boolean;
    /** The setting that sets `deleteContents`, for messages. */
    deleteContentsField: string;
    kubeconfig?: string;
    context?: string;
}

/** The NamespaceRemovalGuard dynamic provider. @internal */
export class NamespaceRemovalGuardProvider implements pulumi.dynamic.ResourceProvider<
    NamespaceRemovalGuardInputs,
    NamespaceRemovalGuardInputs
> {
    private readonly cluster = new GuardCluster();

    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        this.cluster.configure(req);
    }

    async check(
        olds: Partial<NamespaceRemovalGuardInputs>,
        news: NamespaceRemovalGuardInputs,
    ): Promise<pulumi.dynamic.CheckResult<NamespaceRemovalGuardInputs>> {
        const badKubeconfig = kubeconfigInputFailures(news.kubeconfig);
        if (badKubeconfig.length > 0) return { inputs: news, failures: badKubeconfig };
        const asked = isUnknown(news.namespaces) ? undefined : (news.namespaces ?? {});
        if (asked === undefined) return { inputs: news };
        const leaving = Object.entries(olds?.namespaces ?? {}).filter(([ns]) => !(ns in asked));
        if (leaving.length === 0 || news.deleteContents === true) return { inputs: news };
        // What was ours in a leaving namespace is what the old inputs recorded.
        const problems = await this.problems(
            { ...news, ours: olds?.ours, deleteContents: false },
            Object.fromEntries(leaving),
            "would delete it (it is no longer asked for)",
        );
        return { inputs: news, failures: problems.map((reason) => ({ property: "namespaces", reason })) };
    }

    async diff(
        _id: string,
        olds: NamespaceRemovalGuardInputs,
        news: NamespaceRemovalGuardInputs,
    ): Promise<pulumi.dynamic.DiffResult> {
        const same =
            JSON.stringify(olds.namespaces ?? {}) === JSON.stringify(news.namespaces ?? {}) &&
            // Unknown in a preview while new secrets are planned: `up` records them.
            (containsUnknown(news.ours) ||
                JSON.stringify(olds.ours ?? {}) === JSON.stringify(news.ours ?? {})) &&
            (olds.deleteContents ?? false) === (news.deleteContents ?? false);
        return { changes: !same };
    }

    async create(
        inputs: NamespaceRemovalGuardInputs,
    ): Promise<pulumi.dynamic.CreateResult<NamespaceRemovalGuardInputs>> {
        return { id: "namespaces", outs: inputs };
    }

    async read(
        id: string,
        props?: NamespaceRemovalGuardInputs,
    ): Promise<pulumi.dynamic.ReadResult<NamespaceRemovalGuardInputs>> {
        return { id, props };
    }

    async update(
        _id: string,
        _olds: NamespaceRemovalGuardInputs,
        news: NamespaceRemovalGuardInputs,
    ): Promise<pulumi.dynamic.UpdateResult<NamespaceRemovalGuardInputs>> {
        return { outs: news };
    }

    async delete(_id: string, props: NamespaceRemovalGuardInputs): Promise<void> {
        if (props.deleteContents === true) return;
        const problems = await this.problems(props, props.namespaces ?? {}, "is about to delete it");
        if (problems.length > 0) throw new Error(problems.join("\n"));
    }

    /** One line per namespace that holds something not the stack's. */
    private async problems(
        target: NamespaceRemovalGuardInputs,
        namespaces: Record<string, RecordedNamespace>,
        doing: string,
    ): Promise<string[]> {
        let client: KubeClient;
        try {
            client = await this.cluster.connect(target);
        } catch (err) {
            return [cannotCheck(Object.keys(namespaces), err)];
        }
        const problems: string[] = [];
        const foreignObjectsIn = foreignObjectsReader(client);
        for (const [namespace, recorded] of Object.entries(namespaces)) {
            let found: string[] | undefined;
            try {
                found = await foreignObjectsIn(namespace, target.ours?.[namespace] ?? []);
            } catch (err) {
                problems.push(cannotCheck([namespace], err));
                continue;
            }
            if (found === undefined || found.length === 0) continue;
            const shown =
                found.slice(0, 20).join(", ") + (found.length > 20 ? `, and ${found.length - 20} more` : "");
            problems.push(
                `${recorded.field}: this stack created namespace "${namespace}" and ${doing}, but it holds ` +
                    `${found.length} object(s) that are not this stack's: ${shown}. Deleting the namespace would ` +
                    `delete them. Nothing was deleted. To keep the namespace, and this stack's secrets in it, ask ` +
                    `for it again (\`createNamespace: true\`). To delete it with everything in it, set ` +
                    `\`${target.deleteContentsField}: true\`. To let the namespace go without them, move those objects ` +
                    "out of it first.",
            );
        }
        return problems;
    }
}

function cannotCheck(namespaces: readonly string[], err: unknown): string {
    return (
        `could not list what is in namespace(s) ${namespaces.map((n) => `"${n}"`).join(", ")} before deleting ` +
        `them (${(err as Error).message}). Nothing was deleted. Fix the kubeconfig or the cluster's reachability ` +
        "(the kubeconfig's user needs `list` on the namespace's kinds), and run again."
    );
}
