// Registry-token pull secrets recognised by content, and the old-to-new domain table.
import { expect } from "chai";
import {
    classifyTokenSecret,
    findTokenSecrets,
    icrImageReference,
    isOldRegistryDomain,
    newDomainOf,
    SecretObject,
} from "../../components/shared/migration/tokenSecrets";

const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64");
const entry = (user: string, pass = "s3cret-token-value") => ({
    username: user,
    password: pass,
    email: "a@b.c",
    auth: b64(`${user}:${pass}`),
});
const json = (name: string, auths: Record<string, unknown>): SecretObject => ({
    metadata: { name },
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": b64({ auths }) },
});
const cfg = (name: string, auths: Record<string, unknown>): SecretObject => ({
    metadata: { name },
    type: "kubernetes.io/dockercfg",
    data: { ".dockercfg": b64(auths) },
});

describe("registry-token secrets", function () {
    it("maps each old domain to IBM's icr.io domain, and nothing else", function () {
        expect(
            [
                "registry.ng.bluemix.net",
                "registry.eu-gb.bluemix.net",
                "registry.eu-de.bluemix.net",
                "registry.au-syd.bluemix.net",
                "registry.bluemix.net",
                "https://registry.ng.bluemix.net/v1/",
                "registry.jp-tok.bluemix.net",
                "us.icr.io",
            ].map(newDomainOf),
        ).to.deep.equal([
            "us.icr.io",
            "uk.icr.io",
            "de.icr.io",
            "au.icr.io",
            "icr.io",
            "us.icr.io",
            undefined,
            undefined,
        ]);
        expect(isOldRegistryDomain("registry.jp-tok.bluemix.net")).to.equal(true);
        expect(isOldRegistryDomain("icr.io")).to.equal(false);
    });

    it("finds token secrets by content in both formats, whatever their names", function () {
        const found = findTokenSecrets([
            cfg("anything", { "registry.ng.bluemix.net": entry("token") }),
            json("bluemix-default-secret-international", { "registry.bluemix.net": entry("token") }),
            json("mixed", { "registry.ng.bluemix.net": entry("token"), "us.icr.io": entry("iamapikey") }),
            json("all-icr-io", { "us.icr.io": entry("iamapikey") }),
            json("not-token-user", { "registry.ng.bluemix.net": entry("someone") }),
            json("odd-region", { "registry.jp-tok.bluemix.net": entry("token") }),
            {
                metadata: { name: "opaque" },
                type: "Opaque",
                data: { ".dockercfg": b64({ "registry.ng.bluemix.net": entry("token") }) },
            },
            json("regional", {
                "registry.eu-gb.bluemix.net": entry("token"),
                "registry.ng.bluemix.net": entry("token"),
                "registry.au-syd.bluemix.net": entry("token"),
                "registry.eu-de.bluemix.net": entry("token"),
            }),
        ]);
        expect(found.tokens).to.deep.equal([
            {
                name: "anything",
                type: "kubernetes.io/dockercfg",
                oldDomains: ["registry.ng.bluemix.net"],
                newDomains: ["us.icr.io"],
                regions: ["us-south"],
            },
            {
                name: "bluemix-default-secret-international",
                type: "kubernetes.io/dockerconfigjson",
                oldDomains: ["registry.bluemix.net"],
                newDomains: ["icr.io"],
                regions: ["global"],
            },
            {
                name: "regional",
                type: "kubernetes.io/dockerconfigjson",
                oldDomains: [
                    "registry.au-syd.bluemix.net",
                    "registry.eu-de.bluemix.net",
                    "registry.eu-gb.bluemix.net",
                    "registry.ng.bluemix.net",
                ],
                newDomains: ["us.icr.io", "uk.icr.io", "de.icr.io", "au.icr.io"],
                regions: ["us-south", "eu-gb", "eu-de", "au-syd"],
            },
        ]);
        expect(found.unmapped).to.deep.equal([
            { name: "odd-region", unknownDomains: ["registry.jp-tok.bluemix.net"] },
        ]);
    });

    it("reads the username from auth when the entry has none, and never returns a password", function () {
        const s = json("t", { "registry.ng.bluemix.net": { auth: b64("token:the-password-xyz") } });
        const c = classifyTokenSecret(s);
        expect(c).to.have.property("token");
        expect(JSON.stringify(c)).not.to.contain("the-password-xyz");
        expect(
            classifyTokenSecret({
                metadata: { name: "bad" },
                type: "kubernetes.io/dockercfg",
                data: { ".dockercfg": "!!" },
            }),
        ).to.equal(undefined);
    });

    it("rewrites image references on old domains to icr.io", function () {
        expect(icrImageReference("registry.ng.bluemix.net/team/app:1.2")).to.equal("us.icr.io/team/app:1.2");
        expect(icrImageReference("registry.bluemix.net/ibm/tool@sha256:ab")).to.equal(
            "icr.io/ibm/tool@sha256:ab",
        );
        expect(icrImageReference("us.icr.io/team/app:1.2")).to.equal(undefined);
        expect(icrImageReference("nginx")).to.equal(undefined);
    });
});
