// Credentials set in stack config without --secret, and the settings a kubeconfig problem is
// blamed on: pure functions.
import { expect } from "chai";
import {
    kubeconfigHoldsCredentials,
    plaintextSecretProblems,
    secretSetCommand,
} from "../../components/internal/plaintextConfig";
import {
    blameSetting,
    kubeconfigSourceNames,
    loadKubeconfig,
} from "../../components/clients/kube/config_sources";
import { KubeconfigError } from "../../components/clients/kube/config";

const KEY = "plain-admin-key-0123456789abcdefghij";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.cGxhaW4tdG9rZW4.c2ln";

const kubeconfig = (user: string) =>
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://10.0.0.1"}}]\n` +
    `users: [{name: u, user: ${user}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;

describe("plain-text credentials in stack config", function () {
    it("refuses an API key set without --secret, with the exact command, never the key", function () {
        const problems = plaintextSecretProblems(
            [
                { key: "ibmcloud:apiKey", kind: "apiKey", value: KEY, secret: false },
                { key: "icr-access:registryApiKey", kind: "apiKey", value: KEY, secret: true },
                { key: "icr-access:kubeconfig", kind: "kubeconfig", value: undefined, secret: false },
            ],
            "prod",
        );
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^ibmcloud:apiKey holds an API key in plain text\./);
        expect(problems[0]).to.contain(
            "`pulumi config get ibmcloud:apiKey --stack prod | pulumi config set --secret ibmcloud:apiKey --stack prod`",
        );
        expect(problems[0]).to.contain("pulumi:providers:pulumi-nodejs::default");
        expect(problems[0]).to.contain("IBMCLOUD_API_KEY");
        expect(problems[0]).not.to.contain(KEY);
    });

    it("refuses a kubeconfig only when it holds credentials", function () {
        expect(kubeconfigHoldsCredentials(kubeconfig(`{token: "${TOKEN}"}`))).to.equal(true);
        expect(kubeconfigHoldsCredentials(kubeconfig(`{username: a, password: b}`))).to.equal(true);
        expect(kubeconfigHoldsCredentials(kubeconfig(`{client-key-data: AAAA}`))).to.equal(true);
        expect(
            kubeconfigHoldsCredentials(
                kubeconfig(`{auth-provider: {name: oidc, config: {refresh-token: r, client-id: c}}}`),
            ),
        ).to.equal(true);
        expect(
            kubeconfigHoldsCredentials(
                kubeconfig(
                    `{exec: {apiVersion: client.authentication.k8s.io/v1, command: x, env: [{name: API_KEY, value: k}]}}`,
                ),
            ),
        ).to.equal(true);
        // Files, an exec plugin without secrets in its environment, a path: nothing to leak.
        expect(kubeconfigHoldsCredentials(kubeconfig(`{client-key: /keys/u.key, tokenFile: /t}`))).to.equal(
            false,
        );
        expect(
            kubeconfigHoldsCredentials(
                kubeconfig(
                    `{exec: {apiVersion: client.authentication.k8s.io/v1, command: ibmcloud, args: [ks]}}`,
                ),
            ),
        ).to.equal(false);
        expect(kubeconfigHoldsCredentials("~/.kube/config")).to.equal(false);
        // Text that is not a kubeconfig cannot be shown to hold none.
        expect(kubeconfigHoldsCredentials(`token: "${TOKEN}"\n  : [`)).to.equal(true);

        const problems = plaintextSecretProblems([
            {
                key: "icr-access:kubeconfig",
                kind: "kubeconfig",
                value: kubeconfig(`{token: "${TOKEN}"}`),
                secret: false,
            },
            {
                key: "kubernetes:kubeconfig",
                kind: "kubeconfig",
                value: "/home/me/.kube/config",
                secret: false,
            },
        ]);
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^icr-access:kubeconfig holds a kubeconfig with credentials/);
        expect(problems[0]).to.contain(
            "`pulumi config get icr-access:kubeconfig | pulumi config set --secret icr-access:kubeconfig`",
        );
        expect(problems[0]).not.to.contain(TOKEN);
    });

    it("writes the command for the stack", function () {
        expect(secretSetCommand("a:b", "dev")).to.equal(
            "pulumi config get a:b --stack dev | pulumi config set --secret a:b --stack dev",
        );
        expect(secretSetCommand("a:b", undefined)).to.equal(
            "pulumi config get a:b | pulumi config set --secret a:b",
        );
    });
});

describe("the setting a kubeconfig problem is blamed on", function () {
    const text = kubeconfig(`{token: "${TOKEN}"}`);
    const blame = (
        source: Parameters<typeof loadKubeconfig>[0],
        labels = {},
        env: NodeJS.ProcessEnv = {},
    ) => {
        try {
            loadKubeconfig(source, env);
        } catch (err) {
            if (!(err instanceof KubeconfigError)) throw err;
            return blameSetting(err.message, kubeconfigSourceNames(source, labels, env));
        }
        return undefined;
    };

    it("names kubernetes:context, icr-access:context or the input's context, with the fix", function () {
        expect(blame({ stackKubeconfig: text, stackContext: "no-such-context" })).to.equal(
            `kubernetes:context: kubeconfig (the kubernetes:kubeconfig stack setting) has no context "no-such-context"; ` +
                `contexts: "x". Set kubernetes:context to one of them (\`pulumi config set kubernetes:context <context>\`), ` +
                `or remove it (\`pulumi config rm kubernetes:context\`) to use the kubeconfig's current-context.`,
        );
        expect(
            blame(
                { kubeconfig: text, context: "nope", stackContext: "ignored" },
                { kubeconfig: "icr-access:kubeconfig", context: "icr-access:context" },
            ),
        ).to.match(
            /^icr-access:context: kubeconfig \(the kubeconfig input\) has no context "nope"; contexts: "x"\. Set icr-access:context/,
        );
        expect(blame({ kubeconfig: text, context: "nope" })).to.match(
            /^context: .* has no context "nope"; contexts: "x"\.$/,
        );
        // A kubeconfig input brings its own current-context: kubernetes:context is not read.
        expect(blame({ kubeconfig: text, stackContext: "no-such-context" })).to.equal(undefined);
    });

    it("names the kubeconfig's source for other problems", function () {
        const relative = text.replace(`{token: "${TOKEN}"}`, "{tokenFile: token.txt}");
        expect(blame({ kubeconfig: relative }, { kubeconfig: "icr-access:kubeconfig" })).to.match(
            /^icr-access:kubeconfig: kubeconfig \(the kubeconfig input\): user "u" tokenFile is a relative path/,
        );
        expect(blame({ stackKubeconfig: relative })).to.match(/^kubernetes:kubeconfig: /);
        expect(kubeconfigSourceNames({}, {}, { KUBECONFIG: "/a:/b" })).to.deep.equal({
            kubeconfig: "KUBECONFIG",
            context: "the current-context of KUBECONFIG",
        });
        expect(kubeconfigSourceNames({ stackContext: "c" }, {}, {})).to.deep.equal({
            kubeconfig: "~/.kube/config",
            context: "kubernetes:context",
        });
    });
});
