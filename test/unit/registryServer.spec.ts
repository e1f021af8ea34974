import { expect } from "chai";
import {
    defaultSecretNameFor,
    DOCKER_HUB_SERVER,
    normalizeRegistryServer,
    RegistryServerError,
} from "../../components/k8s/registryServer";

const rejection = (value: string): string => {
    try {
        normalizeRegistryServer(value);
    } catch (err) {
        expect(err).to.be.instanceOf(RegistryServerError);
        return (err as Error).message;
    }
    throw new Error(`expected ${value} to be rejected`);
};
const EXAMPLE = `e.g. "registry.example.com", "registry.example.com:5000" or "registry.example.com/team-a"`;

describe("normalizeRegistryServer", function () {
    it("drops scheme and trailing slashes, lower-cases the host, keeps port and path prefix", function () {
        const table: [string, string][] = [
            ["registry.example.com", "registry.example.com"],
            ["https://Registry.Example.com/", "registry.example.com"],
            ["http://registry.example.com:5000", "registry.example.com:5000"],
            ["registry.example.com:443", "registry.example.com:443"],
            ["https://registry.example.com/v2/", "registry.example.com"],
            ["registry.example.com/team-a/", "registry.example.com/team-a"],
            ["  cp.icr.io  ", "cp.icr.io"],
            ["10.0.0.5:5000", "10.0.0.5:5000"],
        ];
        for (const [input, want] of table) expect(normalizeRegistryServer(input), input).to.equal(want);
    });

    it("writes Docker Hub under the key docker login uses", function () {
        for (const hub of [
            "docker.io",
            "index.docker.io",
            "https://index.docker.io/v1/",
            "registry-1.docker.io",
            "DOCKER.IO/",
        ]) {
            expect(normalizeRegistryServer(hub), hub).to.equal(DOCKER_HUB_SERVER);
        }
        expect(normalizeRegistryServer("docker.io/myorg")).to.equal("docker.io/myorg");
    });

    it("rejects an empty server naming the field", function () {
        expect(rejection("")).to.equal(
            `server: the registry server is empty. Give its host name, ${EXAMPLE}; for Docker Hub, "docker.io".`,
        );
        expect(rejection("   ")).to.equal(
            `server: the registry server is empty. Give its host name, ${EXAMPLE}; for Docker Hub, "docker.io".`,
        );
    });

    it("rejects other schemes, credentials, queries and white space", function () {
        expect(rejection("ftp://registry.example.com")).to.equal(
            `server: "ftp://registry.example.com" uses scheme "ftp://"; a registry server is a host name, optionally with https://, ${EXAMPLE}.`,
        );
        expect(rejection("https://user:pw@registry.example.com")).to.equal(
            `server: the server must not contain credentials; give them in "username" and "password" and the host alone in "server".`,
        );
        expect(rejection("registry.example.com/?x=1")).to.equal(
            `server: "registry.example.com/?x=1" has a query or fragment; give the host name alone, ${EXAMPLE}.`,
        );
        expect(rejection("registry example.com")).to.equal(
            `server: "registry example.com" is not a registry host name, ${EXAMPLE}.`,
        );
    });

    it("rejects the deprecated bluemix.net registry with its icr.io replacement", function () {
        expect(rejection("registry.eu-de.bluemix.net")).to.match(
            /use "de\.icr\.io" \(IAM region eu-de\) instead\.$/,
        );
    });

    it("derives default secret names", function () {
        expect(defaultSecretNameFor(DOCKER_HUB_SERVER)).to.equal("docker-hub");
        expect(defaultSecretNameFor("registry.example.com:5000/team-a")).to.equal(
            "registry-example-com-5000-team-a",
        );
    });
});
