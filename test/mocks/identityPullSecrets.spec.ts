// NamespacePullSecrets given a NamespaceIdentity's apiKey, under Pulumi mocks: secrets only for
// the registries the identity's policies grant, by one rule (registryDomains.ts
// policyLocations), and a refusal at preview, naming both settings, when the program asks for
// a registry the identity cannot pull from. ClusterRegistryAccess follows the same rule.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ClusterRegistryAccess } from "../../components/clusterRegistryAccess";
import { NamespaceIdentity, NamespaceIdentityArgs } from "../../components/iam/namespaceIdentity";
import { NamespacePullSecrets, NamespacePullSecretsArgs } from "../../components/k8s/namespacePullSecrets";
import { KUBECONFIG, seen, unwrap } from "./hooks";

const SECRET = "kubernetes:core/v1:Secret";
const POLICY = "pulumi-nodejs:dynamic/iam:AccessPolicy";

const identity = (name: string, args: Omit<NamespaceIdentityArgs, "cluster" | "namespace">) =>
    new NamespaceIdentity(name, { cluster: "c", namespace: name, ...args });
const pullSecrets = async (name: string, args: NamespacePullSecretsArgs) => {
    const c = new NamespacePullSecrets(name, { serviceAccounts: [], ...args });
    await unwrap(c.secretNames);
    return c;
};
const refusal = (name: string, args: NamespacePullSecretsArgs): string => {
    try {
        new NamespacePullSecrets(name, { serviceAccounts: [], ...args });
    } catch (err) {
        expect(pulumi.ResourceError.isInstance(err)).to.equal(true);
        return (err as Error).message;
    }
    throw new Error("expected a ResourceError");
};
/** Policy regions of the policies registered under an identity named `name`. */
const policyRegions = (name: string) =>
    seen
        .filter((r) => r.type === POLICY && r.name.startsWith(`${name}-policy`))
        .map((r) => (r.inputs.region as string | undefined) ?? "(every region)");

describe("NamespacePullSecrets given a NamespaceIdentity's apiKey", function () {
    it("the README's second half: regions [au-syd] on both writes au.icr.io and icr.io, and IAM grants both", async function () {
        const id = identity("web", { regions: ["au-syd"] });
        const pull = await pullSecrets("web", { namespace: "web", apiKey: id.apiKey, regions: ["au-syd"] });
        await unwrap(id.policyIds);

        expect(await unwrap(pull.secretNames)).to.deep.equal(["web-icr-io", "web-au-icr-io"]);
        expect(policyRegions("web")).to.deep.equal(["au-syd", "global"]);
        expect(pull.domains).to.deep.equal(["icr.io", "au.icr.io"]);
        expect(id.grantedLocations).to.deep.equal(["au-syd", "global"]);
    });

    it("follows the identity when regions and includeGlobal are omitted", async function () {
        const id = identity("ci", { regions: ["eu-de", "us"], includeGlobal: false });
        const pull = await pullSecrets("ci", { namespace: "ci", apiKey: id.apiKey, endpoints: "both" });
        expect(pull.domains).to.deep.equal([
            "us.icr.io",
            "private.us.icr.io",
            "de.icr.io",
            "private.de.icr.io",
        ]);

        // regions given, includeGlobal omitted: icr.io only if the identity grants it.
        const alsoCi = await pullSecrets("ci-de", { namespace: "ci", apiKey: id.apiKey, regions: ["de"] });
        expect(alsoCi.domains).to.deep.equal(["de.icr.io"]);

        // An identity of every region: every domain, as for any key.
        const all = identity("all", {});
        expect((await pullSecrets("all", { namespace: "all", apiKey: all.apiKey })).domains).to.have.length(
            13,
        );
        // icr.io only.
        const hub = identity("hub", { regions: ["global"] });
        expect((await pullSecrets("hub", { namespace: "hub", apiKey: hub.apiKey })).domains).to.deep.equal([
            "icr.io",
        ]);
    });

    it("refuses at preview a region, includeGlobal or domain the identity does not grant, naming both settings", function () {
        const id = identity("shop", { regions: ["au-syd"], includeGlobal: false });
        expect(
            refusal("shop", {
                namespace: "shop",
                apiKey: id.apiKey,
                regions: ["au-syd"],
                includeGlobal: true,
            }),
        ).to.equal(
            'includeGlobal: asks for a pull secret for the global registry icr.io, but the apiKey is NamespaceIdentity "shop"\'s, ' +
                'whose policies grant only au-syd (regions: ["au-syd"], includeGlobal: false), so the registry would refuse ' +
                'its pulls there. Either set includeGlobal: true on the NamespaceIdentity (or add "global" to its regions), ' +
                "or set includeGlobal: false here (or omit it to follow the identity).",
        );
        expect(
            refusal("shop", {
                namespace: "shop",
                apiKey: id.apiKey,
                regions: ["au", "us-south", "global"],
                endpoints: "both",
            }),
        ).to.equal(
            "2 problems:\n" +
                ' - regions[2]: asks for a pull secret for the global registry icr.io, but the apiKey is NamespaceIdentity "shop"\'s, ' +
                'whose policies grant only au-syd (regions: ["au-syd"], includeGlobal: false), so the registry would refuse ' +
                'its pulls there. Either set includeGlobal: true on the NamespaceIdentity (or add "global" to its regions), ' +
                "or remove it here (or omit regions to follow the identity).\n" +
                ' - regions[1]: asks for a pull secret for region us-south (us.icr.io), but the apiKey is NamespaceIdentity "shop"\'s, ' +
                'whose policies grant only au-syd (regions: ["au-syd"], includeGlobal: false), so the registry would refuse ' +
                'its pulls there. Either add "us-south" to the NamespaceIdentity\'s regions, or remove it here (or omit ' +
                "regions to follow the identity).",
        );
        expect(
            refusal("shop", {
                namespace: "shop",
                apiKey: id.apiKey,
                domains: ["au.icr.io", "private.jp.icr.io"],
            }),
        ).to.contain(
            'domains[1]: asks for a pull secret for region jp-tok (private.jp.icr.io), but the apiKey is NamespaceIdentity "shop"',
        );
        expect(seen.filter((r) => r.type === SECRET)).to.deep.equal([]);
    });

    it("takes a key the program wrapped or derived as any other key", async function () {
        const id = identity("wrapped", { regions: ["au-syd"], includeGlobal: false });
        const pull = await pullSecrets("wrapped", {
            namespace: "wrapped",
            apiKey: pulumi.secret(id.apiKey),
            regions: ["au-syd"],
        });
        expect(pull.domains).to.deep.equal(["icr.io", "au.icr.io"]);
    });
});

describe("ClusterRegistryAccess, by the same rule", function () {
    it("grants each identity exactly the registries its namespaces get pull secrets for", async function () {
        const access = new ClusterRegistryAccess("k", {
            cluster: "k",
            kubeconfig: KUBECONFIG,
            namespaces: {
                web: { regions: ["eu-de"], serviceAccounts: [] },
                ci: { regions: ["us", "au-syd"], includeGlobal: false, serviceAccounts: [] },
                hub: { regions: [], includeGlobal: true, serviceAccounts: [] },
            },
        });
        const names = await unwrap(
            pulumi.all(Object.values(access.namespaces).map((n) => n.secretNames)) as pulumi.Output<
                string[][]
            >,
        );
        expect(names).to.deep.equal([
            ["web-icr-io", "web-de-icr-io"],
            ["ci-us-icr-io", "ci-au-icr-io"],
            ["hub-icr-io"],
        ]);
        expect(policyRegions("k-web")).to.deep.equal(["eu-de", "global"]);
        expect(policyRegions("k-ci")).to.deep.equal(["us-south", "au-syd"]);
        expect(policyRegions("k-hub")).to.deep.equal(["global"]);
    });
});
