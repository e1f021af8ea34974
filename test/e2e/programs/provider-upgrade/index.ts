// One of each dynamic resource, declared either as the library does now or as earlier code
// did: with `legacy: true`, with the provider object passed by value, as releases before the
// shims did; with `legacy: shim`, storing the SDK's serialization of the shim, as code before
// the one-line provider text did. The same type tokens, names and inputs, so all write the
// same URNs and an `up` can move a stack from one to another.
import * as pulumi from "@pulumi/pulumi";
import {
    AccessPolicy,
    ApiKey,
    ServiceAccountPullSecrets,
    ServiceId,
    iamIdOfServiceId,
} from "pulumi-icr-access";
// The implementations from source: not under node_modules, so the SDK copies them by value.
import { AccessPolicyProvider } from "../../../../components/host/iam/accessPolicyProvider";
import { ApiKeyProvider } from "../../../../components/host/iam/apiKeyProvider";
import { ServiceIdProvider } from "../../../../components/host/iam/serviceIdProvider";
import { ServiceAccountPullSecretsProvider } from "../../../../components/host/k8s/serviceAccountPullSecretsProvider";
// The shim as earlier code stored it: the SDK serializes it (it captures only its kind).
import { providerShim } from "../../../../components/internal/providerShim";

const config = new pulumi.Config();
const mode = config.get("legacy") ?? "false";
const legacy = mode !== "false";
/** The provider an earlier release handed the SDK: by value, or the shim of `kind`. */
const earlier = <K extends "ServiceId" | "AccessPolicy" | "ApiKey" | "ServiceAccountPullSecrets">(
    kind: K,
    byValueProvider: () => pulumi.dynamic.ResourceProvider,
): pulumi.dynamic.ResourceProvider => (mode === "shim" ? providerShim(kind) : byValueProvider());
const description = config.get("description") ?? "provider upgrade";
// Per stack, so that stacks of one test run never share an IAM name.
const prefix = pulumi.getStack();

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
    ? byValue(
          earlier("ServiceId", () => new ServiceIdProvider()),
          "iam",
          "ServiceId",
          "sid",
          {
              name: `${prefix}-id`,
              description,
              iamId: undefined,
          },
      )
    : new ServiceId("sid", { name: `${prefix}-id`, description });
// From the id, as NamespaceIdentity does: the id stays known while a service ID is updated.
const iamId = (serviceId.id as pulumi.Output<string>).apply(iamIdOfServiceId);

const policy = legacy
    ? byValue(
          earlier("AccessPolicy", () => new AccessPolicyProvider()),
          "iam",
          "AccessPolicy",
          "policy",
          {
              iamId,
              roles: ["Reader"],
              region: "us-south",
              etag: undefined,
          },
      )
    : new AccessPolicy("policy", { iamId, roles: ["Reader"], region: "us-south" });

const key = legacy
    ? byValue(
          earlier("ApiKey", () => new ApiKeyProvider()),
          "iam",
          "ApiKey",
          "key",
          { name: `${prefix}-key`, iamId, apikey: undefined },
          { additionalSecretOutputs: ["apikey", "credentials"] },
      )
    : new ApiKey("key", { name: `${prefix}-key`, iamId });

const patch = legacy
    ? byValue(
          earlier("ServiceAccountPullSecrets", () => new ServiceAccountPullSecretsProvider()),
          "k8s",
          "ServiceAccountPullSecrets",
          "patch",
          {
              namespace: "default",
              serviceAccount: "default",
              secretNames: [`${prefix}-icr-io`],
              managedNames: undefined,
          },
      )
    : new ServiceAccountPullSecrets("patch", { namespace: "default", secretNames: [`${prefix}-icr-io`] });

export const serviceIdIamId = iamId;
export const policyEtag = policy.etag;
export const apiKey = key.apikey;
export const managedNames = patch.managedNames;
