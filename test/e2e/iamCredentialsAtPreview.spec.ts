// What `up` would fail on, preview refuses: IAM credentials are checked at preview (one token
// exchange per key), so a wrong key or an unreachable IAM fails `pulumi preview` in seconds,
// naming where the key came from, and `up` stops before it creates anything in IAM or the
// cluster. Through the real CLI against a real kube-apiserver and the IAM emulator.
import { expect } from "chai";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { LocalCluster } from "../bed/cluster";
import { iamWorld } from "../bed/iamWorld";
import { PulumiSandbox } from "../bed/pulumi";
import { sharedCluster } from "../bed/sharedCluster";

const PROGRAM = "test/e2e/programs/ownership";
const ACCOUNT = "7b9f2e3d4c5b6a7980a1f2e3d4c5b6a7";
const ADMIN_KEY = "admin-key-of-the-credentials-spec-19c3e7";

describe("IAM credentials are checked at preview (real engine)", function () {
    let cluster: LocalCluster;
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        cluster = await sharedCluster();
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }] });
        sandbox = new PulumiSandbox({
            KUBECONFIG: cluster.kubeconfigPath,
            IBMCLOUD_API_KEY: "",
            IBMCLOUD_IAM_ENDPOINT: "",
            IBMCLOUD_ACCOUNT_ID: "",
        });
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    for (const [what, endpoint, key, expected] of [
        [
            "a wrong API key",
            () => iam.url,
            "not-a-key-iam-knows-0000000000000000",
            /IAM refused the API key from Pulumi config `ibmcloud:apiKey`/,
        ],
        [
            "an IAM endpoint that does not answer",
            () => "http://127.0.0.1:9",
            ADMIN_KEY,
            /Is the IAM endpoint http:\/\/127\.0\.0\.1:9 right and reachable\?/,
        ],
    ] as const) {
        it(`refuses ${what} at preview, in seconds, and up creates nothing`, async function () {
            const stack = await sandbox.stack(PROGRAM, `creds-${what.split(" ").pop()}`, {
                "bed-ownership:cluster": { value: "cred" },
                "bed-ownership:namespaces": { value: JSON.stringify({ default: { regions: ["us-south"] } }) },
                "bed-ownership:kubeconfig": { value: cluster.kubeconfig, secret: true },
                "ibmcloud:apiKey": { value: key, secret: true },
                "ibmcloud:iamEndpoint": { value: endpoint() },
            });
            const started = Date.now();
            const preview = await stack.preview().then(
                () => "",
                (err: Error) => err.message,
            );
            const seconds = (Date.now() - started) / 1000;
            process.stdout.write(`      refused preview took ${seconds.toFixed(1)} s\n`);
            expect(preview).to.match(expected);
            expect(preview).not.to.contain(ADMIN_KEY);
            expect(seconds, "a refusal the engine does not wait a minute for").to.be.below(45);
            const up = await stack.up().then(
                () => "",
                (err: Error) => err.message,
            );
            expect(up).to.match(expected);
            // Nothing was made: no IAM object, no Kubernetes object; in state at most the stack's
            // owner id and the guards' records, which stand for nothing outside state.
            const w = await iamWorld(iam.url, ACCOUNT);
            expect([w.serviceIds, w.apiKeys, w.policies]).to.deep.equal([[], [], []]);
            const made = (await stack.resources())
                .map((r) => r.type)
                .filter(
                    (t) =>
                        !t.startsWith("pulumi:") &&
                        !/ownership:StackOwner|icr:|NamespaceRemovalGuard|CreationGuard/.test(t),
                );
            expect(made, "resources in state after the refused up").to.deep.equal([]);
            expect(
                (await cluster.api.get("/api/v1/namespaces/default/secrets/default-us-icr-io")).status,
            ).to.equal(404);
        });
    }
});
