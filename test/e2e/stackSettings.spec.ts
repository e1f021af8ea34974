// The per-cluster stack's settings refused at preview, through the real CLI, against a real
// kube-apiserver and the IAM emulator: credentials set without --secret (refused before the
// engine copies the stack config into state), and a kubeconfig context that does not exist, an
// API server that does not answer or that refuses the credentials (refused at preview, naming
// the setting, within seconds, where `up` used to fail after creating the IAM identities).
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { LocalCluster } from "../bed/cluster";
import { freePort } from "../bed/processes";
import { ProgramStack, PulumiSandbox, RunResult } from "../bed/pulumi";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";
import { sharedCluster } from "../bed/sharedCluster";

const ACCOUNT = "cccccccccccccccccccccccccccccccc";
const ACCOUNT_B = "dddddddddddddddddddddddddddddddd";
const ADMIN = "admin-key-plain-text-7d1e0c9b8a6f5e4d";
const ADMIN_B = "registry-admin-key-plain-0a9b8c7d6e5f";

/** The engine waits about a minute on errors raised inside Outputs; a refusal must come well before. */
const FAST_SECONDS = 30;

describe("Stack settings refused at preview (the per-cluster stack)", function () {
    let cluster: LocalCluster;
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        cluster = await sharedCluster();
        iam = await startIamEmulator({
            port: 0,
            accounts: [
                { accountId: ACCOUNT, apiKey: ADMIN },
                { accountId: ACCOUNT_B, apiKey: ADMIN_B },
            ],
        });
        sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath, IBMCLOUD_API_KEY: "" });
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    type Setting = { value: string; secret?: boolean };
    const stackOf = (box: PulumiSandbox, name: string, settings: Record<string, Setting>) =>
        box.stack(PER_CLUSTER_PROGRAM, name, {
            "icr-access:cluster": { value: name },
            "icr-access:namespaces": { value: JSON.stringify({ default: { regions: ["us-south"] } }) },
            "ibmcloud:iamEndpoint": { value: iam.url },
            ...settings,
        });

    /** Runs a preview or up that must fail; its output and wall time. */
    async function refused(
        stack: ProgramStack,
        op: "preview" | "up",
    ): Promise<{ text: string; seconds: number }> {
        const started = Date.now();
        let failure: (Error & { result?: RunResult }) | undefined;
        try {
            await (op === "preview" ? stack.preview() : stack.up());
        } catch (err) {
            failure = err as Error & { result?: RunResult };
        }
        const seconds = (Date.now() - started) / 1000;
        expect(failure, `${op} must fail`).not.to.equal(undefined);
        process.stdout.write(`      ${op} of ${stack.stack.name} refused in ${seconds.toFixed(1)} s\n`);
        return { text: `${failure!.message}\n${failure!.result?.stdout ?? ""}`, seconds };
    }

    /** The backend's files: the state and its backups (`state`), and the update history (`history`). */
    function backendFiles(stack: ProgramStack): { state: string; history: string } {
        const state: string[] = [];
        const history: string[] = [];
        const walk = (d: string): void => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                const p = path.join(d, e.name);
                if (e.isDirectory()) walk(p);
                else
                    (p.includes(`${path.sep}history${path.sep}`) ? history : state).push(
                        fs.readFileSync(p, "utf8"),
                    );
            }
        };
        walk(stack.sandbox.backendDir);
        return { state: state.join("\n"), history: history.join("\n") };
    }

    async function expectNothingCreated(stack: ProgramStack): Promise<void> {
        const kept = (await stack.resources()).map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack");
        expect(kept, "resources in state besides the stack").to.deep.equal(
            kept.filter((t) => t.startsWith("icr:")), // components only: no provider, nothing in IAM or the cluster
        );
        expect(iam.counters().writes, "IAM writes").to.equal(0);
    }

    it("refuses ibmcloud:apiKey, icr-access:registryApiKey and icr-access:kubeconfig set in plain text, before anything reaches state", async function () {
        // GIVEN the three credentials set without --secret
        const stack = await stackOf(sandbox, "plain", {
            "ibmcloud:apiKey": { value: ADMIN },
            "icr-access:registryApiKey": { value: ADMIN_B },
            "icr-access:registryIamEndpoint": { value: iam.url },
            "icr-access:kubeconfig": { value: cluster.kubeconfig },
        });
        iam.resetLog();
        const secrets = { "admin key": ADMIN, "registry key": ADMIN_B, "kubeconfig token": cluster.token };

        for (const op of ["preview", "up"] as const) {
            // WHEN previewed, then deployed
            const { text, seconds } = await refused(stack, op);

            // THEN each is refused with the command that makes it a secret
            for (const key of ["ibmcloud:apiKey", "icr-access:registryApiKey", "icr-access:kubeconfig"]) {
                expect(text).to.contain(`${key} holds `);
                expect(text).to.contain(
                    `pulumi config get ${key} --stack plain | pulumi config set --secret ${key} --stack plain`,
                );
            }
            expect(seconds).to.be.below(FAST_SECONDS);
            // and no credential is in the output, the state files or `pulumi stack export`
            const files = backendFiles(stack);
            const exported = await stack.exportText();
            for (const [what, value] of Object.entries(secrets)) {
                expect(text, `${what} in the ${op} output`).not.to.contain(value);
                expect(files.state, `${what} in the state files after ${op}`).not.to.contain(value);
                expect(exported, `${what} in stack export after ${op}`).not.to.contain(value);
            }
            // since the engine never registered the dynamic providers' default provider
            expect((await stack.resources()).map((r) => r.type)).not.to.include(
                "pulumi:providers:pulumi-nodejs",
            );
            await expectNothingCreated(stack);
            // (The file backend's update history records the stack's config as the CLI has it, as
            // Pulumi.plain.yaml does: plain text where the user set plain text.)
            if (op === "up")
                process.stdout.write(
                    `      update history holds the plain-text key: ${files.history.includes(ADMIN) ? "yes" : "no"}\n`,
                );
        }

        // WHEN they are stored as secrets, with the command the message gives
        for (const key of ["ibmcloud:apiKey", "icr-access:registryApiKey", "icr-access:kubeconfig"]) {
            await stack
                .cli(["config", "get", key])
                .then((value) =>
                    stack.setConfig({ [key]: { value: value.replace(/\n$/, ""), secret: true } }),
                );
        }
        await stack.up();

        // THEN the default provider holds them as secrets, and they are nowhere in plain text
        const provider = (await stack.resources()).find((r) => r.type === "pulumi:providers:pulumi-nodejs");
        expect(provider, "the dynamic providers' default provider").not.to.equal(undefined);
        const exported = await stack.exportText();
        const state = backendFiles(stack).state;
        for (const [what, value] of Object.entries(secrets)) {
            expect(exported, `${what} in stack export`).not.to.contain(value);
            expect(state, `${what} in the state files`).not.to.contain(value);
        }
        const inExport = (
            JSON.parse(exported) as { deployment: { resources: { type: string; inputs: object }[] } }
        ).deployment.resources.find((r) => r.type === "pulumi:providers:pulumi-nodejs")!.inputs as Record<
            string,
            unknown
        >;
        for (const key of ["ibmcloud:apiKey", "icr-access:registryApiKey", "icr-access:kubeconfig"])
            expect(inExport[key], key).to.have.property("ciphertext");
        await stack.destroy();
    });

    it("keeps IBMCLOUD_API_KEY from the environment out of state, export and history", async function () {
        // GIVEN the IAM key only in the environment of the pulumi process
        const envBox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath, IBMCLOUD_API_KEY: ADMIN });
        try {
            const stack = await stackOf(envBox, "envkey", {
                "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
            });
            // WHEN deployed
            await stack.up();
            // THEN the key is nowhere in the backend's files (history included) nor the export
            const files = backendFiles(stack);
            expect(files.state).not.to.contain(ADMIN);
            expect(files.history).not.to.contain(ADMIN);
            expect(await stack.exportText()).not.to.contain(ADMIN);
            await stack.destroy();
        } finally {
            envBox.dispose();
        }
    });

    it("refuses a kubernetes:context or icr-access:context the kubeconfig does not define, within seconds", async function () {
        // GIVEN kubernetes:context naming no context of the kubeconfig in KUBECONFIG
        const ambient = await stackOf(sandbox, "noctx", {
            "ibmcloud:apiKey": { value: ADMIN, secret: true },
            "kubernetes:context": { value: "no-such-context" },
        });
        iam.resetLog();
        for (const op of ["preview", "up"] as const) {
            // WHEN previewed, then deployed
            const { text, seconds } = await refused(ambient, op);
            // THEN the setting is named, with the contexts there are and the fix, well before the engine's minute
            expect(text).to.contain(
                `kubernetes:context: kubeconfig (${cluster.kubeconfigPath}) has no context "no-such-context"`,
            );
            expect(text).to.contain("pulumi config set kubernetes:context <context>");
            expect(text).not.to.match(/warning:/);
            expect(seconds).to.be.below(FAST_SECONDS);
            await expectNothingCreated(ambient);
        }

        // GIVEN icr-access:context naming no context of icr-access:kubeconfig
        const own = await stackOf(sandbox, "noctx2", {
            "ibmcloud:apiKey": { value: ADMIN, secret: true },
            "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
            "icr-access:context": { value: "other-cluster" },
        });
        const { text, seconds } = await refused(own, "preview");
        expect(text).to.contain(
            `icr-access:context: kubeconfig (the kubeconfig input) has no context "other-cluster"`,
        );
        expect(seconds).to.be.below(FAST_SECONDS);
        expect(text).not.to.contain(cluster.token);
        await expectNothingCreated(own);
    });

    it("refuses a bad namespace setting at preview, naming the field and the fix, with no stack trace", async function () {
        // GIVEN a region that does not exist in icr-access:namespaces
        const stack = await stackOf(sandbox, "badregion", {
            "ibmcloud:apiKey": { value: ADMIN, secret: true },
            "icr-access:namespaces": { value: JSON.stringify({ default: { regions: ["mars-north"] } }) },
        });
        iam.resetLog();
        for (const op of ["preview", "up"] as const) {
            // WHEN previewed, then deployed
            const { text, seconds } = await refused(stack, op);
            // THEN the field and the region are named, and the user sees the message, not the library's frames
            expect(text).to.match(/namespaces\.default\.regions\[0\]: [^\n]*"mars-north"/);
            expect(text).not.to.match(/^\s+at .+:\d+:\d+\)?$/m);
            expect(text).not.to.contain("node_modules");
            expect(seconds).to.be.below(FAST_SECONDS);
            await expectNothingCreated(stack);
        }
    });

    it("refuses an API server that does not answer, or that refuses the token, at preview", async function () {
        // GIVEN icr-access:kubeconfig pointing at a port nothing listens on
        const closed = await freePort();
        const unreachable = await stackOf(sandbox, "noserver", {
            "ibmcloud:apiKey": { value: ADMIN, secret: true },
            "icr-access:kubeconfig": {
                value: cluster.kubeconfig.replace(cluster.server, `https://127.0.0.1:${closed}`),
                secret: true,
            },
        });
        iam.resetLog();
        // WHEN previewed THEN it fails naming the setting and the server
        let r = await refused(unreachable, "preview");
        expect(r.text).to.contain(
            `icr-access:kubeconfig: the API server https://127.0.0.1:${closed} does not answer`,
        );
        expect(r.text).to.match(/ECONNREFUSED/);
        expect(r.seconds).to.be.below(FAST_SECONDS);
        expect(iam.counters().writes).to.equal(0);

        // GIVEN icr-access:kubeconfig with a token the API server does not know
        const wrongToken = await stackOf(sandbox, "badtoken", {
            "ibmcloud:apiKey": { value: ADMIN, secret: true },
            "icr-access:kubeconfig": {
                value: cluster.kubeconfig.replace(cluster.token, "not-a-token-the-server-knows"),
                secret: true,
            },
        });
        r = await refused(wrongToken, "preview");
        expect(r.text).to.contain(
            `icr-access:kubeconfig: the API server ${cluster.server} refuses the credentials`,
        );
        expect(r.text).to.match(/401/);
        expect(r.text).not.to.contain("not-a-token-the-server-knows");
        expect(r.seconds).to.be.below(FAST_SECONDS);

        // GIVEN the same refused token in the file KUBECONFIG names
        const file = path.join(sandbox.dir, "refused-kubeconfig");
        fs.writeFileSync(file, cluster.kubeconfig.replace(cluster.token, "not-a-token-the-server-knows"));
        const fileBox = new PulumiSandbox({ KUBECONFIG: file, IBMCLOUD_API_KEY: "" });
        try {
            const fromEnv = await stackOf(fileBox, "badtoken-env", {
                "ibmcloud:apiKey": { value: ADMIN, secret: true },
            });
            r = await refused(fromEnv, "preview");
            expect(r.text).to.contain(`KUBECONFIG: the API server ${cluster.server} refuses the credentials`);
            expect(r.seconds).to.be.below(FAST_SECONDS);
        } finally {
            fileBox.dispose();
        }
        expect(iam.counters().writes).to.equal(0);
    });
});
