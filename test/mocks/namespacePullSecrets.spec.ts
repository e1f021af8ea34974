import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
    buildDockerConfigJsonBase64,
    iamApiKeyCredential,
    parseDockerConfigJson,
} from "../../components/shared/k8s/dockerConfig";
import { NamespacePullSecrets, NamespacePullSecretsArgs } from "../../components/k8s/namespacePullSecrets";
import { VALID_REGIONS_TEXT } from "../../components/shared/registry/registryDomains";
import { CREATED_BY_ANNOTATION } from "../../components/shared/k8s/createdByMark";
import {
    STACK_OWNER_ID,
    holdsSecret,
    registeredUrns,
    reveal,
    seen,
    unhandledRejections,
    unwrap,
    warnings,
} from "./hooks";

const SECRET = "kubernetes:core/v1:Secret";
const SA_PATCH = "pulumi-nodejs:dynamic/k8s:ServiceAccountPullSecrets";

async function build(name: string, args: NamespacePullSecretsArgs) {
    const c = new NamespacePullSecrets(name, args);
    // Barrier: both outputs depend on every child.
    await unwrap(c.secretNames);
    await unwrap(c.serviceAccounts);
    return c;
}
const secrets = () => seen.filter((r) => r.type === SECRET);
const rejection = (args: NamespacePullSecretsArgs): string => {
    try {
        new NamespacePullSecrets("bad", args);
    } catch (err) {
        expect(pulumi.ResourceError.isInstance(err)).to.equal(true);
        return (err as Error).message;
    }
    throw new Error("expected a ResourceError");
};

describe("NamespacePullSecrets", function () {
    it("writes one dockerconfigjson secret per domain, named as the runbook, with secret data", async function () {
        const c = await build("team-a", { namespace: "team-a", apiKey: "k3y", regions: ["us-south", "uk"] });

        // (sorted: dynamic resources register later, after their provider is serialized)
        expect(seen.map((r) => [r.type, r.name]).sort()).to.deep.equal([
            ["icr:k8s:NamespacePullSecrets", "team-a"],
            [SECRET, "team-a-icr-io"],
            [SECRET, "team-a-uk-icr-io"],
            [SECRET, "team-a-us-icr-io"],
            [SA_PATCH, "team-a-sa-default"],
        ]);
        expect(
            secrets().map((s) => [s.inputs.metadata.name, s.inputs.metadata.namespace, s.inputs.type]),
        ).to.deep.equal([
            ["team-a-icr-io", "team-a", "kubernetes.io/dockerconfigjson"],
            ["team-a-us-icr-io", "team-a", "kubernetes.io/dockerconfigjson"],
            ["team-a-uk-icr-io", "team-a", "kubernetes.io/dockerconfigjson"],
        ]);
        for (const [s, domain] of secrets().map(
            (s, i) => [s, ["icr.io", "us.icr.io", "uk.icr.io"][i]] as const,
        )) {
            expect(holdsSecret(s.inputs.data), "data is a secret").to.equal(true);
            const data = reveal<Record<string, string>>(s.inputs.data);
            expect(data).to.deep.equal({
                ".dockerconfigjson": buildDockerConfigJsonBase64([domain], iamApiKeyCredential("k3y")),
            });
        }
        expect(await unwrap(c.secretNames)).to.deep.equal([
            "team-a-icr-io",
            "team-a-us-icr-io",
            "team-a-uk-icr-io",
        ]);
        expect(await unwrap(c.imagePullSecrets)).to.deep.equal([
            { name: "team-a-icr-io" },
            { name: "team-a-us-icr-io" },
            { name: "team-a-uk-icr-io" },
        ]);
        expect(c.domains).to.deep.equal(["icr.io", "us.icr.io", "uk.icr.io"]);
        expect(await unwrap(c.namespace)).to.equal("team-a");
        expect(await unwrap(c.serviceAccounts)).to.deep.equal(["default"]);
    });

    it("keeps the API key out of the component's own inputs", async function () {
        await build("quiet", { namespace: "team-a", apiKey: "do-not-store", regions: ["us"] });
        const component = seen.find((r) => r.type === "icr:k8s:NamespacePullSecrets")!;
        expect(component.inputs).to.deep.equal({});
        const plain = JSON.stringify(seen.filter((r) => !holdsSecret(r.inputs.data)).map((r) => r.inputs));
        expect(plain).not.to.contain("do-not-store");
    });

    it("parents every child under the component", async function () {
        await build("parented", { namespace: "team-a", apiKey: "k", regions: ["us"] });
        const children = registeredUrns().filter(
            (u) => u.endsWith("::parented-icr-io") || u.endsWith("::parented-sa-default"),
        );
        expect(children.map((u) => u.split("::")[2])).to.deep.equal([
            `icr:k8s:NamespacePullSecrets$${SECRET}`,
            `icr:k8s:NamespacePullSecrets$${SA_PATCH}`,
        ]);
    });

    it("patches the chosen service accounts with the secret names, taken from the secrets", async function () {
        await build("ps", {
            namespace: "team-a",
            apiKey: "k",
            regions: ["us"],
            serviceAccounts: ["default", "builder"],
        });
        const patches = seen.filter((r) => r.type === SA_PATCH).sort((a, b) => a.name.localeCompare(b.name));
        expect(
            patches.map((p) => [p.name, p.inputs.namespace, p.inputs.serviceAccount, p.inputs.secretNames]),
        ).to.deep.equal([
            ["ps-sa-builder", "team-a", "builder", ["team-a-icr-io", "team-a-us-icr-io"]],
            ["ps-sa-default", "team-a", "default", ["team-a-icr-io", "team-a-us-icr-io"]],
        ]);
        expect(patches[0].inputs.__provider).to.be.a("string");
    });

    it("writes nothing to service accounts when serviceAccounts is empty", async function () {
        await build("only-secrets", {
            namespace: "team-a",
            apiKey: "k",
            regions: ["us"],
            serviceAccounts: [],
        });
        expect(seen.filter((r) => r.type === SA_PATCH)).to.deep.equal([]);
    });

    it("passes a kubeconfig to the patch as a secret, never into the provider closure", async function () {
        const kubeconfig = "apiVersion: v1\nclusters: []\n# marker-4471\n";
        await build("kc", { namespace: "team-a", apiKey: "k", regions: ["us"], kubeconfig, context: "ctx" });
        const [patch] = seen.filter((r) => r.type === SA_PATCH);
        expect(holdsSecret(patch.inputs.kubeconfig)).to.equal(true);
        expect(reveal(patch.inputs.kubeconfig)).to.equal(kubeconfig);
        expect(patch.inputs.context).to.equal("ctx");
        expect(String(patch.inputs.__provider)).not.to.contain("marker-4471");
    });

    it("puts every domain in one all-icr-io secret in the combined layout, and can create the namespace", async function () {
        await build("all", {
            namespace: "team-b",
            apiKey: "k",
            regions: ["us", "de"],
            endpoints: "both",
            layout: "combined",
            createNamespace: true,
            email: "ops@example.com",
        });
        expect(
            seen
                .filter((r) => r.type !== "pulumi-nodejs:dynamic/k8s:NamespaceRemovalGuard")
                .map((r) => [r.type, r.name])
                .sort(),
        ).to.deep.equal([
            ["icr:k8s:NamespacePullSecrets", "all"],
            ["kubernetes:core/v1:Namespace", "all-namespace"],
            [SECRET, "all-combined"],
            ["pulumi-nodejs:dynamic/k8s:CreationGuard", "all-creation-guard"],
            [SA_PATCH, "all-sa-default"],
        ]);
        const [s] = secrets();
        expect([s.inputs.metadata.name, s.inputs.metadata.namespace]).to.deep.equal(["all-icr-io", "team-b"]);
        const parsed = parseDockerConfigJson(
            reveal<Record<string, string>>(s.inputs.data)[".dockerconfigjson"],
            { base64: true },
        );
        expect(Object.keys(parsed)).to.deep.equal([
            "icr.io",
            "private.icr.io",
            "us.icr.io",
            "private.us.icr.io",
            "de.icr.io",
            "private.de.icr.io",
        ]);
        expect(parsed["de.icr.io"]).to.deep.equal({
            username: "iamapikey",
            password: "k",
            email: "ops@example.com",
            auth: Buffer.from("iamapikey:k").toString("base64"),
        });
    });

    it("marks what it must not take over as this stack's: a namespace it creates, and IKS-named secrets in default", async function () {
        const mark = STACK_OWNER_ID;
        await build("mine", { namespace: "team-d", apiKey: "k", regions: ["us"], createNamespace: true });
        const ns = seen.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
        expect(ns.inputs.metadata).to.deep.equal({
            name: "team-d",
            annotations: { [CREATED_BY_ANNOTATION]: mark },
        });
        expect(secrets().map((s) => s.inputs.metadata.annotations)).to.deep.equal([undefined, undefined]);
        seen.length = 0;
        await build("dflt", { namespace: "default", apiKey: "k", regions: ["us"] });
        expect(secrets().map((s) => [s.inputs.metadata.name, s.inputs.metadata.annotations])).to.deep.equal([
            ["default-icr-io", { [CREATED_BY_ANNOTATION]: mark }],
            ["default-us-icr-io", { [CREATED_BY_ANNOTATION]: mark }],
        ]);
    });

    it("refuses IKS's combined secret name in default, and creating a namespace every cluster has", function () {
        expect(rejection({ namespace: "default", apiKey: "k", layout: "combined" })).to.match(
            /^secretName: not set, so the combined secret would be "all-icr-io", which in namespace "default" is a pull secret IKS itself writes/,
        );
        expect(rejection({ namespace: "kube-system", apiKey: "k", createNamespace: true })).to.match(
            /^createNamespace: namespace "kube-system" exists in every cluster\./,
        );
    });

    it("names the combined secret as asked, and private per-domain secrets apart from public ones", async function () {
        await build("named", {
            namespace: "team-c",
            apiKey: "k",
            layout: "combined",
            secretName: "team-c-icr",
            regions: ["us"],
        });
        expect(secrets().map((s) => s.inputs.metadata.name)).to.deep.equal(["team-c-icr"]);
        seen.length = 0;
        await build("priv", {
            namespace: "team-c",
            apiKey: "k",
            regions: ["jp-osa"],
            endpoints: "both",
            includeGlobal: false,
        });
        expect(secrets().map((s) => [s.name, s.inputs.metadata.name])).to.deep.equal([
            ["priv-jp2-icr-io", "team-c-jp2-icr-io"],
            ["priv-private-jp2-icr-io", "team-c-private-jp2-icr-io"],
        ]);
    });

    it("keeps names, types and logical names when only the key changes, so rotation updates in place", async function () {
        await build("rot", { namespace: "team-a", apiKey: "old-key", regions: ["us"] });
        const before = secrets().map((s) => [s.name, s.inputs.metadata.name, s.inputs.type]);
        const beforeData = secrets().map((s) => reveal(s.inputs.data));
        seen.length = 0;
        await build("rot", { namespace: "team-a", apiKey: "new-key", regions: ["us"] });
        expect(secrets().map((s) => [s.name, s.inputs.metadata.name, s.inputs.type])).to.deep.equal(before);
        expect(secrets().map((s) => reveal(s.inputs.data))).not.to.deep.equal(beforeData);
    });

    it("rejects every bad argument at once, naming fields, values, allowed values and fixes", function () {
        expect(
            rejection({
                namespace: "Team_A",
                apiKey: "",
                regions: ["us-sout"],
                secretName: "x",
                serviceAccounts: ["Bad Name"],
            }),
        ).to.equal(
            `5 problems:\n` +
                ` - namespace: "Team_A" is not a valid Kubernetes namespace name (a DNS-1123 label: at most 63 lower-case letters, ` +
                `digits and "-", starting and ending with a letter or digit). Did you mean "team-a"?\n` +
                ` - regions[0]: unknown region "us-sout". Did you mean "us-south"? Valid regions: ${VALID_REGIONS_TEXT}. Omit "regions" for every region.\n` +
                ` - secretName: only used with layout "combined"; per-domain secrets are named "<namespace>-<domain>". Set layout: "combined", or remove secretName.\n` +
                ` - apiKey: the API key is empty. Pass the IAM API key of a service ID that has the Container Registry Reader role ` +
                `(for example NamespaceIdentity's apiKey output).\n` +
                ` - serviceAccounts[0]: "Bad Name" is not a valid ServiceAccount name (a DNS-1123 subdomain: at most 253 lower-case ` +
                `letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit). Did you mean "bad-name"?`,
        );
    });

    it("rejects a deprecated bluemix.net domain and an unknown layout", function () {
        expect(rejection({ namespace: "a", apiKey: "k", domains: ["registry.ng.bluemix.net"] })).to.equal(
            `domains[0]: "registry.ng.bluemix.net" is a deprecated registry.*.bluemix.net domain. IBM Cloud Container Registry ` +
                `moved to icr.io in 2019, and the token-based pull secrets for bluemix.net are deprecated in favour of IAM API ` +
                `keys on icr.io; use "us.icr.io" (IAM region us-south) instead.`,
        );
        expect(rejection({ namespace: "a", apiKey: "k", layout: "combine" as "combined" })).to.equal(
            `layout: unknown layout "combine". Did you mean "combined"? Valid layouts: perDomain, combined.`,
        );
    });

    it("rejects an API key that turns out empty at deploy time", async function () {
        const failure = unhandledRejections();
        new NamespacePullSecrets("late", {
            namespace: "a",
            apiKey: pulumi.output(""),
            regions: ["us"],
            includeGlobal: false,
            serviceAccounts: [],
        });
        // The SDK reports it once per layer of the input, prefixed with the property path.
        const errors = await failure;
        expect(errors.length).to.be.at.least(1);
        for (const err of errors) {
            expect(err.message).to.match(/^(error serializing property "data": )+apiKey: /);
            expect(err.message.replace(/^(error serializing property "data": )+/, "")).to.equal(
                `apiKey: the API key is empty. Pass the IAM API key of a service ID that has the Container Registry Reader role ` +
                    `(for example NamespaceIdentity's apiKey output).`,
            );
        }
    });

    it("describes an API key with white space or of the wrong type, never showing it", async function () {
        const key = "N5msBe7aLCK05w2HSwbrr7iZyMftHMY9iC8-aMVVk804";
        const withNewline = rejection({ namespace: "a", apiKey: `${key}\n` });
        expect(withNewline).to.equal(
            `apiKey: the API key (a 45-character string of letters, digits and "-" on 2 lines) contains white space, ` +
                `which IAM API keys never do; the registry would refuse it. Trim it (a trailing newline from reading ` +
                `a file is the usual cause).`,
        );
        expect(rejection({ namespace: "a", apiKey: { key } as never })).to.equal(
            `apiKey: expected the API key as a string; got an object. Pass the IAM API key of a service ID that has ` +
                `the Container Registry Reader role (for example NamespaceIdentity's apiKey output).`,
        );
        // Known only at deploy time: the same description, from the apply.
        const failure = unhandledRejections();
        new NamespacePullSecrets("late-space", {
            namespace: "a",
            apiKey: pulumi.secret(` ${key}`),
            regions: ["us"],
            serviceAccounts: [],
        });
        const errors = await failure;
        expect(errors.length).to.be.at.least(1);
        for (const err of errors) {
            expect(err.message).to.contain("apiKey: the API key (a 45-character string");
            expect(err.message).not.to.contain(key);
        }
    });

    it("rejects an empty region list unless includeGlobal: true says icr.io only", async function () {
        expect(rejection({ namespace: "a", apiKey: "k", regions: [] })).to.equal(
            `regions: the list is empty, which would cover only the global icr.io, not "no region" and not ` +
                `"every region". Omit "regions" for every region, list the regions (e.g. ["us-south"]), or set ` +
                `includeGlobal: true to mean icr.io only.`,
        );
        const c = await build("icr-only", { namespace: "a", apiKey: "k", regions: [], includeGlobal: true });
        expect(c.domains).to.deep.equal(["icr.io"]);
    });

    it("rejects a region named twice in two spellings, naming the entry", function () {
        expect(rejection({ namespace: "a", apiKey: "k", regions: ["us-south", "de", "us"] })).to.equal(
            `regions[2]: "us" names region us-south (us.icr.io), as regions[0] ("us-south") does; list each region once.`,
        );
    });

    describe("warnings about the Kubernetes provider", function () {
        const mutableWarning =
            `NamespacePullSecrets "w": the Kubernetes provider replaces a Secret when its data changes unless enableSecretMutable ` +
            `is set, and a pull secret with a fixed name is deleted before it is re-created, so pods started in between ` +
            `cannot pull. Run \`pulumi config set kubernetes:enableSecretMutable true\` (or set ` +
            `PULUMI_K8S_ENABLE_SECRET_MUTABLE=true) so that a new key updates the secrets in place.`;
        afterEach(function () {
            delete process.env.PULUMI_K8S_ENABLE_SECRET_MUTABLE;
        });

        it("warns that rotation would replace the secrets when the default provider lacks enableSecretMutable", async function () {
            await build("w", { namespace: "a", apiKey: "k", regions: ["us"] });
            expect(warnings).to.deep.equal([mutableWarning]);
        });

        it("stays quiet when enableSecretMutable is set", async function () {
            process.env.PULUMI_K8S_ENABLE_SECRET_MUTABLE = "true";
            await build("w", { namespace: "a", apiKey: "k", regions: ["us"] });
            expect(warnings).to.deep.equal([]);
        });

        it("warns when an explicit provider is given without a kubeconfig for the service-account patch", async function () {
            const provider = new k8s.Provider("cluster", {});
            const c = new NamespacePullSecrets(
                "w",
                { namespace: "a", apiKey: "k", regions: ["us"] },
                { providers: [provider] },
            );
            await unwrap(c.serviceAccounts);
            expect(warnings).to.deep.equal([
                `NamespacePullSecrets "w": a Kubernetes provider was passed in but "kubeconfig" was not; the service-account ` +
                    `patch reads kubernetes:kubeconfig, KUBECONFIG or ~/.kube/config instead, which may be another cluster. ` +
                    `Pass the provider's kubeconfig as "kubeconfig", or serviceAccounts: [] to skip the patch.`,
            ]);
            warnings.length = 0;
            const quiet = new NamespacePullSecrets(
                "w2",
                { namespace: "a", apiKey: "k", regions: ["us"], kubeconfig: "apiVersion: v1" },
                { providers: [provider] },
            );
            await unwrap(quiet.serviceAccounts);
            expect(warnings).to.deep.equal([]);
        });
    });
});
