// The benchmark's baseline: one bare Secret in each namespace, nothing else.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const namespaces = config.requireObject<string[]>("namespaces");
for (const ns of namespaces) {
    new k8s.core.v1.Secret(`bare-${ns}`, {
        metadata: { name: "bare", namespace: ns },
        stringData: { value: pulumi.secret("baseline") },
    });
}
