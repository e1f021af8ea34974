// The survey of the live cluster as the program makes it: with the kubeconfig the stack
// uses, once per program run, in preview as in up. The kubeconfig must be known when the
// program runs (stack config or the environment, not a resource's output): a survey that
// cannot run must stop the preview, never let it plan without the cluster's answer.
import * as pulumi from "@pulumi/pulumi";
import { KubeClient } from "../clients/kube/client";
import { loadKubeconfig } from "../clients/kube/config_sources";
import { ClusterSurvey, surveyCluster, SurveyRequest } from "./clusterSurvey";

/** Where the program's kubeconfig comes from. */
export interface LiveKubeconfig {
    /** The component's `kubeconfig` (text), if given. */
    readonly kubeconfig?: pulumi.Input<string>;
    /** The component's `context`, if given. */
    readonly context?: string;
}

/**
 * Surveys the cluster when the program runs. The result is not secret (it holds names, hosts
 * and image references, never secret data), though the kubeconfig it is made with is.
 * Fails the program with a ResourceError on `parent` naming the server and the reason.
 */
export function surveyLiveCluster(
    parent: pulumi.Resource,
    source: LiveKubeconfig,
    req: SurveyRequest,
    /**
     * Only the migration records are wanted (nothing to select, migrate or report): with a
     * kubeconfig not known yet, the survey is empty rather than an error. A cluster made by the
     * same program holds no records of it; see README "Known limits".
     */
    recordsOnly = false,
): pulumi.Output<ClusterSurvey> {
    const stack = new pulumi.Config("kubernetes");
    const explicit = source.kubeconfig !== undefined;
    const kubeconfig = pulumi.output(source.kubeconfig ?? stack.getSecret("kubeconfig"));
    const known = (kubeconfig as unknown as { isKnown?: Promise<boolean> }).isKnown;
    // An unknown kubeconfig (made by a resource in this program) would skip the survey in
    // preview, and with it every namespace it finds: refuse instead.
    void known?.then((k) => {
        if (!k && pulumi.runtime.isDryRun() && !recordsOnly) {
            pulumi.log.error(
                `namespaceSelector and migrateTokenSecrets read the cluster when the program runs, so the kubeconfig ` +
                    `must be known then: pass it from stack config or the environment, not from a resource created ` +
                    `in the same program.`,
                parent,
            );
        }
    });
    const survey = kubeconfig.apply(async (text) => {
        try {
            const config = loadKubeconfig({
                kubeconfig: explicit ? text : undefined,
                stackKubeconfig: explicit ? undefined : text,
                context: source.context,
                stackContext: stack.get("context"),
            });
            const client = await KubeClient.connect(config, { retries: 2, timeoutMs: 15_000 });
            return await surveyCluster(client, req);
        } catch (err) {
            throw new pulumi.ResourceError((err as Error).message, parent, true);
        }
    });
    if (recordsOnly && known !== undefined) {
        const empty: ClusterSurvey = { selected: [], namespaces: {}, records: {} };
        return pulumi.unsecret(pulumi.output(known).apply((k) => (k ? survey : pulumi.output(empty))));
    }
    return pulumi.unsecret(survey);
}
