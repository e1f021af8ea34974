import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { parseDockerConfigJson } from "../../components/shared/k8s/dockerConfig";
import { RegistryCredentials, RegistryCredentialsArgs } from "../../components/k8s/registryCredentials";
import { holdsSecret, reveal, seen, unwrap } from "./hooks";

const SECRET = "kubernetes:core/v1:Secret";
const SA_PATCH = "pulumi-nodejs:dynamic/k8s:ServiceAccountPullSecrets";
const rejection = (args: RegistryCredentialsArgs): string => {
    try {
        new RegistryCredentials("bad", args);
    } catch (err) {
        expect(pulumi.ResourceError.isInstance(err)).to.equal(true);
        return (err as Error).message;
    }
    throw new Error("expected a ResourceError");
};

describe("RegistryCredentials", function () {
    it("writes the registry's dockerconfigjson under the normalised server in every namespace", async function () {
        const c = new RegistryCredentials("corp", {
            server: "https://Registry.Example.com:5000/",
            username: "robot",
            password: "pw",
            email: "ops@example.com",
            namespaces: ["team-a", "team-b"],
        });
        expect(await unwrap(c.secretName)).to.equal("registry-example-com-5000");
        expect(await unwrap(c.serviceAccounts)).to.deep.equal(["team-a/default", "team-b/default"]);
        expect(c.server).to.equal("registry.example.com:5000");
        expect(seen.map((r) => [r.type, r.name]).sort()).to.deep.equal([
            ["icr:k8s:RegistryCredentials", "corp"],
            [SECRET, "corp-team-a"],
            [SECRET, "corp-team-b"],
            [SA_PATCH, "corp-team-a-sa-default"],
            [SA_PATCH, "corp-team-b-sa-default"],
        ]);
        const secrets = seen.filter((r) => r.type === SECRET);
        expect(
            secrets.map((s) => [s.inputs.metadata.namespace, s.inputs.metadata.name, s.inputs.type]),
        ).to.deep.equal([
            ["team-a", "registry-example-com-5000", "kubernetes.io/dockerconfigjson"],
            ["team-b", "registry-example-com-5000", "kubernetes.io/dockerconfigjson"],
        ]);
        expect(secrets.every((s) => holdsSecret(s.inputs.data))).to.equal(true);
        const parsed = parseDockerConfigJson(
            reveal<Record<string, string>>(secrets[0].inputs.data)[".dockerconfigjson"],
            {
                base64: true,
            },
        );
        expect(parsed).to.deep.equal({
            "registry.example.com:5000": {
                username: "robot",
                password: "pw",
                email: "ops@example.com",
                auth: "cm9ib3Q6cHc=",
            },
        });
        expect(seen[0].inputs).to.deep.equal({});
        expect(await unwrap(c.imagePullSecrets)).to.deep.equal([{ name: "registry-example-com-5000" }]);
    });

    it("names Docker Hub's secret docker-hub under the key docker login uses", async function () {
        const c = new RegistryCredentials("hub", {
            server: "docker.io",
            username: "u",
            password: "p",
            namespaces: ["a"],
            serviceAccounts: [],
        });
        expect(await unwrap(c.secretName)).to.equal("docker-hub");
        const [s] = seen.filter((r) => r.type === SECRET);
        const parsed = parseDockerConfigJson(
            reveal<Record<string, string>>(s.inputs.data)[".dockerconfigjson"],
            { base64: true },
        );
        expect(Object.keys(parsed)).to.deep.equal(["https://index.docker.io/v1/"]);
    });

    it("rejects an empty server, bad namespaces and an empty password, naming each field", function () {
        expect(rejection({ server: "", username: "u", password: "", namespaces: ["Team A"] })).to.equal(
            `3 problems:\n` +
                ` - server: the registry server is empty. Give its host name, e.g. "registry.example.com", "registry.example.com:5000" ` +
                `or "registry.example.com/team-a"; for Docker Hub, "docker.io".\n` +
                ` - namespaces[0]: "Team A" is not a valid Kubernetes namespace name (a DNS-1123 label: at most 63 lower-case letters, ` +
                `digits and "-", starting and ending with a letter or digit). Did you mean "team-a"?\n` +
                ` - password: the registry password is empty. Give the password the registry expects (for cp.icr.io: username "cp", ` +
                `password your entitlement key).`,
        );
        expect(
            rejection({ server: "ftp://x.example.com", username: "u", password: "p", namespaces: ["a"] }),
        ).to.equal(
            `server: "ftp://x.example.com" uses scheme "ftp://"; a registry server is a host name, optionally with https://, ` +
                `e.g. "registry.example.com", "registry.example.com:5000" or "registry.example.com/team-a".`,
        );
    });
});
