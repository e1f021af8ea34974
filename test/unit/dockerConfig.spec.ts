import { expect } from "chai";
import * as fc from "fast-check";
import {
    buildDockerConfigJson,
    buildDockerConfigJsonBase64,
    iamApiKeyCredential,
    parseDockerConfigJson,
    registryHostsOf,
} from "../../components/shared/k8s/dockerConfig";

describe("dockerconfigjson builder", function () {
    it("writes the kubectl docker-registry shape with username iamapikey and IKS's email", function () {
        expect(buildDockerConfigJson(["us.icr.io"], iamApiKeyCredential("k3y"))).to.equal(
            '{"auths":{"us.icr.io":{"username":"iamapikey","password":"k3y","email":"iamapikey","auth":"aWFtYXBpa2V5OmszeQ=="}}}',
        );
        expect(Buffer.from("aWFtYXBpa2V5OmszeQ==", "base64").toString()).to.equal("iamapikey:k3y");
    });

    it("writes one entry per server in the given order, with a configurable email or none", function () {
        const text = buildDockerConfigJson(
            ["icr.io", "private.icr.io"],
            iamApiKeyCredential("k", "ops@example.com"),
        );
        expect(Object.keys(JSON.parse(text).auths)).to.deep.equal(["icr.io", "private.icr.io"]);
        expect(JSON.parse(text).auths["icr.io"].email).to.equal("ops@example.com");
        expect(buildDockerConfigJson(["r.example.com"], { username: "u", password: "p" })).to.equal(
            '{"auths":{"r.example.com":{"username":"u","password":"p","auth":"dTpw"}}}',
        );
    });

    it("round-trips any servers and credentials through the parser, also base64-encoded", function () {
        const server = fc.stringMatching(/^[a-z0-9.-]{1,30}(:[0-9]{1,5})?$/);
        fc.assert(
            fc.property(
                fc.uniqueArray(server, { minLength: 1, maxLength: 5 }),
                fc.string({ minLength: 1 }).filter((u) => !u.includes(":")),
                fc.string(),
                fc.option(fc.string(), { nil: undefined }),
                (servers, username, password, email) => {
                    const cred = { username, password, email };
                    const parsed = parseDockerConfigJson(buildDockerConfigJson(servers, cred));
                    const again = parseDockerConfigJson(buildDockerConfigJsonBase64(servers, cred), {
                        base64: true,
                    });
                    expect(again).to.deep.equal(parsed);
                    // (sorted: JS objects list integer-like keys such as "0" first)
                    expect(Object.keys(parsed).sort()).to.deep.equal([...servers].sort());
                    for (const s of servers) {
                        expect(parsed[s].username).to.equal(username);
                        expect(parsed[s].password).to.equal(password);
                        expect(parsed[s].email).to.equal(email);
                    }
                },
            ),
        );
    });

    it("is deterministic, so an unchanged key never shows a diff", function () {
        fc.assert(
            fc.property(fc.string(), (key) => {
                expect(buildDockerConfigJsonBase64(["us.icr.io"], iamApiKeyCredential(key))).to.equal(
                    buildDockerConfigJsonBase64(["us.icr.io"], iamApiKeyCredential(key)),
                );
            }),
        );
    });

    it("rejects malformed configs and an auth that disagrees with username and password, without echoing them", function () {
        expect(() => parseDockerConfigJson("nope")).to.throw(".dockerconfigjson: not valid JSON");
        expect(() => parseDockerConfigJson('{"x":1}')).to.throw(
            '.dockerconfigjson: expected an object with an "auths" object',
        );
        const lying = '{"auths":{"a":{"username":"u","password":"secret-pw","auth":"dTpvdGhlcg=="}}}';
        expect(() => parseDockerConfigJson(lying)).to.throw(
            '.dockerconfigjson: auths["a"].auth does not match its username and password',
        );
        expect(() => parseDockerConfigJson('{"auths":{"a":{}}}')).to.throw(
            '.dockerconfigjson: auths["a"] has no username and password',
        );
        expect(parseDockerConfigJson('{"auths":{"a":{"auth":"dTpw"}}}')).to.deep.equal({
            a: { username: "u", password: "p", auth: "dTpw" },
        });
    });

    it("lists the hosts of dockerconfigjson and legacy dockercfg data, and nothing for malformed data", function () {
        const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
        expect(
            registryHostsOf({
                ".dockerconfigjson": buildDockerConfigJsonBase64(
                    ["icr.io", "us.icr.io"],
                    iamApiKeyCredential("k"),
                ),
            }),
        ).to.deep.equal(["icr.io", "us.icr.io"]);
        expect(
            registryHostsOf({
                ".dockercfg": b64({ "registry.ng.bluemix.net": { username: "token", password: "t" } }),
            }),
        ).to.deep.equal(["registry.ng.bluemix.net"]);
        expect(registryHostsOf({ ".dockerconfigjson": "not base64 json" })).to.deep.equal([]);
        expect(registryHostsOf(undefined)).to.deep.equal([]);
    });
});
