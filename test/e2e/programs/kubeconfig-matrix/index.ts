// One ServiceAccountPullSecrets per kubeconfig case named in config `cases`: each adds
// `<case>-pull` to the default service account of its own namespace, authenticating with the
// kubeconfig in the secret config `kubeconfig-<case>` (or, with none, the stack's
// kubernetes:kubeconfig setting).
import * as pulumi from "@pulumi/pulumi";
import { ServiceAccountPullSecrets } from "pulumi-icr-access";

const config = new pulumi.Config();
const cases = config.requireObject<{ name: string; namespace: string }[]>("cases");

export const patched: Record<string, pulumi.Output<string[]>> = {};
for (const c of cases) {
    const patch = new ServiceAccountPullSecrets(c.name, {
        namespace: c.namespace,
        secretNames: [`${c.name}-pull`],
        kubeconfig: config.getSecret(`kubeconfig-${c.name}`),
        waitTimeoutSeconds: 30,
    });
    patched[c.name] = patch.managedNames;
}
