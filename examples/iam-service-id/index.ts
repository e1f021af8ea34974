// The IAM side of "let my Kubernetes cluster pull from IBM Cloud Container Registry", as
// IBM's runbook does it by hand: a service ID (step 2), a Container Registry access policy
// for it (step 3) and an API key (step 4), whose value becomes the registry password
// (user name `iamapikey`).
//
// Credentials come from stack config `ibmcloud:apiKey` (secret) and `ibmcloud:iamEndpoint`,
// or from IBMCLOUD_API_KEY / IBMCLOUD_IAM_ENDPOINT; the endpoint defaults to IBM Cloud's.
// The resources read them when they run, so nothing here passes them around.
//
// Config of this project (all optional):
//   name               service ID name                      (default "icr-pull")
//   description        service ID description
//   role               Reader (pull), Writer (push) or Manager (default "Reader")
//   region             one IAM region such as "us-south", or "global" for icr.io
//                      (default: every region)
//   registryNamespace  one registry namespace              (default: every namespace)
//   rotation           any string; changing it replaces the API key, new key first
//   accountId          the account to act in               (default: the API key's)
//   adoptServiceId     "ServiceId-<uuid>": manage an existing service ID instead of making one
import * as pulumi from "@pulumi/pulumi";
import { AccessPolicy, ApiKey, RegistryLocation, Role, ServiceId, iamIdOfServiceId } from "pulumi-icr-access";

const config = new pulumi.Config();
const name = config.get("name") ?? "icr-pull";
const role = (config.get("role") ?? "Reader") as Role;
const accountId = config.get("accountId");

// 1. The identity the cluster pulls images as.
const serviceId = new ServiceId("service-id", {
    name,
    description: config.get("description") ?? "Pulls images from IBM Cloud Container Registry",
    accountId,
    adoptId: config.get("adoptServiceId"),
});

// The subject's IAM id, derived from the service ID's id: it stays known while a preview
// shows the service ID changing, so the policy and the key do not look like they change too.
const subject = serviceId.id.apply(iamIdOfServiceId);

// 2. What it may do: `role` on Container Registry, in one region and namespace if asked.
const policy = new AccessPolicy("registry-access", {
    iamId: subject,
    roles: [role],
    region: config.get("region") as RegistryLocation | undefined,
    registryNamespace: config.get("registryNamespace"),
    accountId,
    description: `${role} access to IBM Cloud Container Registry for ${name}`,
});

// 3. Its API key. A new `rotation` value creates a new key before the old one is deleted.
const key = new ApiKey(
    "api-key",
    {
        name: `${name}-key`,
        iamId: subject,
        description: `API key of service ID ${name}, for pulling images`,
        accountId,
        rotation: config.get("rotation"),
    },
    // Hand the key out only once its access exists.
    { dependsOn: [policy] },
);

export const serviceIdId = serviceId.id;
export const iamId = serviceId.iamId;
export const policyId = policy.id;
export const apiKeyId = key.id;
/** The registry password for user name `iamapikey`. Secret: `pulumi stack output apiKey --show-secrets`. */
export const apiKey = key.apikey;
