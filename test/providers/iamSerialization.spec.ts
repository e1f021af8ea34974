// The IAM providers as the engine runs them: serialized by value into `__provider`, then
// deserialized in another module context by the dynamic-provider host. Guards against
// captured credentials, a by-value copy of the Pulumi SDK, and code that breaks once copied.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import Module from "module";
import * as path from "path";
import { IamEmulator } from "../../emulator";
import { accessPolicyProvider } from "../../components/iam/accessPolicy";
import { apiKeyProvider } from "../../components/iam/apiKey";
import { serviceIdProvider } from "../../components/iam/serviceId";
import {
    ACCOUNT_A,
    KEY_A,
    KEY_B,
    clientFor,
    hostConfig,
    isolateCredentials,
    rejection,
    startEmulator,
} from "./iamFixtures";

const providers = {
    ServiceId: serviceIdProvider,
    ApiKey: apiKeyProvider,
    AccessPolicy: accessPolicyProvider,
};

/** Loads serialized provider text the way the host does (require-from-string), from the repository root. */
function deserialize(text: string): pulumi.dynamic.ResourceProvider {
    const filename = path.resolve(__dirname, "../../__serialized_provider__.js");
    const m = new Module(filename);
    m.filename = filename;
    m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
        path.dirname(filename),
    );
    (m as unknown as { _compile(code: string, filename: string): void })._compile(text, filename);
    return (m.exports as { handler(): pulumi.dynamic.ResourceProvider }).handler();
}

describe("IAM providers, serialized", function () {
    isolateCredentials();
    let iam: IamEmulator;
    const texts: Record<string, string> = {};

    before(async function () {
        this.timeout(30_000);
        iam = await startEmulator();
        // The key is in the environment while serializing: it must not end up in the text.
        process.env.IBMCLOUD_API_KEY = KEY_A;
        try {
            for (const [kind, provider] of Object.entries(providers)) {
                texts[kind] = (await pulumi.runtime.serializeFunction(() => provider)).text;
            }
        } finally {
            delete process.env.IBMCLOUD_API_KEY;
        }
    });
    after(async function () {
        await iam?.close();
    });

    for (const kind of Object.keys(providers)) {
        it(`serializes the ${kind} provider without secrets, the SDK or the key`, function () {
            const text = texts[kind];
            expect(text).not.to.contain(KEY_A);
            expect(text).not.to.contain(iam.url);
            expect(text, "the Pulumi SDK is not copied in").not.to.match(
                /require\("@pulumi\/pulumi|deploymentOnlyModule/,
            );
            expect(text, "axios by reference").to.match(/require\("axios[^"]*"\)/);
            expect(text.length, "size budget per provider").to.be.below(150_000);
        });
    }

    it("runs the deserialized providers against IAM, configured as the host does", async function () {
        // GIVEN fresh copies, as a new dynamic-provider process would have
        const sid = deserialize(texts.ServiceId);
        const key = deserialize(texts.ApiKey);
        const pol = deserialize(texts.AccessPolicy);
        const config = hostConfig({ "ibmcloud:apiKey": KEY_A, "ibmcloud:iamEndpoint": iam.url });
        for (const p of [sid, key, pol]) await p.configure!(config);
        iam.resetLog();

        // WHEN they create a service ID, a policy and a key, then delete them
        const s = await sid.create({ name: "copied", description: "by value" });
        const p = await pol.create({ iamId: s.outs.iamId, roles: ["Reader"], region: "us-south" });
        const k = await key.create({ name: "copied-key", iamId: s.outs.iamId });
        expect(s.outs.accountId).to.equal(ACCOUNT_A);
        expect(k.outs.apikey).to.be.a("string");
        await key.delete!(k.id, k.outs);
        await pol.delete!(p.id, p.outs);
        await sid.delete!(s.id, s.outs);

        // THEN the three by-value copies shared one token
        expect(iam.counters().getToken).to.equal(1);
        expect(await clientFor(iam).getServiceId(s.id)).to.equal(undefined);
    });

    it("keeps IAM errors readable in the deserialized copy", async function () {
        const sid = deserialize(texts.ServiceId);
        await sid.configure!(
            hostConfig({ "ibmcloud:apiKey": "wrong-key-4d5e6f7a8b9c0d1e", "ibmcloud:iamEndpoint": iam.url }),
        );
        const err = await rejection(sid.create({ name: "x" }));
        expect(String(err)).to.match(/^IamError: IAM POST \/identity\/token failed: 400 BXNIM0415E: /);
        expect(err.message).to.contain("IAM refused the API key from Pulumi config `ibmcloud:apiKey`.");
        expect(err.message + err.stack).not.to.contain("wrong-key-4d5e6f7a8b9c0d1e");

        const noKey = deserialize(texts.ServiceId);
        await noKey.configure!(hostConfig({}));
        const { failures } = await noKey.check!({}, { name: "x" });
        expect(failures?.[0]?.reason).to.match(
            /^No IBM Cloud API key for IAM \(ServiceId\)\. Give one in any of three ways/,
        );
    });

    it("reads the environment at run time, not at serialization time", async function () {
        const sid = deserialize(texts.ServiceId);
        await sid.configure!(hostConfig({}));
        process.env.IBMCLOUD_API_KEY = KEY_B;
        process.env.IBMCLOUD_IAM_ENDPOINT = iam.url;
        try {
            const s = await sid.create({ name: "env-at-run-time" });
            expect(s.outs.accountId).not.to.equal(ACCOUNT_A);
            await sid.delete!(s.id, s.outs);
        } finally {
            delete process.env.IBMCLOUD_API_KEY;
            delete process.env.IBMCLOUD_IAM_ENDPOINT;
        }
    });
});
