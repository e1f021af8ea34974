// IAM account limits through the real engine: the per-cluster stack against a real kube-apiserver
// and the IAM emulator, whose account holds only a few service IDs (the emulator refuses the
// next create, as IAM does). A stack that would cross the limit is refused at preview, and at
// up, with the numbers and the way out, and nothing is created in IAM or the cluster; one that
// lands near the limit is warned about and deploys; its rerun counts what it already holds.
import { expect } from "chai";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { IamClient } from "../../components/clients/iam";
import { LocalCluster } from "../bed/cluster";
import { iamWorld } from "../bed/iamWorld";
import { PulumiSandbox, resourceChanges, RunResult } from "../bed/pulumi";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";
import { sharedCluster } from "../bed/sharedCluster";

const ACCOUNT = "1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a";
const ADMIN = "admin-key-of-the-iam-limits-spec-8c3f1e";
/** The account's service-ID limit, as IBM would have set it for this account. */
const LIMIT = 10;
/** Service IDs someone else made in the account before the stack runs. */
const OTHERS = 6;

describe("IAM account limits checked at preview (the per-cluster stack)", function () {
    let cluster: LocalCluster;
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        cluster = await sharedCluster();
        iam = await startIamEmulator({
            port: 0,
            accounts: [{ accountId: ACCOUNT, apiKey: ADMIN }],
            limits: { serviceIdsPerAccount: LIMIT },
        });
        const admin = new IamClient({ apiKey: ADMIN, iamEndpoint: iam.url });
        for (let i = 0; i < OTHERS; i++)
            await admin.createServiceId({
                accountId: ACCOUNT,
                name: `made-by-hand-${i}`,
                description: "by hand",
            });
        sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath, IBMCLOUD_API_KEY: "" });
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    /** `count` namespaces `<prefix>-<i>` the stack creates, each with its own identity. */
    const stackOf = (name: string, count: number) =>
        sandbox.stack(PER_CLUSTER_PROGRAM, name, {
            "icr-access:cluster": { value: name },
            "icr-access:namespaces": {
                value: JSON.stringify(
                    Object.fromEntries(
                        Array.from({ length: count }, (_, i) => [
                            `${name}-${i}`,
                            { regions: ["us-south"], includeGlobal: false, createNamespace: true },
                        ]),
                    ),
                ),
            },
            "icr-access:iamLimits": { value: JSON.stringify({ serviceIdsPerAccount: LIMIT }) },
            "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
            "ibmcloud:apiKey": { value: ADMIN, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
        });

    async function namespacesNamed(prefix: string): Promise<string[]> {
        const { data } = await cluster.api.get("/api/v1/namespaces");
        return (data.items as { metadata: { name: string } }[])
            .map((n) => n.metadata.name)
            .filter((n) => n.startsWith(`${prefix}-`));
    }

    /** The warnings the engine showed. */
    const warningsOf = (r: RunResult) =>
        r.events
            .map((e) => e.diagnosticEvent)
            .filter((d) => d !== undefined && d.severity === "warning")
            .map((d) => d!.message);

    async function failureOf(run: Promise<RunResult>): Promise<{ text: string; seconds: number }> {
        const started = Date.now();
        const err = await run.then(
            () => undefined,
            (e: Error & { result?: RunResult }) => e,
        );
        expect(err, "the run must fail").not.to.equal(undefined);
        return {
            text: `${err!.message}\n${err!.result?.stdout ?? ""}`,
            seconds: (Date.now() - started) / 1000,
        };
    }

    it("refuses, at preview and at up, a stack that would cross the service-ID limit, and creates nothing", async function () {
        // GIVEN an account holding 6 of its 10 service IDs, and a stack of 5 namespaces
        const stack = await stackOf("lim", 5);
        iam.resetLog();

        for (const op of ["preview", "up"] as const) {
            // WHEN it is previewed, then deployed
            const { text, seconds } = await failureOf(op === "preview" ? stack.preview() : stack.up());
            process.stdout.write(`      ${op} refused in ${seconds.toFixed(1)} s\n`);

            // THEN it is refused with the numbers, where the limit comes from and the ways out
            expect(text).to.contain(
                "this stack adds 5 service IDs; the account holds 6 of 10 (iamLimits.serviceIdsPerAccount), 1 too many.",
            );
            expect(text).to.contain("sharedIdentities");
            expect(text).to.contain("Nothing was created.");
            expect(text).not.to.contain(ADMIN);
            // and nothing was: no IAM write, no namespace, nothing in state but the components
            expect(iam.counters().writes, `IAM writes after ${op}`).to.equal(0);
            expect(await namespacesNamed("lim"), `namespaces after ${op}`).to.deep.equal([]);
            const kept = (await stack.resources()).map((r) => r.type);
            expect(kept.filter((t) => !t.startsWith("icr:") && t !== "pulumi:pulumi:Stack")).to.deep.equal(
                [],
            );
        }
        // and the account still holds only what it held
        expect((await iamWorld(iam.url, ACCOUNT)).serviceIds).to.have.length(OTHERS);
    });

    it("warns when a stack lands near the limit, deploys it, and counts what it holds on the next run", async function () {
        // GIVEN a stack of 4 namespaces: 10 of 10 service IDs once deployed
        const stack = await stackOf("near", 4);

        // WHEN it is previewed THEN a warning says how near, and nothing is refused
        const preview = await stack.preview();
        expect(warningsOf(preview).join("\n")).to.match(
            /IAM account limit near: this stack adds 4 service IDs; the account holds 6 of 10 \(iamLimits\.serviceIdsPerAccount\): 10 after this run, 100% of the limit\./,
        );

        // WHEN it is deployed THEN the account is full, with the stack's four
        await stack.up();
        const world = await iamWorld(iam.url, ACCOUNT);
        expect(world.serviceIds).to.have.length(LIMIT);
        expect(await namespacesNamed("near")).to.have.length(4);

        // WHEN it runs again THEN it adds nothing, so neither warns nor refuses
        const again = await stack.preview();
        expect(warningsOf(again)).to.deep.equal([]);
        expect(resourceChanges(again)).to.deep.equal([]);

        // WHEN one more namespace is asked for THEN the full account refuses it at preview
        const grown = await stackOf("near", 5);
        const { text } = await failureOf(grown.preview());
        expect(text).to.contain("this stack adds 1 service ID; the account holds 10 of 10");

        // AND destroy frees the stack's four
        await stack.destroy();
        expect((await iamWorld(iam.url, ACCOUNT)).serviceIds).to.have.length(OTHERS);
    });
});
