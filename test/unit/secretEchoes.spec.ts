// A provider `check` failure is printed by `pulumi preview` and kept in CI logs, so it must
// never show a value given in a secret field: the `credentials` object of the IAM resources
// and the `kubeconfig` text of ServiceAccountPullSecrets. Reasons describe such a value (type,
// length, kinds of character) and name the field and the fix.
import { expect } from "chai";
import { AccessPolicyInputs, AccessPolicyProvider } from "../../components/host/iam/accessPolicyProvider";
import { ApiKeyInputs, ApiKeyProvider } from "../../components/host/iam/apiKeyProvider";
import { isolateCredentials } from "../providers/iamFixtures";
import { ServiceIdInputs, ServiceIdProvider } from "../../components/host/iam/serviceIdProvider";
import { describeSecretValue } from "../../components/shared/secretShape";
import {
    ServiceAccountPullSecretsInputs,
    ServiceAccountPullSecretsProvider,
} from "../../components/host/k8s/serviceAccountPullSecretsProvider";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
// Shaped like an IBM API key: 44 URL-safe characters.
const KEY = "N5msBe7aLCK05w2HSwbrr7iZyMftHMY9iC8-aMVVk804";
const SUBJECT = "iam-ServiceId-00000000-0000-4000-8000-000000000000";

type Check = (credentials: unknown) => Promise<{ property: string; reason: string }[]>;

/** Each IAM provider's `check`, with valid inputs apart from the credentials under test. */
const CHECKS: [string, Check][] = [
    [
        "ServiceId",
        async (credentials) =>
            (
                await new ServiceIdProvider().check({}, {
                    name: "prod-web-id",
                    credentials,
                } as ServiceIdInputs)
            ).failures ?? [],
    ],
    [
        "AccessPolicy",
        async (credentials) =>
            (
                await new AccessPolicyProvider().check({}, {
                    iamId: SUBJECT,
                    roles: ["Reader"],
                    credentials,
                } as AccessPolicyInputs)
            ).failures ?? [],
    ],
    [
        "ApiKey",
        async (credentials) =>
            (
                await new ApiKeyProvider().check({}, {
                    name: "prod-web-key",
                    iamId: SUBJECT,
                    credentials,
                } as ApiKeyInputs)
            ).failures ?? [],
    ],
];

describe("secret fields in check failures", function () {
    isolateCredentials();

    for (const [kind, check] of CHECKS) {
        describe(`${kind} credentials`, function () {
            it("names swapped apiKey and accountId without printing the key", async function () {
                const failures = await check({ apiKey: ACCOUNT, accountId: KEY });
                expect(failures).to.deep.equal([
                    {
                        property: "credentials.apiKey",
                        reason:
                            "holds an IBM Cloud account id (32 hexadecimal characters), and `accountId` holds a " +
                            '44-character string of letters, digits and "-": the two look swapped. Put the API key in ' +
                            "`apiKey` and the account id in `accountId` (or omit `accountId` to use the key's account).",
                    },
                ]);
                expect(JSON.stringify(failures)).not.to.contain(KEY);
            });

            it("describes a key given as the account id, and as the endpoint, without printing it", async function () {
                const other = "Zx9" + KEY.slice(3);
                const failures = await check({ apiKey: other, accountId: KEY, iamEndpoint: KEY });
                expect(failures.map((f) => f.property)).to.deep.equal([
                    "credentials.accountId",
                    "credentials.iamEndpoint",
                ]);
                expect(failures[0].reason).to.equal(
                    'got a 44-character string of letters, digits and "-", which is not an IBM Cloud account id ' +
                        "(32 lower-case hexadecimal characters, as `ibmcloud account show` prints). Omit it to use " +
                        "the account of the API key.",
                );
                expect(failures[1].reason).to.equal(
                    'is not a URL (got a 44-character string of letters, digits and "-"); use ' +
                        "https://iam.cloud.ibm.com (IBM's IAM), or another https:// URL.",
                );
                expect(JSON.stringify(failures)).not.to.contain(KEY);
                expect(JSON.stringify(failures)).not.to.contain(other);
            });

            it("describes credentials that are not an object without printing them", async function () {
                const failures = await check(KEY);
                expect(failures).to.deep.equal([
                    {
                        property: "credentials",
                        reason:
                            'must be an object { apiKey, iamEndpoint?, accountId? }; got a 44-character string of letters, digits and "-". ' +
                            "To give only a key, write { apiKey: <key> }.",
                    },
                ]);
            });
        });
    }

    describe("ServiceAccountPullSecrets kubeconfig", function () {
        const TOKEN = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLXBheWxvYWQ.c2lnbmF0dXJl";
        const check = async (kubeconfig: unknown) =>
            (
                await new ServiceAccountPullSecretsProvider().check(
                    {} as ServiceAccountPullSecretsInputs,
                    {
                        namespace: "team-a",
                        secretNames: ["a"],
                        kubeconfig,
                    } as ServiceAccountPullSecretsInputs,
                )
            ).failures ?? [];

        it("describes a token given where a user name belongs, instead of printing it", async function () {
            const text =
                `clusters: [{name: c, cluster: {server: "https://10.0.0.1"}}]\n` +
                `users: [{name: admin, user: {token: x}}]\n` +
                `contexts: [{name: ctx, context: {cluster: c, user: "${TOKEN}"}}]\ncurrent-context: ctx\n`;
            const failures = await check(text);
            expect(failures).to.deep.equal([
                {
                    property: "kubeconfig",
                    reason:
                        `kubeconfig (the kubeconfig input): context "ctx" names a user (a ${TOKEN.length}-character string of letters, ` +
                        `digits and ".") that is not defined; users: "admin"`,
                },
            ]);
            expect(JSON.stringify(failures)).not.to.contain(TOKEN);
        });

        it("describes a current-context that names no context, and a cluster reference that names no cluster", async function () {
            const failures = [
                ...(await check(
                    `contexts: [{name: a, context: {cluster: c}}]\ncurrent-context: "${TOKEN}"\n`,
                )),
                ...(await check(
                    `contexts: [{name: a, context: {cluster: "${TOKEN}"}}]\ncurrent-context: a\n`,
                )),
            ];
            expect(failures.map((f) => f.reason)).to.deep.equal([
                `kubeconfig (the kubeconfig input) has no context named by its current-context (a ${TOKEN.length}-character string ` +
                    `of letters, digits and "."); contexts: "a"`,
                `kubeconfig (the kubeconfig input): context "a" names a cluster (a ${TOKEN.length}-character string of letters, ` +
                    `digits and ".") that is not defined; clusters: none`,
            ]);
            expect(JSON.stringify(failures)).not.to.contain(TOKEN);
        });

        it("prints no YAML warning, which would quote the line holding the token", async function () {
            const warnings: string[] = [];
            const emitWarning = process.emitWarning;
            process.emitWarning = ((w: string | Error) => {
                warnings.push(String(w));
            }) as typeof process.emitWarning;
            try {
                const failures = await check(
                    `users: [{name: u, user: {token: !secret ${TOKEN}}}]\ncurrent-context: nowhere\n`,
                );
                expect(failures.map((f) => f.property)).to.deep.equal(["kubeconfig"]);
            } finally {
                process.emitWarning = emitWarning;
            }
            expect(warnings).to.deep.equal([]);
        });

        it("describes a file path or a non-text value given as the kubeconfig", async function () {
            expect((await check("/home/me/.kube/config")).map((f) => f.reason)).to.deep.equal([
                `kubeconfig (the kubeconfig input) is empty or not a mapping: it is a 21-character string of letters, ` +
                    `"/" and "." on one line. If that is a file path, pass the file's content ` +
                    `(e.g. fs.readFileSync(path, "utf8")) or set KUBECONFIG to the path instead`,
            ]);
            expect(await check({ apiVersion: "v1" })).to.deep.equal([
                {
                    property: "kubeconfig",
                    reason: "kubeconfig: expected the kubeconfig's YAML text; got an object.",
                },
            ]);
        });
    });
});

describe("describeSecretValue", function () {
    it("gives type, length and kinds of character, never a character of the value", function () {
        const cases: [unknown, string][] = [
            [undefined, "nothing"],
            [null, "null"],
            [42, "a number"],
            [true, "a boolean"],
            [["a", "b"], "a list of 2 items"],
            [{ apiKey: KEY }, "an object"],
            ["", "an empty string"],
            ["  ", "a string of 2 white-space characters"],
            [KEY, 'a 44-character string of letters, digits and "-"'],
            [`${KEY}\n`, 'a 45-character string of letters, digits and "-" on 2 lines'],
            [
                ` ${KEY}`,
                'a 45-character string of letters, digits and "-" with white space at its start or end',
            ],
            [
                "p@ss w0rd!",
                "a 10-character string of letters, digits and other characters with white space inside",
            ],
            [ACCOUNT, "a 32-character string of letters and digits"],
        ];
        for (const [value, expected] of cases)
            expect(describeSecretValue(value), String(value)).to.equal(expected);
    });
});
