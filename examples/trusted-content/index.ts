// Trusted content for one namespace: only images from its own registry namespace in Frankfurt,
// `de.icr.io/<registryNamespace>/*`, may run there. Portieris (IBM Cloud's Container Image
// Security Enforcement) enforces the policy at admission; this program writes the ImagePolicy
// and, before it does, predicts from Portieris's pattern rules which running workloads the
// policy would deny. Such a policy is refused unless `allowDenyingRunningWorkloads` is set.
// With `signingKey` (an armoured GPG public key), images must also be signed with that key
// (Red Hat simple signing); that check is Portieris's, at admission.
import * as pulumi from "@pulumi/pulumi";
import { RepositoryRule, TrustedContent } from "pulumi-icr-access";

const config = new pulumi.Config();
const namespace = config.get("namespace") ?? "shop";
const registryNamespace = config.get("registryNamespace") ?? namespace;
const signingKey = config.get("signingKey");

const images: RepositoryRule = {
    name: `de.icr.io/${registryNamespace}/*`,
    ...(signingKey !== undefined
        ? {
              signedBy: [{ keySecret: `${registryNamespace}-signing-key`, publicKey: signingKey }],
              mutateImage: true,
          }
        : {}),
};

const trusted = new TrustedContent("trusted-content", {
    namespaces: { [namespace]: { repositories: [images] } },
    allowDenyingRunningWorkloads: config.getBoolean("allowDenyingRunningWorkloads") ?? false,
});

/** The ImagePolicy as written, by `ImagePolicy <namespace>/<name>`. */
export const policies = trusted.policies;
/** Workloads running now that the policy would deny at their next rollout (a prediction). */
export const wouldBeDenied = trusted.enforcementReport.denied;
