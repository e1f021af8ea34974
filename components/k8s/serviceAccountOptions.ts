// The service-account arguments every pull-secret component shares, and the one helper
// that turns them into ServiceAccountPullSecrets children.
import * as pulumi from "@pulumi/pulumi";
import { checkObjectName } from "../shared/k8sNames";
import { ServiceAccountPullSecrets } from "./serviceAccountPullSecrets";

/** Which service accounts get the pull secrets, and how to reach the API server to patch them. */
export interface ServiceAccountOptions {
    /**
     * Service accounts (in each namespace) whose `imagePullSecrets` get the secrets, so that
     * pods using them pull without naming a secret. Entries someone else added are kept;
     * destroy removes only ours. Pass `[]` to only write the secrets.
     * @default ["default"] - the account pods use when they name none, as the runbook does
     */
    readonly serviceAccounts?: string[];
    /**
     * Kubeconfig (YAML text) for the service-account patch, which talks to the API server
     * itself rather than through the Kubernetes provider. Must reach the same cluster as the
     * Kubernetes provider the secrets go to. Stored as a secret.
     * @default - read when the patch runs: the `kubernetes:kubeconfig` stack setting, then
     * `KUBECONFIG`, then `~/.kube/config`, as the default Kubernetes provider does
     */
    readonly kubeconfig?: pulumi.Input<string>;
    /**
     * Kubeconfig context for the service-account patch.
     * @default - `kubernetes:context`, else the kubeconfig's current-context
     */
    readonly context?: pulumi.Input<string>;
    /**
     * How long to wait for a service account that does not exist yet (a new namespace's
     * `default` account is created asynchronously by kube-controller-manager) before failing.
     * @default 60
     */
    readonly serviceAccountWaitSeconds?: pulumi.Input<number>;
}

/**
 * Problems with `serviceAccounts`, one message each; the list with duplicates removed.
 * @internal
 */
export function checkServiceAccounts(names: readonly string[] | undefined): {
    names: string[];
    problems: string[];
} {
    const list = names ?? ["default"];
    const problems = list
        .map((n, i) => checkObjectName(`serviceAccounts[${i}]`, "ServiceAccount", n))
        .filter((p): p is string => p !== undefined);
    return { names: [...new Set(list)], problems };
}

/**
 * One ServiceAccountPullSecrets per account, named `${prefix}-sa-${account}`.
 * @internal
 */
export function patchServiceAccounts(
    parent: pulumi.Resource,
    prefix: string,
    namespace: pulumi.Input<string>,
    accounts: readonly string[],
    secretNames: pulumi.Input<string[]>,
    args: ServiceAccountOptions,
): ServiceAccountPullSecrets[] {
    return accounts.map(
        (account) =>
            new ServiceAccountPullSecrets(
                `${prefix}-sa-${account}`,
                {
                    namespace,
                    serviceAccount: account,
                    secretNames,
                    kubeconfig: args.kubeconfig,
                    context: args.context,
                    waitTimeoutSeconds: args.serviceAccountWaitSeconds,
                },
                { parent },
            ),
    );
}
