// ClusterRegistryAccess's checks of its plain arguments (the stack's config), run before any
// child exists: every problem at once, each under the path the user wrote.
import { expect } from "chai";
import { ClusterRegistryAccessArgs } from "../../components/clusterRegistryAccessArgs";
import { clusterRegistryAccessProblems } from "../../components/clusterRegistryAccessProblems";
import { resolveRegistryDomains, VALID_REGIONS_TEXT } from "../../components/shared/registry/registryDomains";

const problemsOf = (extra: Partial<ClusterRegistryAccessArgs>): string[] =>
    clusterRegistryAccessProblems({ cluster: "prod", namespaces: { default: {} }, ...extra });

const DEPRECATED_EU_DE =
    `"registry.eu-de.bluemix.net" is a deprecated registry.*.bluemix.net domain. IBM Cloud Container Registry ` +
    `moved to icr.io in 2019, and the token-based pull secrets for bluemix.net are deprecated in favour of IAM API ` +
    `keys on icr.io; use "de.icr.io" (IAM region eu-de) instead.`;

describe("ClusterRegistryAccess argument checks", function () {
    it("accepts the README's configuration", function () {
        expect(
            problemsOf({
                namespaces: {
                    default: { regions: ["us-south", "eu-de"] },
                    shop: { regions: ["eu-de"], registryNamespace: "shop-images", createNamespace: true },
                    ci: { role: "Writer", regions: ["us-south"], layout: "combined", secretName: "icr-push" },
                    web: { identity: "frontends" },
                    admin: { identity: "frontends" },
                },
                sharedIdentities: { frontends: { regions: ["us-south"] } },
            }),
        ).to.deep.equal([]);
    });

    describe("sharedIdentities entries, checked like namespaces", function () {
        it("reports bad regions, role and registry namespace under the identity's path", function () {
            expect(
                problemsOf({
                    namespaces: { web: { identity: "frontends" } },
                    sharedIdentities: {
                        frontends: {
                            role: "Pusher" as never,
                            regions: ["us-south", "us-sout", "registry.eu-de.bluemix.net"],
                            registryNamespace: "Shop Images",
                        },
                    },
                }),
            ).to.deep.equal([
                `sharedIdentities.frontends.role: unknown role "Pusher". Container Registry service roles are Reader, ` +
                    `Writer, Manager.`,
                `sharedIdentities.frontends.regions[1]: unknown region "us-sout". Did you mean "us-south"? Valid ` +
                    `regions: ${VALID_REGIONS_TEXT}. Omit "regions" for every region.`,
                `sharedIdentities.frontends.regions[2]: ${DEPRECATED_EU_DE}`,
                `sharedIdentities.frontends.registryNamespace: "Shop Images" is not a Container Registry namespace ` +
                    `name (4-30 lower-case letters, digits, "-" and "_", starting and ending with a letter or digit). ` +
                    `Omit it for every namespace.`,
            ]);
        });

        it("reports the same problems on a namespace's own access, under the namespace's path", function () {
            expect(
                problemsOf({
                    namespaces: {
                        shop: {
                            role: "reader" as never,
                            regions: ["registry.eu-de.bluemix.net"],
                            registryNamespace: "x",
                        },
                    },
                }),
            ).to.deep.equal([
                `namespaces.shop.role: unknown role "reader". Container Registry service roles are Reader, Writer, ` +
                    `Manager. Did you mean "Reader"?`,
                `namespaces.shop.regions[0]: ${DEPRECATED_EU_DE}`,
                `namespaces.shop.registryNamespace: "x" is not a Container Registry namespace name (4-30 lower-case ` +
                    `letters, digits, "-" and "_", starting and ending with a letter or digit). Omit it for every namespace.`,
            ]);
        });
    });

    describe("duplicate regions", function () {
        it("reports a region named twice in two spellings, with the user's path", function () {
            expect(
                problemsOf({
                    namespaces: { default: { regions: ["us-south", "eu-de", "us"] } },
                    sharedIdentities: { frontends: { regions: ["uk", "uk"] } },
                }),
            ).to.deep.equal([
                `sharedIdentities.frontends.regions[1]: "uk" is already listed as sharedIdentities.frontends.regions[0]; ` +
                    `list each region once.`,
                `namespaces.default.regions[2]: "us" names region us-south (us.icr.io), as namespaces.default.regions[0] ` +
                    `("us-south") does; list each region once.`,
            ]);
        });

        it("reports them for NamespacePullSecrets' regions too", function () {
            expect(() => resolveRegistryDomains({ regions: ["ap-south", "au-syd"] })).to.throw(
                `regions[1]: "au-syd" names region au-syd (au.icr.io), as regions[0] ("ap-south") does; list each region once.`,
            );
        });
    });

    describe("an empty regions list", function () {
        const EMPTY =
            `the list is empty, which would cover only the global icr.io, not "no region" and not "every region". ` +
            `Omit "regions" for every region, list the regions (e.g. ["us-south"]), or set includeGlobal: true to ` +
            `mean icr.io only.`;

        it("is an error naming the field and the fix, for namespaces and shared identities", function () {
            expect(
                problemsOf({
                    namespaces: { default: { regions: [] }, web: { identity: "frontends" } },
                    sharedIdentities: { frontends: { regions: [], includeGlobal: false } },
                }),
            ).to.deep.equal([
                `sharedIdentities.frontends.regions: the list is empty and includeGlobal is false, so no registry would ` +
                    `be covered. List at least one region (e.g. ["us-south"]), or omit "regions" for every region.`,
                `namespaces.default.regions: ${EMPTY}`,
            ]);
            expect(() => resolveRegistryDomains({ regions: [] })).to.throw(`regions: ${EMPTY}`);
        });

        it("means icr.io only when includeGlobal: true says so", function () {
            expect(
                problemsOf({ namespaces: { default: { regions: [], includeGlobal: true } } }),
            ).to.deep.equal([]);
            expect(
                resolveRegistryDomains({ regions: [], includeGlobal: true }).map((d) => d.domain),
            ).to.deep.equal(["icr.io"]);
        });
    });

    describe("registryCredentials", function () {
        it("reports plain values under the argument's name without showing them", function () {
            const key = "N5msBe7aLCK05w2HSwbrr7iZyMftHMY9iC8-aMVVk804";
            const problems = problemsOf({
                registryCredentials: { apiKey: " ", accountId: key, iamEndpoint: "http://10.1.2.3:8080" },
            });
            expect(problems).to.deep.equal([
                "registryCredentials.apiKey: must be a non-empty API key; got a string of 1 white-space character. " +
                    "Omit `registryCredentials` to use the stack-wide key.",
                'registryCredentials.accountId: got a 44-character string of letters, digits and "-", which is not an ' +
                    "IBM Cloud account id (32 lower-case hexadecimal characters, as `ibmcloud account show` prints). Omit " +
                    "it to use the account of the API key.",
                "registryCredentials.iamEndpoint: uses plain http: to a host that is not loopback, so the API key and " +
                    "the tokens IAM returns would cross the network unencrypted; use https://iam.cloud.ibm.com (IBM's " +
                    "IAM), or another https:// URL. (Plain http: is accepted only for localhost, 127.0.0.0/8 and ::1, " +
                    "e.g. a local IAM emulator.)",
            ]);
            expect(problems.join("\n")).not.to.contain(key);
        });
    });
});
