// Service-account entries of other writers, through the real engine against a real
// kube-apiserver: a field manager that server-side applies its own entry (as IKS does for
// `all-icr-io`), one that applies a list naming one of our entries, and accounts deleted and
// re-created (from scratch, and restored with their old annotations). Through `up`, `refresh`,
// a second `up`, key rotation and `destroy`, every entry another writer holds stays, and after
// destroy none of ours is left where it was ours.
import { expect } from "chai";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { LocalCluster } from "../bed/cluster";
import { serviceAccountPullSecrets } from "../bed/kubeView";
import { ProgramStack, PulumiSandbox, RunResult } from "../bed/pulumi";
import { PER_CLUSTER_PROGRAM } from "../bed/perClusterProgram";
import { sharedCluster } from "../bed/sharedCluster";

const ACCOUNT = "cccccccccccccccccccccccccccccccc";
const ADMIN = "admin-key-of-account-c-9a8b7c6d5e4f";
const NS = "claims";
const OURS = ["claims-icr-io", "claims-us-icr-io"];

describe("ServiceAccountPullSecrets and other writers of the same accounts (the per-cluster stack)", function () {
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

    const saPath = (sa: string) => `/api/v1/namespaces/${NS}/serviceaccounts/${sa}`;

    interface Account {
        metadata: { uid: string; annotations?: Record<string, string> };
    }

    async function getAccount(sa: string): Promise<Account> {
        const deadline = Date.now() + 60_000;
        for (;;) {
            const res = await cluster.api.get(saPath(sa));
            if (res.status === 200) return res.data as Account;
            if (Date.now() > deadline) throw new Error(`${NS}/${sa}: ${res.status}`);
            await new Promise((r) => setTimeout(r, 200));
        }
    }

    /** Server-side apply of `imagePullSecrets` by another field manager, forced as controllers do. */
    async function applyAs(fieldManager: string, sa: string, names: string[]): Promise<void> {
        const body = JSON.stringify({
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: sa, namespace: NS },
            imagePullSecrets: names.map((name) => ({ name })),
        });
        const res = await cluster.api.patch(`${saPath(sa)}?fieldManager=${fieldManager}&force=true`, body, {
            headers: { "Content-Type": "application/apply-patch+yaml" },
        });
        expect(res.status, `apply by ${fieldManager}: ${JSON.stringify(res.data)}`).to.equal(200);
    }

    /** Deletes the account and creates it again: a new object (new uid) with the given list and annotations. */
    async function recreate(
        sa: string,
        names: string[],
        annotations?: Record<string, string>,
    ): Promise<void> {
        const before = await getAccount(sa);
        expect((await cluster.api.delete(saPath(sa))).status).to.be.oneOf([200, 202]);
        const res = await cluster.api.post(`/api/v1/namespaces/${NS}/serviceaccounts`, {
            metadata: { name: sa, ...(annotations === undefined ? {} : { annotations }) },
            imagePullSecrets: names.map((name) => ({ name })),
        });
        expect(res.status, JSON.stringify(res.data)).to.equal(201);
        expect(res.data.metadata.uid).not.to.equal(before.metadata.uid);
    }

    const lists = async (): Promise<Record<string, string[]>> => ({
        default: await serviceAccountPullSecrets(cluster, NS, "default"),
        gitops: await serviceAccountPullSecrets(cluster, NS, "gitops"),
        restored: await serviceAccountPullSecrets(cluster, NS, "restored"),
        recreated: await serviceAccountPullSecrets(cluster, NS, "recreated"),
    });

    it("never removes an entry another writer or another incarnation of the account holds", async function () {
        // GIVEN a namespace whose default account lists IKS's all-icr-io, applied server-side by
        // its own field manager, and three more accounts
        expect((await cluster.api.post("/api/v1/namespaces", { metadata: { name: NS } })).status).to.equal(
            201,
        );
        await getAccount("default");
        for (const sa of ["gitops", "restored", "recreated"]) {
            const res = await cluster.api.post(`/api/v1/namespaces/${NS}/serviceaccounts`, {
                metadata: { name: sa },
            });
            expect(res.status).to.equal(201);
        }
        await applyAs("iks", "default", ["all-icr-io"]);
        const stack: ProgramStack = await sandbox.stack(PER_CLUSTER_PROGRAM, "claims", {
            "icr-access:cluster": { value: "claims" },
            "icr-access:namespaces": {
                value: JSON.stringify({
                    [NS]: {
                        regions: ["us-south"],
                        serviceAccounts: ["default", "gitops", "restored", "recreated"],
                    },
                }),
            },
            "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
            "ibmcloud:apiKey": { value: ADMIN, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
        });

        // WHEN the stack is deployed THEN our names follow whatever each account listed
        await stack.up();
        expect(await lists()).to.deep.equal({
            default: ["all-icr-io", ...OURS],
            gitops: OURS,
            restored: OURS,
            recreated: OURS,
        });

        // WHEN other writers act:
        //  - a GitOps tool server-side applies a list naming one of our entries and one of its own;
        //  - "restored" is deleted and restored from a backup, annotations (our claims) and list included;
        //  - "recreated" is deleted and re-created by a manifest that lists claims-us-icr-io itself
        await applyAs("gitops", "gitops", ["claims-us-icr-io", "team-icr-io"]);
        const old = await getAccount("restored");
        await recreate("restored", OURS, old.metadata.annotations);
        await recreate("recreated", ["claims-us-icr-io"]);
        const theirs = {
            default: ["all-icr-io", ...OURS],
            gitops: ["claims-us-icr-io", "team-icr-io"],
            restored: OURS,
            recreated: ["claims-us-icr-io"],
        };
        expect(await lists()).to.deep.equal(theirs);

        // WHEN refreshed THEN nothing is written, and state no longer counts their entries as ours
        await stack.refresh();
        expect(await lists()).to.deep.equal(theirs);
        const managed = Object.fromEntries(
            (await stack.resources())
                .filter((r) => r.type === "pulumi-nodejs:dynamic/k8s:ServiceAccountPullSecrets")
                .map((r) => [r.outputs!.serviceAccount as string, r.outputs!.managedNames as string[]]),
        );
        // (gitops: claims-us-icr-io is the applier's now, and its forced apply dropped claims-icr-io)
        expect(managed).to.deep.equal({ default: OURS, gitops: [], restored: [], recreated: [] });

        // WHEN deployed again THEN the entries the other writers dropped are added back as ours,
        // and theirs stay
        await stack.up();
        const afterUp = {
            default: ["all-icr-io", ...OURS],
            gitops: ["claims-us-icr-io", "team-icr-io", "claims-icr-io"],
            restored: OURS,
            recreated: ["claims-us-icr-io", "claims-icr-io"],
        };
        expect(await lists()).to.deep.equal(afterUp);

        // WHEN the keys are rotated THEN the accounts are not touched
        await stack.setConfig({ "icr-access:rotation": { value: "2026-12" } });
        await stack.up();
        expect(await lists()).to.deep.equal(afterUp);

        // WHEN destroyed THEN what we added to each incarnation is gone, and every other entry stays
        await stack.destroy();
        expect(await lists()).to.deep.equal({
            default: ["all-icr-io"],
            gitops: ["claims-us-icr-io", "team-icr-io"],
            restored: OURS,
            recreated: ["claims-us-icr-io"],
        });
    });

    describe("refuses at preview what IKS or someone else owns, naming the field, and creates nothing", function () {
        const cases: [string, Record<string, unknown>, () => Promise<void>, RegExp][] = [
            [
                "a combined secret in default, which would be IKS's all-icr-io",
                { default: { regions: ["us-south"], layout: "combined" } },
                async () => undefined,
                /namespaces\.default\.secretName: not set, so the combined secret would be "all-icr-io", which in namespace "default" is a pull secret IKS itself writes.*Set secretName to a name of your own/,
            ],
            [
                "createNamespace of a namespace that exists and is not the stack's",
                { "team-existing": { regions: ["us-south"], createNamespace: true } },
                async () => {
                    const res = await cluster.api.post("/api/v1/namespaces", {
                        metadata: { name: "team-existing" },
                    });
                    expect(res.status).to.equal(201);
                },
                /namespaces\.team-existing\.createNamespace: namespace "team-existing" already exists and this stack did not create it.*Nothing was created or changed\. As its owner, this stack would delete it.*remove createNamespace/,
            ],
            [
                "a per-domain secret in default that IKS already wrote",
                { default: { regions: ["us-south"] } },
                async () => {
                    const res = await cluster.api.post("/api/v1/namespaces/default/secrets", {
                        metadata: { name: "default-us-icr-io" },
                        type: "kubernetes.io/dockerconfigjson",
                        data: { ".dockerconfigjson": Buffer.from('{"auths":{}}').toString("base64") },
                    });
                    expect(res.status).to.equal(201);
                },
                /namespaces\.default\.layout: Secret "default\/default-us-icr-io" already exists and this stack did not create it.*Nothing was created or changed\. IKS writes its own pull secrets under this name/,
            ],
        ];
        cases.forEach(([what, namespaces, arrange, expected], i) => {
            it(`refuses ${what}`, async function () {
                await arrange();
                const stack = await sandbox.stack(PER_CLUSTER_PROGRAM, `owned-${i}`, {
                    "icr-access:cluster": { value: `owned${i}` },
                    "icr-access:namespaces": { value: JSON.stringify(namespaces) },
                    "icr-access:kubeconfig": { value: cluster.kubeconfig, secret: true },
                    "ibmcloud:apiKey": { value: ADMIN, secret: true },
                    "ibmcloud:iamEndpoint": { value: iam.url },
                });
                const secretsBefore = (await cluster.api.get("/api/v1/secrets")).data.items.length;
                const namespacesBefore = (await cluster.api.get("/api/v1/namespaces")).data.items.length;
                iam.resetLog();
                let failure: (Error & { result?: RunResult }) | undefined;
                const started = Date.now();
                try {
                    await stack.preview();
                } catch (err) {
                    failure = err as Error & { result?: RunResult };
                }
                const seconds = (Date.now() - started) / 1000;
                process.stdout.write(`      refused preview took ${seconds.toFixed(1)} s\n`);
                expect(failure, "preview must fail").not.to.equal(undefined);
                // Refused by a check, which the engine reports at once; not by an Output it waits
                // a minute for.
                expect(seconds, "seconds until the refusal").to.be.below(45);
                const text = `${failure!.message}\n${failure!.result?.stdout ?? ""}`.replace(
                    /\s*\n\s*/g,
                    " ",
                );
                expect(text).to.match(expected);
                expect(iam.counters().writes).to.equal(0);
                expect((await cluster.api.get("/api/v1/secrets")).data.items.length).to.equal(secretsBefore);
                expect((await cluster.api.get("/api/v1/namespaces")).data.items.length).to.equal(
                    namespacesBefore,
                );
                expect(await stack.resources()).to.deep.equal([]);
            });
        });
    });
});
