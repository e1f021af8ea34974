// Key lifetimes through the real engine: the per-cluster stack with icr-access:keyLifetime,
// against a real kube-apiserver and the IAM emulator, whose clock stands in for the months
// that pass. Keys are created with IAM's expires_at; once IAM's time is inside the renewal
// window, preview shows the renewal (a replace naming expiresAt) and up performs it, create
// before delete, the pull secrets updated in place; a key IAM disabled is healed by the next
// up, and so are a key that expired and one IAM purged while nobody ran the stack; a renewal
// whose answer is lost while IAM's listings fail leaves no twin key after the
// rerun. After every step the key in the cluster's pull secret logs in, and a key that is gone
// is refused.
import axios from "axios";
import { expect } from "chai";
import { IamEmulator, startIamEmulator } from "../../emulator";
import type { Fault } from "../../emulator/faults";
import { LocalCluster } from "../bed/cluster";
import { iamWorld, loginAs } from "../bed/iamWorld";
import { pullSecrets } from "../bed/kubeView";
import { FAST_IAM_CLIENT_ENV } from "../bed/fastIamClient";
import { PulumiSandbox, resourceChanges, RunResult } from "../bed/pulumi";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";
import { sharedCluster } from "../bed/sharedCluster";

const ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";
const ADMIN = "admin-key-of-the-key-lifetime-spec-4d2b9e";
const DAY = 86_400_000;
const KEY = "bedl-shop-key";

describe("Key lifetime and renewal (the per-cluster stack)", function () {
    let cluster: LocalCluster;
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        cluster = await sharedCluster();
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN }] });
        sandbox = new PulumiSandbox({ KUBECONFIG: cluster.kubeconfigPath, IBMCLOUD_API_KEY: "" });
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    /** The per-cluster stack's settings: cluster `name`, namespace shop, keys that live 90 days. */
    const lifetimeStackConfig = (name: string) => ({
        "icr-access:cluster": { value: name },
        "icr-access:namespaces": { value: JSON.stringify({ shop: { regions: ["us-south"] } }) },
        "icr-access:keyLifetime": { value: "90d" },
        "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
        "ibmcloud:apiKey": { value: ADMIN, secret: true },
        "ibmcloud:iamEndpoint": { value: iam.url },
    });

    /** The password of shop's pull secret for us.icr.io: the key the cluster pulls with. */
    async function clusterKey(): Promise<string> {
        return (await pullSecrets(cluster, "shop")).get("shop-us-icr-io")!.auths["us.icr.io"].password;
    }

    const keyOps = (r: RunResult) => r.steps.filter((s) => s.name === KEY).map((s) => s.op);
    /** The properties the engine names as the reason of the key's replace (step metadata `keys`). */
    const keyDiffs = (r: RunResult) =>
        r.events.flatMap((e) => {
            const meta = e.resourcePreEvent?.metadata;
            return meta && meta.urn.endsWith(`::${KEY}`) ? [...(meta.keys ?? []), ...(meta.diffs ?? [])] : [];
        });

    /** Creates namespace `shop` (unless there) and waits for its default service account, as a cluster admin would. */
    async function createShop(): Promise<void> {
        expect(
            (await cluster.api.post("/api/v1/namespaces", { metadata: { name: "shop" } })).status,
        ).to.be.oneOf([201, 409]);
        const deadline = Date.now() + 60_000;
        while ((await cluster.api.get("/api/v1/namespaces/shop/serviceaccounts/default")).status !== 200) {
            if (Date.now() > deadline) throw new Error("no default service account in shop");
            await new Promise((r) => setTimeout(r, 200));
        }
    }

    it("creates keys with a lifetime, renews them inside the window, and heals keys IAM disabled, expired or purged", async function () {
        await createShop();
        // GIVEN the per-cluster stack with a 90-day key lifetime
        const stack = await sandbox.stack(PER_CLUSTER_PROGRAM, "bedl", lifetimeStackConfig("bedl"));

        // WHEN it is deployed
        const up = await stack.up();
        const serviceId = (up.outputs.serviceIds.value as Record<string, string>).shop;
        const whoami = `iam-${serviceId} in ${ACCOUNT}`;

        // THEN the key expires 90 days from IAM's now, as the keyExpiries output lists it
        const firstExpiry = (up.outputs.keyExpiries.value as Record<string, string>).shop;
        expect(firstExpiry).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d\+0000$/);
        const expiryMs = Date.parse(firstExpiry.replace("+0000", "Z"));
        expect(expiryMs - iam.clock.now()).to.be.within(90 * DAY - 10 * 60_000, 90 * DAY);
        // and the cluster's key logs in
        const first = await clusterKey();
        expect(await loginAs(iam.url, first)).to.equal(whoami);
        // and nothing renews while outside the window
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN 59 days pass THEN still nothing (the window is the last third, 30 days)
        iam.clock.advance("59d");
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN 2 more days pass THEN preview shows the key's renewal, naming expiresAt
        iam.clock.advance("2d");
        const preview = await stack.preview();
        expect(keyOps(preview)).to.include("replace");
        expect(keyDiffs(preview)).to.include("expiresAt");
        // and the CLI's own text shows the key being replaced, with its expiry going
        const block = preview.stdout.slice(preview.stdout.indexOf(`ApiKey::${KEY}]`));
        expect(block.slice(0, block.indexOf("[urn=", 1))).to.match(/expiresAt\s*:\s*"\d{4}-/);
        expect(preview.stdout).to.match(/\+-\s*pulumi-nodejs:dynamic\/iam:ApiKey: \(replace\)/);
        expect(await loginAs(iam.url, await clusterKey())).to.equal(whoami, "preview changes nothing");

        // WHEN up runs THEN the key is replaced create-before-delete, the secret updated in place
        const before = await pullSecrets(cluster, "shop");
        const renewed = await stack.up();
        expect(keyOps(renewed)).to.deep.equal(["create-replacement", "replace", "delete-replaced"]);
        const secretOps = renewed.steps
            .filter((s) => s.type === "kubernetes:core/v1:Secret")
            .map((s) => s.op);
        expect(new Set(secretOps)).to.deep.equal(new Set(["update"]));
        const after = await pullSecrets(cluster, "shop");
        expect(after.get("shop-us-icr-io")!.uid).to.equal(before.get("shop-us-icr-io")!.uid);
        const second = await clusterKey();
        expect(second).not.to.equal(first);
        expect(await loginAs(iam.url, second)).to.equal(whoami);
        expect(await loginAs(iam.url, first)).to.equal("400 BXNIM0415E", "the old key is gone");
        const secondExpiry = (renewed.outputs.keyExpiries.value as Record<string, string>).shop;
        expect(Date.parse(secondExpiry.replace("+0000", "Z")) - iam.clock.now()).to.be.above(89 * DAY);
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN IAM disables the key out of band (as it does with a leaked key)
        const keyId = (await iamWorld(iam.url, ACCOUNT)).apiKeys.find((k) => k.name === KEY)!.id;
        const token = (
            await axios.post(
                `${iam.url}/identity/token`,
                new URLSearchParams({ grant_type: "urn:ibm:params:oauth:grant-type:apikey", apikey: ADMIN }),
            )
        ).data.access_token as string;
        const disabled = await axios.post(`${iam.url}/v1/apikeys/${keyId}/disable`, undefined, {
            headers: { Authorization: `Bearer ${token}` },
        });
        expect(disabled.status).to.equal(204);
        expect(await loginAs(iam.url, second)).to.match(/^400 /);

        // THEN preview names it, and up heals it: a new key in the same secret, logging in
        const healPreview = await stack.preview();
        expect(keyDiffs(healPreview)).to.include("disabled");
        const healed = await stack.up();
        expect(keyOps(healed)).to.deep.equal(["create-replacement", "replace", "delete-replaced"]);
        const third = await clusterKey();
        expect(third).not.to.equal(second);
        expect(await loginAs(iam.url, third)).to.equal(whoami);
        expect(await loginAs(iam.url, second)).to.equal("400 BXNIM0415E");
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN nobody runs the stack until the key has expired
        iam.clock.advance("91d");
        expect(await loginAs(iam.url, third)).to.match(/^400 /, "IAM refuses the expired key");
        // THEN preview names the expiry, and up heals it: a new key in the same secret, logging in
        expect(keyDiffs(await stack.preview())).to.include("expiresAt");
        const afterExpiry = await stack.up();
        expect(keyOps(afterExpiry)).to.deep.equal(["create-replacement", "replace", "delete-replaced"]);
        const fourth = await clusterKey();
        expect(fourth).not.to.equal(third);
        expect(await loginAs(iam.url, fourth)).to.equal(whoami);
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        // WHEN nobody runs it for long enough that IAM purges the key (90 days after its expiry)
        iam.clock.advance("181d");
        // THEN preview names the key as gone, and up makes a new one in the same secret, logging in
        expect(keyDiffs(await stack.preview())).to.include("apikey");
        const afterPurge = await stack.up();
        expect(keyOps(afterPurge)).to.deep.equal(["create-replacement", "replace", "delete-replaced"]);
        const fifth = await clusterKey();
        expect(fifth).not.to.equal(fourth);
        expect(await loginAs(iam.url, fifth)).to.equal(whoami);
        expect(resourceChanges(await stack.preview())).to.deep.equal([]);

        await stack.destroy();
    });

    it("a renewal whose answer is lost while IAM's listings fail: the rerun renews with no twin key, the cluster's key logging in at every step", async function () {
        await createShop();
        // GIVEN a stack whose IAM client gives up quickly, with a 90-day key, inside its renewal window
        const fast = new PulumiSandbox({
            KUBECONFIG: cluster.kubeconfigPath,
            IBMCLOUD_API_KEY: "",
            ...FAST_IAM_CLIENT_ENV,
        });
        try {
            const stack = await fast.stack(PER_CLUSTER_PROGRAM, "bedr", lifetimeStackConfig("bedr"));
            const up = await stack.up();
            const serviceId = (up.outputs.serviceIds.value as Record<string, string>).shop;
            const whoami = `iam-${serviceId} in ${ACCOUNT}`;
            const keysOf = async () =>
                (await iamWorld(iam.url, ACCOUNT)).apiKeys.filter((k) => k.iamId === `iam-${serviceId}`);
            const first = await clusterKey();
            expect(await loginAs(iam.url, first)).to.equal(whoami);
            iam.clock.advance("61d");

            // WHEN the renewal's create answer is held back after IAM made the key
            iam.injectFault({
                kind: "lostResponse",
                mode: "stall",
                stallMs: 10_000,
                method: "POST",
                pathPrefix: "/v1/apikeys",
            } as Fault);
            const creates = () => iam.requests().filter((r) => r.operation === "createApiKey").length;
            const createsBefore = creates();
            const run = stack.up().then(
                () => "succeeded",
                (err: Error) => err.message,
            );
            const deadline = Date.now() + 120_000;
            while (creates() === createsBefore) {
                if (Date.now() > deadline) throw new Error("the renewal never created a key");
                await new Promise((r) => setTimeout(r, 100));
            }
            // AND from then on IAM's listings and reads of keys fail, so the lost key cannot be found
            iam.injectFault({
                kind: "status",
                status: 500,
                times: 1_000,
                method: "GET",
                pathPrefix: "/v1/apikeys",
            });
            // THEN the up fails, leaving the attempt's key beside the old one, which the cluster still uses
            expect(await run).not.to.equal("succeeded");
            iam.clearFaults();
            expect(await keysOf(), "the old key and the attempt's").to.have.length(2);
            expect(await clusterKey()).to.equal(first);
            expect(await loginAs(iam.url, first)).to.equal(whoami);

            // WHEN up runs again THEN it renews: one key left, in the cluster's secret, logging in
            const second = await stack.up();
            expect(second.steps.filter((s) => s.name === "bedr-shop-key").map((s) => s.op)).to.deep.equal([
                "create-replacement",
                "replace",
                "delete-replaced",
            ]);
            const renewed = await clusterKey();
            expect(renewed).not.to.equal(first);
            expect(await loginAs(iam.url, renewed)).to.equal(whoami);
            expect(await loginAs(iam.url, first)).to.equal("400 BXNIM0415E", "the old key is gone");
            const left = await keysOf();
            expect(left, "no twin key").to.have.length(1);
            expect(left[0].name).to.equal("bedr-shop-key");
            expect(resourceChanges(await stack.preview())).to.deep.equal([]);
            await stack.destroy();
            expect(await keysOf()).to.deep.equal([]);
        } finally {
            fast.dispose();
        }
    });
});
