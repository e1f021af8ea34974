// One of each dynamic resource, declared either as the library does now or, with
// `legacy: true`, with the provider object passed by value, as releases before the shims did:
// the same type tokens, names and inputs, so both write the same URNs and an `up` can move
// a stack from one to the other.
import * as pulumi from "@pulumi/pulumi";
import { AccessPolicy, ApiKey, ServiceAccountPullSecrets, ServiceId } from "pulumi-icr-access";
// The implementations from source: not under node_modules, so the SDK copies them by value.
import { AccessPolicyProvider } from "../../../../components/iam/accessPolicy";
import { ApiKeyProvider } from "../../../../components/iam/apiKey";
import { ServiceIdProvider } from "../../../../components/iam/serviceId";
import { ServiceAccountPullSecretsProvider } from "../../../../components/k8s/serviceAccountPullSecrets";

const config = new pulumi.Config();
const legacy = config.getBoolean("legacy") ?? false;
const description = config.get("description") ?? "provider upgrade";

type Outputs = Record<string, pulumi.Output<unknown>>;

class ByValueResource extends pulumi.dynamic.Resource {}

/** A dynamic resource with its provider by value, under the type token the library uses. */
function byValue(
    provider: pulumi.dynamic.ResourceProvider,
    module: string,
    type: string,
    name: string,
    props: Record<string, unknown>,
    opts?: pulumi.CustomResourceOptions,
): Outputs {
    return new ByValueResource(provider, name, props, opts, module, type) as unknown as Outputs;
}

const serviceId = legacy
    ? byValue(new ServiceIdProvider(), "iam", "ServiceId", "sid", {
          name: "upgrade-id",
          description,
          iamId: undefined,
      })
    : new ServiceId("sid", { name: "upgrade-id", description });
const iamId = serviceId.iamId as pulumi.Output<string>;

const policy = legacy
    ? byValue(new AccessPolicyProvider(), "iam", "AccessPolicy", "policy", {
          iamId,
          roles: ["Reader"],
          region: "us-south",
          etag: undefined,
      })
    : new AccessPolicy("policy", { iamId, roles: ["Reader"], region: "us-south" });

const key = legacy
    ? byValue(
          new ApiKeyProvider(),
          "iam",
          "ApiKey",
          "key",
          { name: "upgrade-key", iamId, apikey: undefined },
          { additionalSecretOutputs: ["apikey", "credentials"] },
      )
    : new ApiKey("key", { name: "upgrade-key", iamId });

const patch = legacy
    ? byValue(new ServiceAccountPullSecretsProvider(), "k8s", "ServiceAccountPullSecrets", "patch", {
          namespace: "default",
          serviceAccount: "default",
          secretNames: ["upgrade-icr-io"],
          managedNames: undefined,
      })
    : new ServiceAccountPullSecrets("patch", { namespace: "default", secretNames: ["upgrade-icr-io"] });

export const serviceIdIamId = iamId;
export const policyEtag = policy.etag;
export const apiKey = key.apikey;
export const managedNames = patch.managedNames;
