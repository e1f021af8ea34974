// Builds one Kubernetes-side component from the bad input named by config `case`, so a
// test can show that preview rejects it, names the field, and creates nothing.
import * as pulumi from "@pulumi/pulumi";
import { NamespacePullSecrets, RegistryCredentials } from "pulumi-icr-access";

const config = new pulumi.Config();
const which = config.require("case");

switch (which) {
    case "emptyKey":
        new NamespacePullSecrets("pull", { namespace: "default", apiKey: config.getSecret("apiKey") ?? "" });
        break;
    case "emptyServer":
        new RegistryCredentials("registry", {
            server: "",
            username: "robot",
            password: pulumi.secret("not-empty"),
            namespaces: ["default"],
        });
        break;
    case "deprecatedDomain":
        new NamespacePullSecrets("pull", {
            namespace: "default",
            apiKey: pulumi.secret("not-empty"),
            regions: ["registry.ng.bluemix.net"],
        });
        break;
    default:
        throw new Error(`unknown case ${which}`);
}
