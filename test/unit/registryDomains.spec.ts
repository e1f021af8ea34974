import { expect } from "chai";
import * as fc from "fast-check";
import {
    ALL_REGISTRY_DOMAINS,
    RegistryDomainError,
    resolveRegistryDomains,
    VALID_REGIONS_TEXT,
} from "../../components/shared/registry/registryDomains";
import { REGISTRY_REGIONS } from "../../components/shared/registry/registryRegions";

const VALID = VALID_REGIONS_TEXT;
const resolve = (sel: Parameters<typeof resolveRegistryDomains>[0]) =>
    resolveRegistryDomains(sel).map((d) => d.domain);
const failure = (sel: Parameters<typeof resolveRegistryDomains>[0]): string => {
    try {
        resolveRegistryDomains(sel);
    } catch (err) {
        expect(err).to.be.instanceOf(RegistryDomainError);
        return (err as Error).message;
    }
    throw new Error("expected a RegistryDomainError");
};

describe("registry domains table", function () {
    it("lists every region IBM serves with its IAM region, public, private and deprecated domain", function () {
        expect(
            REGISTRY_REGIONS.map((r) => [
                r.iamRegion,
                r.domain,
                r.privateDomain,
                r.formerName ?? null,
                r.deprecatedDomain ?? null,
            ]),
        ).to.deep.equal([
            ["global", "icr.io", "private.icr.io", null, "registry.bluemix.net"],
            ["us-south", "us.icr.io", "private.us.icr.io", null, "registry.ng.bluemix.net"],
            ["eu-gb", "uk.icr.io", "private.uk.icr.io", "uk-south", "registry.eu-gb.bluemix.net"],
            ["eu-de", "de.icr.io", "private.de.icr.io", "eu-central", "registry.eu-de.bluemix.net"],
            ["au-syd", "au.icr.io", "private.au.icr.io", "ap-south", "registry.au-syd.bluemix.net"],
            ["jp-tok", "jp.icr.io", "private.jp.icr.io", "ap-north", null],
            ["jp-osa", "jp2.icr.io", "private.jp2.icr.io", null, null],
            ["ca-tor", "ca.icr.io", "private.ca.icr.io", null, null],
            ["ca-mon", "ca2.icr.io", "private.ca2.icr.io", null, null],
            ["br-sao", "br.icr.io", "private.br.icr.io", null, null],
            ["eu-es", "es.icr.io", "private.es.icr.io", null, null],
            ["in-che", "in.icr.io", "private.in.icr.io", null, null],
            ["in-mum", "in2.icr.io", "private.in2.icr.io", null, null],
        ]);
    });

    it("has no fr2.icr.io, which does not exist", function () {
        expect(ALL_REGISTRY_DOMAINS).not.to.include("fr2.icr.io");
        expect(ALL_REGISTRY_DOMAINS).to.have.length(26);
    });
});

describe("resolveRegistryDomains", function () {
    it("defaults to every public domain, global first, in table order", function () {
        expect(resolve({})).to.deep.equal([
            "icr.io",
            "us.icr.io",
            "uk.icr.io",
            "de.icr.io",
            "au.icr.io",
            "jp.icr.io",
            "jp2.icr.io",
            "ca.icr.io",
            "ca2.icr.io",
            "br.icr.io",
            "es.icr.io",
            "in.icr.io",
            "in2.icr.io",
        ]);
    });

    it("adds the global icr.io to chosen regions unless includeGlobal is false", function () {
        expect(resolve({ regions: ["us-south"] })).to.deep.equal(["icr.io", "us.icr.io"]);
        expect(resolve({ regions: ["us-south"], includeGlobal: false })).to.deep.equal(["us.icr.io"]);
        expect(resolve({ regions: ["global"], includeGlobal: false })).to.deep.equal(["icr.io"]);
    });

    it("accepts IAM region names, domain prefixes and former registry region names alike", function () {
        expect(resolve({ regions: ["eu-gb"], includeGlobal: false })).to.deep.equal(["uk.icr.io"]);
        expect(resolve({ regions: ["uk"], includeGlobal: false })).to.deep.equal(["uk.icr.io"]);
        expect(resolve({ regions: ["uk-south"], includeGlobal: false })).to.deep.equal(["uk.icr.io"]);
        expect(resolve({ regions: ["ap-north", "jp2", "in-mum"], includeGlobal: false })).to.deep.equal([
            "jp.icr.io",
            "jp2.icr.io",
            "in2.icr.io",
        ]);
    });

    it("gives private domains, or both, with the key used for names", function () {
        expect(resolveRegistryDomains({ regions: ["us"], endpoints: "private" })).to.deep.equal([
            { domain: "private.icr.io", key: "private-icr-io", iamRegion: "global", private: true },
            { domain: "private.us.icr.io", key: "private-us-icr-io", iamRegion: "us-south", private: true },
        ]);
        expect(resolve({ regions: ["de"], endpoints: "both", includeGlobal: false })).to.deep.equal([
            "de.icr.io",
            "private.de.icr.io",
        ]);
    });

    it("takes exact domains, in table order", function () {
        expect(resolve({ domains: ["private.jp2.icr.io", "us.icr.io", "us.icr.io"] })).to.deep.equal([
            "us.icr.io",
            "private.jp2.icr.io",
        ]);
    });

    it("gives the same domains whatever the order of regions", function () {
        const tokens = REGISTRY_REGIONS.map((r) => r.iamRegion);
        fc.assert(
            fc.property(
                fc.uniqueArray(fc.constantFrom(...tokens), { minLength: 1 }),
                fc.func(fc.integer()),
                (regions, rank) => {
                    const shuffled = [...regions].sort((a, b) => rank(a) - rank(b));
                    expect(resolve({ regions: shuffled })).to.deep.equal(resolve({ regions }));
                },
            ),
        );
    });

    it("rejects an unknown region, suggesting the near miss and listing valid regions", function () {
        expect(failure({ regions: ["us-sout"] })).to.equal(
            `regions[0]: unknown region "us-sout". Did you mean "us-south"? Valid regions: ${VALID}. Omit "regions" for every region.`,
        );
        expect(failure({ regions: ["US-South"] })).to.equal(
            `regions[0]: unknown region "US-South". Did you mean "us-south"? Valid regions: ${VALID}. Omit "regions" for every region.`,
        );
        expect(failure({ regions: ["us-east-9"] })).to.equal(
            `regions[0]: unknown region "us-east-9". Valid regions: ${VALID}. Omit "regions" for every region.`,
        );
        expect(VALID).to.equal(
            "global, us-south (us), eu-gb (uk), eu-de (de), au-syd (au), jp-tok (jp), jp-osa (jp2), ca-tor (ca), " +
                "ca-mon (ca2), br-sao (br), eu-es (es), in-che (in), in-mum (in2)",
        );
    });

    it("rejects a domain given as a region, pointing at the region and at domains", function () {
        expect(failure({ regions: ["us.icr.io"] })).to.equal(
            `regions[0]: "us.icr.io" looks like a domain; "regions" takes region names. Did you mean region "us-south" (us.icr.io)? ` +
                `Valid regions: ${VALID}. To list domains, use "domains" instead.`,
        );
    });

    it("rejects deprecated bluemix.net domains, explaining the move to icr.io and naming the replacement", function () {
        expect(failure({ regions: ["registry.ng.bluemix.net"] })).to.equal(
            `regions[0]: "registry.ng.bluemix.net" is a deprecated registry.*.bluemix.net domain. IBM Cloud Container Registry ` +
                `moved to icr.io in 2019, and the token-based pull secrets for bluemix.net are deprecated in favour of IAM API ` +
                `keys on icr.io; use "us.icr.io" (IAM region us-south) instead.`,
        );
        const replacements: Record<string, string> = {
            "registry.bluemix.net": `use "icr.io" (global) instead.`,
            "registry.eu-gb.bluemix.net": `use "uk.icr.io" (IAM region eu-gb) instead.`,
            "registry.eu-de.bluemix.net": `use "de.icr.io" (IAM region eu-de) instead.`,
            "registry.au-syd.bluemix.net": `use "au.icr.io" (IAM region au-syd) instead.`,
            "https://registry.ng.bluemix.net/": `use "us.icr.io" (IAM region us-south) instead.`,
        };
        for (const [domain, tail] of Object.entries(replacements)) {
            const message = failure({ domains: [domain] });
            expect(
                message.startsWith(`domains[0]: "${domain}" is a deprecated registry.*.bluemix.net domain.`),
                message,
            ).to.equal(true);
            expect(message.endsWith(tail), message).to.equal(true);
        }
    });

    it("rejects unknown domains, all problems at once, each with its index and a suggestion", function () {
        const domainsList =
            "icr.io, us.icr.io, uk.icr.io, de.icr.io, au.icr.io, jp.icr.io, jp2.icr.io, ca.icr.io, ca2.icr.io, br.icr.io, " +
            "es.icr.io, in.icr.io, in2.icr.io";
        const tail = ` Valid domains: ${domainsList}, each also with a "private." prefix. For a registry outside IBM Cloud, use RegistryCredentials.`;
        expect(failure({ domains: ["us.icr.com", "private.jp2.icr.io", "https://de.icr.io/"] })).to.equal(
            `2 problems:\n` +
                ` - domains[0]: unknown IBM Cloud Container Registry domain "us.icr.com". Did you mean "us.icr.io"?${tail}\n` +
                ` - domains[2]: unknown IBM Cloud Container Registry domain "https://de.icr.io/". Did you mean "de.icr.io"?${tail}`,
        );
        expect(failure({ domains: ["fr2.icr.io"] })).to.equal(
            `domains[0]: unknown IBM Cloud Container Registry domain "fr2.icr.io".${tail}`,
        );
        expect(failure({ domains: ["private.uss.icr.io"] })).to.equal(
            `domains[0]: unknown IBM Cloud Container Registry domain "private.uss.icr.io". Did you mean "private.us.icr.io"?${tail}`,
        );
    });

    it("rejects domains combined with region fields, an empty selection and an unknown endpoint", function () {
        expect(failure({ domains: ["us.icr.io"], regions: ["us"], endpoints: "both" })).to.equal(
            `domains: cannot be combined with "regions", "endpoints". List every domain (public or private.) in "domains", ` +
                `or choose by region without "domains".`,
        );
        expect(failure({ regions: [], includeGlobal: false })).to.equal(
            `regions: the list is empty and includeGlobal is false, so no registry would be covered. ` +
                `List at least one region (e.g. ["us-south"]), or omit "regions" for every region.`,
        );
        expect(failure({ domains: [] })).to.equal(
            `domains: the list is empty, so no pull secret would be written. Name at least one domain, or omit "domains" for every public domain.`,
        );
        expect(failure({ endpoints: "privat" })).to.equal(
            `endpoints: unknown value "privat". Did you mean "private"? Valid values: public, private, both.`,
        );
    });
});
