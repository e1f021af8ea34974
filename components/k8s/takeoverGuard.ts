// Before a stack creates a Namespace (createNamespace) or a Secret under a name IKS uses, make
// sure the object does not exist already, unless this stack created it: pulumi-kubernetes'
// server-side-apply create is an upsert, so an existing object would silently become the
// stack's, and `destroy` would delete it (see ./iksOwnedNames.ts). The check reads the live
// cluster while the program runs, so `pulumi preview` fails, naming the argument, before
// anything is created; the objects to be created wait for it.
//
// "This stack created it": objects we create carry CREATED_BY_ANNOTATION, a hash of the
// organization, project and stack. An existing object with another stack's mark, or with no
// mark and no Pulumi field manager, is refused. (No mark but written by pulumi-kubernetes:
// created by a release before the mark existed; accepted, and marked by the next update.)
//
// When the cluster cannot be read (API server unreachable, no `get` permission) the check
// warns and lets the program go on; without any usable kubeconfig it stays silent, since the
// Kubernetes provider and the service-account patch report that themselves. Either way the
// Kubernetes provider, with the same credentials, then fails with its own error.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { joinProblems } from "../internal/k8sNames";
import { KubeClient, KubeconfigError, loadKubeconfig } from "./kubeClient";

/** Annotation on the Namespaces and Secrets a stack creates: {@link stackMark} of that stack. @internal */
export const CREATED_BY_ANNOTATION = "pulumi-icr-access/created-by";

/** The mark of a stack: a hash of organization, project and stack names. @internal */
export function stackMark(organization: string, project: string, stack: string): string {
    return crypto
        .createHash("sha256")
        .update(`${organization}\n${project}\n${stack}`)
        .digest("hex")
        .slice(0, 16);
}

/** The running program's stack mark. @internal */
export function currentStackMark(): string {
    return stackMark(organizationName(), pulumi.getProject(), pulumi.getStack());
}

/**
 * The engine's organization; "organization" (the file backends' name) where the SDK has none,
 * as under Pulumi's test mocks without one.
 * @internal
 */
export function organizationName(): string {
    try {
        return pulumi.getOrganization();
    } catch {
        return "organization";
    }
}

/** One object the program is about to create. @internal */
export interface TakeoverCheck {
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
    readonly managedFields?: readonly { readonly manager?: string }[];
}

/**
 * Why creating `check` would take over someone else's object, or undefined when it does not
 * exist (`live` undefined) or this stack created it. Pure.
 * @internal
 */
export function takeoverProblem(
    check: TakeoverCheck,
    live: LiveObjectMeta | undefined,
    mark: string,
): string | undefined {
    if (live === undefined) return undefined;
    const recorded = live.annotations?.[CREATED_BY_ANNOTATION];
    if (recorded === mark) return undefined;
    const writtenByPulumi = (live.managedFields ?? []).some((m) =>
        (m.manager ?? "").startsWith("pulumi-kubernetes"),
    );
    if (recorded === undefined && writtenByPulumi) return undefined;
    const what =
        check.kind === "Namespace"
            ? `namespace "${check.name}"`
            : `Secret "${check.namespace}/${check.name}"`;
    const whose = recorded === undefined ? "this stack did not create it" : "another stack created it";
    return `${check.field}: ${what} already exists and ${whose}. ${check.consequence}`;
}

/** How the guard reaches the cluster: as the service-account patches do. @internal */
export interface GuardTarget {
    readonly kubeconfig?: pulumi.Input<string>;
    readonly context?: pulumi.Input<string>;
}

/**
 * Reads each object of `checks` from the live cluster and fails (a ResourceError on `parent`,
 * every problem listed) when creating it would take over an object this stack did not create.
 * Resolves when there is nothing to fear; make the objects to create wait for it.
 * @internal
 */
export function guardAgainstTakeover(
    parent: pulumi.Resource,
    checks: readonly TakeoverCheck[],
    target: GuardTarget,
): pulumi.Output<void> {
    if (checks.length === 0) return pulumi.output(undefined as void);
    const stackKubernetes = new pulumi.Config("kubernetes");
    const mark = currentStackMark();
    return pulumi.all([target.kubeconfig, target.context]).apply(async ([kubeconfig, context]) => {
        let client: KubeClient;
        try {
            const config = loadKubeconfig({
                kubeconfig,
                stackKubeconfig: stackKubernetes.get("kubeconfig"),
                context,
                stackContext: stackKubernetes.get("context"),
            });
            client = await KubeClient.connect(config, { retries: 2, timeoutMs: 15_000 });
        } catch (err) {
            // No usable kubeconfig: the service-account patch's check and the Kubernetes
            // provider report that themselves, naming it; a second message adds nothing.
            if (err instanceof KubeconfigError) return;
            return cannotCheck(parent, checks, err);
        }
        return checkAll(parent, client, checks, mark);
    });
}

async function checkAll(
    parent: pulumi.Resource,
    client: KubeClient,
    checks: readonly TakeoverCheck[],
    mark: string,
): Promise<void> {
    const problems: string[] = [];
    for (const check of checks) {
        const path =
            check.kind === "Namespace"
                ? `/api/v1/namespaces/${encodeURIComponent(check.name)}`
                : `/api/v1/namespaces/${encodeURIComponent(check.namespace ?? "")}/secrets/${encodeURIComponent(check.name)}`;
        let live: LiveObjectMeta | undefined;
        try {
            const res = await client.get<{ metadata?: LiveObjectMeta }>(path);
            live = res.status === 404 ? undefined : (res.data.metadata ?? {});
        } catch (err) {
            return cannotCheck(parent, checks, err);
        }
        const p = takeoverProblem(check, live, mark);
        if (p !== undefined) problems.push(p);
    }
    if (problems.length > 0) throw new pulumi.ResourceError(joinProblems(problems), parent);
}

function cannotCheck(parent: pulumi.Resource, checks: readonly TakeoverCheck[], err: unknown): void {
    // The message of a kubeconfig or API error never holds credentials (kubeClient.ts).
    pulumi.log.warn(
        `could not check that ${checks.map((c) => (c.kind === "Namespace" ? `namespace "${c.name}"` : `Secret "${c.namespace}/${c.name}"`)).join(", ")} ` +
            `did not exist before this stack: ${(err as Error).message}`,
        parent,
    );
}
