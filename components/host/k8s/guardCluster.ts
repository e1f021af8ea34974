// How the guards (./creationGuard.ts, ./namespaceRemovalGuard.ts) reach the cluster from the
// dynamic-provider host: the resource's own `kubeconfig` and `context` inputs, else the stack's
// kubernetes:kubeconfig and kubernetes:context, the settings the default Kubernetes provider
// reads, so both reach the same cluster.
import type * as pulumi from "@pulumi/pulumi";
import { describeSecretValue } from "../../shared/secretShape";
import { KubeClient } from "../../clients/kube/client";
import { loadKubeconfig } from "../../clients/kube/config_sources";

/** The inputs by which a guard names its cluster. */
export interface GuardTarget {
    kubeconfig?: string;
    context?: string;
}

/** The stack's Kubernetes settings, as the host hands them to `configure`. */
export class GuardCluster {
    private stackKubeconfig?: string;
    private stackContext?: string;

    configure(req: pulumi.dynamic.ConfigureRequest): void {
        this.stackKubeconfig = req.config.get("kubernetes:kubeconfig");
        this.stackContext = req.config.get("kubernetes:context");
    }

    /** A client for the target's cluster; a few quick retries, since a guard only reads. */
    connect(target: GuardTarget): Promise<KubeClient> {
        return KubeClient.connect(
            loadKubeconfig({
                kubeconfig: target.kubeconfig,
                stackKubeconfig: this.stackKubeconfig,
                context: target.context,
                stackContext: this.stackContext,
            }),
            { retries: 2, timeoutMs: 15_000 },
        );
    }
}

/** A `check` failure when the `kubeconfig` input is not text; the value is described, never shown. */
export function kubeconfigInputFailures(kubeconfig: unknown): pulumi.dynamic.CheckFailure[] {
    return kubeconfig !== undefined && typeof kubeconfig !== "string"
        ? [
              {
                  property: "kubeconfig",
                  reason: `expected the kubeconfig's YAML text; got ${describeSecretValue(kubeconfig)}.`,
              },
          ]
        : [];
}
