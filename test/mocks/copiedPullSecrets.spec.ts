import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { CopiedPullSecrets, CopiedPullSecretsArgs } from "../../components/k8s/copiedPullSecrets";
import { holdsSecret, readStates, reveal, seen, unhandledRejections, unwrap, warnings } from "./hooks";

const SECRET = "kubernetes:core/v1:Secret";
const SA_PATCH = "pulumi-nodejs:dynamic/k8s:ServiceAccountPullSecrets";
const source = (
    name: string,
    type = "kubernetes.io/dockerconfigjson",
    data: Record<string, string> = { ".dockerconfigjson": "e30=" },
) =>
    readStates.set(`${SECRET}::default/${name}`, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace: "default" },
        type,
        data,
    });
const rejection = (args: CopiedPullSecretsArgs): string => {
    try {
        new CopiedPullSecrets("bad", args);
    } catch (err) {
        expect(pulumi.ResourceError.isInstance(err)).to.equal(true);
        return (err as Error).message;
    }
    throw new Error("expected a ResourceError");
};

describe("CopiedPullSecrets", function () {
    it("reads each source once and writes a stack-owned copy per namespace, renamed as the runbook's sed", async function () {
        // GIVEN IKS's per-region secrets in `default`
        source("default-us-icr-io", "kubernetes.io/dockerconfigjson", {
            ".dockerconfigjson": "dXMtZGF0YQ==",
        });
        source("all-icr-io");

        // WHEN they are copied into two namespaces
        const c = new CopiedPullSecrets("copy", {
            secretNames: ["default-us-icr-io", "all-icr-io"],
            targetNamespaces: ["team-a", "team-b"],
        });
        const names = await unwrap(c.secretNames);
        await unwrap(c.serviceAccounts);

        // THEN the sources are read (not created), and each copy keeps type and (secret) data
        // (sorted: dynamic resources register later, after their provider is serialized)
        expect(seen.map((r) => [r.type, r.name, r.id || null]).sort()).to.deep.equal([
            ["icr:k8s:CopiedPullSecrets", "copy", null],
            [SECRET, "copy-source-all-icr-io", "default/all-icr-io"],
            [SECRET, "copy-source-default-us-icr-io", "default/default-us-icr-io"],
            [SECRET, "copy-team-a-all-icr-io", null],
            [SECRET, "copy-team-a-default-us-icr-io", null],
            [SECRET, "copy-team-b-all-icr-io", null],
            [SECRET, "copy-team-b-default-us-icr-io", null],
            [SA_PATCH, "copy-team-a-sa-default", null],
            [SA_PATCH, "copy-team-b-sa-default", null],
        ]);
        const copies = seen
            .filter((r) => r.type === SECRET && !r.id)
            .sort((a, b) => a.name.localeCompare(b.name));
        expect(
            copies.map((s) => [s.inputs.metadata.namespace, s.inputs.metadata.name, s.inputs.type]),
        ).to.deep.equal([
            ["team-a", "all-icr-io", "kubernetes.io/dockerconfigjson"],
            ["team-a", "team-a-us-icr-io", "kubernetes.io/dockerconfigjson"],
            ["team-b", "all-icr-io", "kubernetes.io/dockerconfigjson"],
            ["team-b", "team-b-us-icr-io", "kubernetes.io/dockerconfigjson"],
        ]);
        expect(copies.every((s) => holdsSecret(s.inputs.data))).to.equal(true);
        expect(reveal(copies[1].inputs.data)).to.deep.equal({ ".dockerconfigjson": "dXMtZGF0YQ==" });
        expect(copies[1].inputs.metadata.annotations).to.deep.equal({
            "pulumi-icr-access/copied-from": "default/default-us-icr-io",
        });
        expect(names).to.deep.equal({
            "team-a": ["team-a-us-icr-io", "all-icr-io"],
            "team-b": ["team-b-us-icr-io", "all-icr-io"],
        });
        const patches = seen.filter((r) => r.type === SA_PATCH).sort((a, b) => a.name.localeCompare(b.name));
        expect(patches.map((p) => [p.inputs.namespace, p.inputs.secretNames])).to.deep.equal([
            ["team-a", ["team-a-us-icr-io", "all-icr-io"]],
            ["team-b", ["team-b-us-icr-io", "all-icr-io"]],
        ]);
        expect(await unwrap(c.serviceAccounts)).to.deep.equal(["team-a/default", "team-b/default"]);
    });

    it("keeps names when asked, copies from another namespace, and can create the targets", async function () {
        readStates.set(`${SECRET}::shared/shared-us-icr-io`, {
            type: "kubernetes.io/dockerconfigjson",
            data: {},
            metadata: {},
        });
        const c = new CopiedPullSecrets("k", {
            sourceNamespace: "shared",
            secretNames: ["shared-us-icr-io"],
            targetNamespaces: ["team-a"],
            keepNames: true,
            createNamespaces: true,
            serviceAccounts: [],
        });
        expect(await unwrap(c.secretNames)).to.deep.equal({ "team-a": ["shared-us-icr-io"] });
        expect(seen.map((r) => [r.type, r.name]).sort()).to.deep.equal([
            ["icr:k8s:CopiedPullSecrets", "k"],
            ["kubernetes:core/v1:Namespace", "k-team-a-namespace"],
            [SECRET, "k-source-shared-us-icr-io"],
            [SECRET, "k-team-a-shared-us-icr-io"],
            // Before the namespace is created: it must not exist, or be this stack's.
            ["pulumi-nodejs:dynamic/k8s:CreationGuard", "k-creation-guard"],
        ]);
        const guard = seen.find((r) => r.type === "pulumi-nodejs:dynamic/k8s:CreationGuard")!;
        expect(
            guard.inputs.objects.map((o: { kind: string; name: string }) => `${o.kind}/${o.name}`),
        ).to.deep.equal(["Namespace/team-a"]);
    });

    it("warns when a source holds deprecated bluemix.net token credentials, without showing them", async function () {
        const cfg = { "registry.ng.bluemix.net": { username: "token", password: "tok-secret-value" } };
        source("bluemix-default-secret", "kubernetes.io/dockercfg", {
            ".dockercfg": Buffer.from(JSON.stringify(cfg)).toString("base64"),
        });
        const c = new CopiedPullSecrets("old", {
            secretNames: ["bluemix-default-secret"],
            targetNamespaces: ["team-a"],
            serviceAccounts: [],
        });
        await unwrap(c.secretNames);
        expect(warnings).to.include(
            `secretNames: "default/bluemix-default-secret" holds deprecated registry token credentials for registry.ng.bluemix.net. ` +
                `IBM Cloud Container Registry moved to icr.io with IAM API keys; write new secrets with NamespacePullSecrets ` +
                `(or run \`ibmcloud ks cluster pull-secret apply\`) and copy those instead.`,
        );
        expect(warnings.join("\n")).not.to.contain("tok-secret-value");
    });

    it("rejects a source that is not a pull secret, at deploy time", async function () {
        source("db-password", "Opaque");
        const failure = unhandledRejections();
        new CopiedPullSecrets("opaque", {
            secretNames: ["db-password"],
            targetNamespaces: ["team-a"],
            serviceAccounts: [],
        });
        const errors = await failure;
        expect(errors.length).to.be.at.least(1);
        for (const err of errors) {
            expect(err.message.replace(/^(error serializing property "[a-z]+": )+/, "")).to.equal(
                `secretNames: "default/db-password" has type "Opaque", so pods cannot use it to pull images. ` +
                    `Copy a secret of type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg.`,
            );
        }
    });

    it("rejects copying onto the source, colliding copies and empty lists, all at once", function () {
        expect(
            rejection({
                secretNames: ["all-icr-io", "default-x", "team-x"],
                targetNamespaces: ["default", "team"],
            }),
        ).to.equal(
            `2 problems:\n` +
                ` - targetNamespaces[0]: "default" is the source namespace, so copying would overwrite "all-icr-io", "default-x", ` +
                `"team-x" with itself. Remove "default" from targetNamespaces.\n` +
                ` - secretNames: "default-x" and "team-x" would both be copied to "team/team-x". Copy only one of them.`,
        );
        expect(rejection({ secretNames: [], targetNamespaces: [] })).to.equal(
            `2 problems:\n` +
                ` - secretNames: the list is empty; name at least one secret in "default" to copy.\n` +
                ` - targetNamespaces: the list is empty; name at least one namespace to copy into.`,
        );
    });
});
