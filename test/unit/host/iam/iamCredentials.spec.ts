// Where the IAM providers find credentials, and the input checks they share: pure functions.
import { expect } from "chai";
import { Config } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import { checkCredentialsInput, checkEndpoint } from "../../../../components/shared/iam/credentialInputs";
import { iamProviderConfigFrom, resolveIamCredentials } from "../../../../components/host/iam/credentials";
import {
    checkAccountId,
    checkAdoptId,
    checkIamId,
    checkName,
} from "../../../../components/shared/iam/validation";
import { UNKNOWN } from "../../../../components/shared/unknown";

const ENDPOINT = "https://iam.test.example";
const ACCOUNT = "0123456789abcdef0123456789abcdef";

describe("IAM credentials", function () {
    describe("from the config configure receives", function () {
        it("reads the ibmcloud: keys from the host's whole-stack config", function () {
            // The provider host's own Config class, as `configure` gets it.
            const config = new Config(
                {
                    "ibmcloud:apiKey": " k ",
                    "ibmcloud:iamEndpoint": ENDPOINT,
                    "proj:apiKey": "not-this",
                    "ibmcloud:accountId": "",
                },
                "proj",
            );
            expect(iamProviderConfigFrom(config)).to.deep.equal({
                apiKey: "k",
                iamEndpoint: ENDPOINT,
                accountId: undefined,
            });
            expect(iamProviderConfigFrom(undefined)).to.deep.equal({});
        });
    });

    describe("precedence", function () {
        const config = { apiKey: "config-key", iamEndpoint: "https://config.example", accountId: ACCOUNT };
        const env = {
            IBMCLOUD_API_KEY: "env-key",
            IBMCLOUD_IAM_ENDPOINT: "https://env.example/",
            IBMCLOUD_ACCOUNT_ID: "ffffffffffffffffffffffffffffffff",
        };

        it("takes the resource's own key first, with its own account or none", function () {
            expect(resolveIamCredentials({ apiKey: "own-key" }, config, env)).to.deep.equal({
                apiKey: "own-key",
                iamEndpoint: "https://config.example",
                accountId: undefined,
                source: "the resource's `credentials.apiKey` input",
            });
            expect(
                resolveIamCredentials(
                    { apiKey: "own-key", accountId: "a".repeat(32), iamEndpoint: ENDPOINT },
                    config,
                    env,
                ),
            ).to.deep.include({
                accountId: "a".repeat(32),
                iamEndpoint: ENDPOINT,
            });
        });

        it("then stack config, then the environment, then IBM's endpoint", function () {
            expect(resolveIamCredentials(undefined, config, env)).to.deep.equal({
                apiKey: "config-key",
                iamEndpoint: "https://config.example",
                accountId: ACCOUNT,
                source: "Pulumi config `ibmcloud:apiKey`",
            });
            expect(resolveIamCredentials(undefined, {}, env)).to.deep.equal({
                apiKey: "env-key",
                iamEndpoint: "https://env.example",
                accountId: "ffffffffffffffffffffffffffffffff",
                source: "the IBMCLOUD_API_KEY environment variable",
            });
            expect(
                resolveIamCredentials(undefined, undefined, { IBMCLOUD_API_KEY: "k" }).iamEndpoint,
            ).to.equal("https://iam.cloud.ibm.com");
        });

        it("fails without a key anywhere, naming the three ways to give one", function () {
            let err: Error | undefined;
            try {
                resolveIamCredentials({ apiKey: "  " }, {}, {}, "ApiKey");
            } catch (e) {
                err = e as Error;
            }
            expect(err?.name).to.equal("MissingApiKeyError");
            expect(err?.message).to.equal(
                "No IBM Cloud API key for IAM (ApiKey). Give one in any of three ways: the resource's `credentials.apiKey` input " +
                    "(per resource, e.g. for another account); Pulumi config `pulumi config set --secret ibmcloud:apiKey <key>`; " +
                    "or the IBMCLOUD_API_KEY environment variable of the `pulumi` process.",
            );
        });
    });

    describe("plain-http endpoints", function () {
        const HTTPS_FIX =
            "use https://iam.cloud.ibm.com (IBM's IAM), or another https:// URL. (Plain http: is accepted only for " +
            "localhost, 127.0.0.0/8 and ::1, e.g. a local IAM emulator.)";
        const REFUSAL =
            "uses plain http: to a host that is not loopback, so the API key and the tokens IAM returns would cross " +
            `the network unencrypted; ${HTTPS_FIX}`;
        const errorOf = (f: () => unknown): Error => {
            try {
                f();
            } catch (e) {
                return e as Error;
            }
            throw new Error("expected an error");
        };

        it("accepts https anywhere and plain http on loopback only", function () {
            for (const ok of [
                "https://iam.cloud.ibm.com",
                "https://10.0.0.5:8443/",
                "http://127.0.0.1:41234",
                "http://127.9.8.7",
                "http://127.1:80",
                "http://localhost:3000/",
                "http://LOCALHOST",
                "http://[::1]:8080",
            ]) {
                expect(checkEndpoint(ok), ok).to.equal(undefined);
            }
            for (const bad of [
                "http://iam.cloud.ibm.com",
                "http://10.0.0.1:8080",
                "http://128.0.0.1",
                "http://localhost.example.com",
                "http://[::ffff:127.0.0.1]",
                "http://[2001:db8::1]",
            ]) {
                expect(checkEndpoint(bad), bad).to.equal(REFUSAL);
            }
        });

        it("refuses one in every place an endpoint can be given, naming the place and never the value", function () {
            const remote = "http://iam.internal.example:8080";
            const env = { IBMCLOUD_API_KEY: "k" };
            const cases: [Error, string][] = [
                [
                    errorOf(() => resolveIamCredentials({ apiKey: "k", iamEndpoint: remote }, {}, env)),
                    "the resource's `credentials.iamEndpoint` input",
                ],
                [
                    errorOf(() => resolveIamCredentials(undefined, { iamEndpoint: remote }, env)),
                    "Pulumi config `ibmcloud:iamEndpoint`",
                ],
                [
                    errorOf(() =>
                        resolveIamCredentials(undefined, {}, { ...env, IBMCLOUD_IAM_ENDPOINT: remote }),
                    ),
                    "the IBMCLOUD_IAM_ENDPOINT environment variable",
                ],
            ];
            for (const [err, source] of cases) {
                expect(err.name).to.equal("InvalidIamEndpointError");
                expect(err.message).to.equal(`The IAM endpoint from ${source} ${REFUSAL}`);
            }
            expect(checkCredentialsInput({ apiKey: "k", iamEndpoint: remote })).to.deep.equal([
                { property: "credentials.iamEndpoint", reason: REFUSAL },
            ]);
        });

        it("judges only the endpoint that is used: a resource's https endpoint wins over a plain-http config", function () {
            expect(
                resolveIamCredentials(
                    { apiKey: "k", iamEndpoint: ENDPOINT },
                    { iamEndpoint: "http://iam.example.com" },
                    {},
                ).iamEndpoint,
            ).to.equal(ENDPOINT);
            expect(
                resolveIamCredentials(undefined, { apiKey: "k", iamEndpoint: "http://127.0.0.1:4000/" }, {})
                    .iamEndpoint,
            ).to.equal("http://127.0.0.1:4000");
        });
    });

    describe("checks", function () {
        it("checks the credentials input, tolerating preview placeholders", function () {
            expect(checkCredentialsInput(undefined)).to.deep.equal([]);
            expect(checkCredentialsInput({ apiKey: UNKNOWN, iamEndpoint: UNKNOWN })).to.deep.equal([]);
            expect(
                checkCredentialsInput({ apiKey: "", iamEndpoint: "ftp://x", apikey: "typo" }),
            ).to.deep.equal([
                {
                    property: "credentials.apiKey",
                    reason: "must be a non-empty API key; got an empty string. Omit `credentials` to use the stack-wide key.",
                },
                {
                    property: "credentials.iamEndpoint",
                    reason: 'uses the "ftp:" scheme, not https:; use https://iam.cloud.ibm.com (IBM\'s IAM), or another https:// URL.',
                },
                {
                    property: "credentials.apikey",
                    reason: "unknown field; use apiKey, iamEndpoint or accountId",
                },
            ]);
            expect(checkEndpoint("https://user:pw@iam.example")).to.equal(
                "must not carry a user name or password; give the key in `apiKey` and use https://iam.cloud.ibm.com " +
                    "(IBM's IAM), or another https:// URL.",
            );
        });

        it("checks account ids: 32 lower-case hex, with a hint for upper case", function () {
            expect(checkAccountId("accountId", ACCOUNT)).to.deep.equal([]);
            expect(checkAccountId("accountId", undefined)).to.deep.equal([]);
            expect(checkAccountId("accountId", UNKNOWN)).to.deep.equal([]);
            expect(checkAccountId("accountId", ACCOUNT.toUpperCase())[0].reason).to.match(
                new RegExp(`Did you mean "${ACCOUNT}"\\?$`),
            );
            expect(checkAccountId("accountId", "1234")).to.have.length(1);
        });

        it("checks names, IAM ids and ids to adopt", function () {
            expect(checkName("name", "")).to.deep.equal([
                { property: "name", reason: 'must be a non-empty name; got ""' },
            ]);
            expect(checkName("name", " x")).to.deep.equal([
                { property: "name", reason: '" x" has leading or trailing white space' },
            ]);
            expect(checkIamId("iamId", "IBMid-123", false)).to.deep.equal([]);
            expect(checkIamId("iamId", "IBMid-123", true)[0].reason).to.contain("not a service ID's IAM id");
            expect(checkIamId("iamId", `iam-ServiceId-${"a".repeat(986)}`, true)).to.deep.equal([]);
            expect(checkIamId("iamId", `iam-ServiceId-${"a".repeat(987)}`, true)).to.deep.equal([
                {
                    property: "iamId",
                    reason:
                        "is 1001 characters long; IAM policy attribute values are at most 1000 characters. " +
                        "Use the service ID's `iamId` output.",
                },
            ]);
            expect(checkAdoptId("adoptId", "ApiKey-1", "ServiceId-")[0].reason).to.equal(
                '"ApiKey-1" is not an id to adopt; expected "ServiceId-<uuid>" (`ibmcloud iam service-ids` lists them)',
            );
        });
    });
});
