// Ownership is recorded, never guessed, through the real engine: a per-cluster stack
// (ClusterRegistryAccess from the installed package) run by the Pulumi CLI against a real
// kube-apiserver and the IAM emulator, through what used to cost someone something:
// - a lost create answer while IAM's listings fail, across two runs (service ID, policy);
// - `kill -9` of the whole `pulumi` process tree at each IAM write of a first `up`, then
//   `pulumi refresh --clear-pending-creates` and `up`;
// - two stacks whose IAM names collide;
// - `pulumi stack rename` and a move to another backend (export/import);
// - a namespace the stack created, holding a team's data, that stops being asked for.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import axios from "axios";
import { expect } from "chai";
import { IamEmulator, startIamEmulator } from "../../emulator";
import type { Fault } from "../../emulator/faults";
import { LocalCluster } from "../bed/cluster";
import { IamWorld, iamWorld, loginAs } from "../bed/iamWorld";
import { pullSecrets } from "../bed/kubeView";
import { Stack } from "@pulumi/pulumi/automation";
import { ProgramStack, PulumiSandbox, resourceChanges } from "../bed/pulumi";
import { toolchain } from "../bed/toolchain";
import { FAST_IAM_CLIENT_ENV } from "../bed/fastIamClient";
import { sharedCluster } from "../bed/sharedCluster";

const PROGRAM = "test/e2e/programs/ownership";
const ACCOUNT = "6a8e1d2c3b4a59687706f5e4d3c2b1a0";
const ADMIN_KEY = "admin-key-of-the-ownership-spec-7d31b0e5";

describe("Ownership is recorded, never guessed (real engine, real API server)", function () {
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
            ...FAST_IAM_CLIENT_ENV,
        });
        for (const ns of ["alpha", "beta", "dshare"]) {
            expect(
                (await cluster.api.post("/api/v1/namespaces", { metadata: { name: ns } })).status,
            ).to.equal(201);
        }
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
    });

    const world = () => iamWorld(iam.url, ACCOUNT);

    async function resetIam(): Promise<void> {
        expect((await axios.post(`${iam.url}/_emulator/reset`)).status).to.equal(204);
    }

    const policiesOf = (w: IamWorld, iamId: string) =>
        w.policies.filter((p) =>
            p.subjects[0].attributes.some((a) => a.name === "iam_id" && a.value === iamId),
        );

    /** A stack of the ownership program for `cluster` with `namespaces`. */
    async function programStack(
        name: string,
        clusterName: string,
        namespaces: Record<string, unknown>,
        box: PulumiSandbox = sandbox,
    ): Promise<ProgramStack> {
        return box.stack(PROGRAM, name, {
            "bed-ownership:cluster": { value: clusterName },
            "bed-ownership:namespaces": { value: JSON.stringify(namespaces) },
            "bed-ownership:kubeconfig": { value: cluster.kubeconfig, secret: true },
            "ibmcloud:apiKey": { value: ADMIN_KEY, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
        });
    }

    /** `up`, reporting instead of throwing when it fails. */
    async function tryUp(stack: ProgramStack): Promise<{ ok: boolean; error?: string }> {
        try {
            await stack.up();
            return { ok: true };
        } catch (err) {
            return { ok: false, error: (err as Error).message.split("\n").slice(-30).join("\n") };
        }
    }

    /**
     * Exactly one service ID, one policy per scope and one key per namespace of `clusterName`,
     * the key in the namespace's pull secrets logging in as that service ID.
     */
    async function expectExactlyOneOfEach(
        where: string,
        clusterName: string,
        scopes: Record<string, number>,
    ): Promise<void> {
        const w = await world();
        for (const [ns, policyCount] of Object.entries(scopes)) {
            const sids = w.serviceIds.filter((s) => s.name === `${clusterName}-${ns}-id`);
            expect(sids, `${where}: service IDs of ${ns}`).to.have.length(1);
            const iamId = sids[0].iamId ?? "";
            expect(iamId, `${where}: IAM id of ${ns}`).to.match(/^iam-ServiceId-/);
            expect(policiesOf(w, iamId), `${where}: policies of ${ns}`).to.have.length(policyCount);
            expect(
                w.apiKeys.filter((k) => k.iamId === iamId),
                `${where}: keys of ${ns}`,
            ).to.have.length(1);
            for (const s of (await pullSecrets(cluster, ns)).values()) {
                for (const auth of Object.values(s.auths)) {
                    expect(await loginAs(iam.url, auth.password), `${where}: key in ${ns}'s secret`).to.equal(
                        `${iamId} in ${ACCOUNT}`,
                    );
                }
            }
        }
    }

    async function destroyAndExpectEmpty(stack: ProgramStack, where: string): Promise<void> {
        await stack.destroy();
        const w = await world();
        expect(
            [w.serviceIds.length, w.apiKeys.length, w.policies.length],
            `${where}: left in IAM after destroy`,
        ).to.deep.equal([0, 0, 0]);
    }

    const iamWrites = () =>
        iam
            .requests()
            .filter(
                (r) => r.operation !== "getToken" && ["POST", "PUT", "DELETE", "PATCH"].includes(r.method),
            );

    /** Waits until IAM has done `count` writes (the faulted one included). */
    async function untilWrites(count: number, timeoutMs = 120_000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (iamWrites().length < count) {
            if (Date.now() > deadline) throw new Error(`IAM saw ${iamWrites().length} writes, not ${count}`);
            await new Promise((r) => setTimeout(r, 100));
        }
    }

    describe("lost create answers while IAM's listings fail, across two runs", function () {
        for (const [what, pathPrefix, writesBefore] of [
            ["service ID", "/v1/serviceids", 0],
            ["policy", "/v1/policies", 1],
        ] as const) {
            it(`${what}: the next run takes back what the lost create made, and nothing else`, async function () {
                await resetIam();
                const stack = await programStack(`lost-${pathPrefix.split("/")[2]}`, "lst", {
                    alpha: { regions: ["us-south"], includeGlobal: false },
                });
                // GIVEN the create's answer is held back after IAM committed it
                iam.injectFault({
                    kind: "lostResponse",
                    mode: "stall",
                    stallMs: 10_000,
                    method: "POST",
                    pathPrefix,
                } as Fault);
                const run = tryUp(stack);
                await untilWrites(writesBefore + 1);
                // AND from then on IAM's listings fail, so the lost object cannot be found
                for (const list of ["/v1/serviceids", "/v1/policies", "/v1/apikeys"])
                    iam.injectFault({
                        kind: "status",
                        status: 500,
                        times: 1_000,
                        method: "GET",
                        pathPrefix: list,
                    });
                // WHEN the up fails
                const first = await run;
                expect(first.ok, "the first up fails").to.equal(false);
                expect(
                    (await world())[pathPrefix === "/v1/policies" ? "policies" : "serviceIds"],
                ).to.have.length(1);
                iam.clearFaults();
                // THEN a second up (no adoptExisting set) converges with no twins
                const second = await tryUp(stack);
                expect(second, "the second up").to.deep.equal({ ok: true });
                await expectExactlyOneOfEach(what, "lst", { alpha: 1 });
                expect(resourceChanges(await stack.preview()), "preview after").to.deep.equal([]);
                await destroyAndExpectEmpty(stack, what);
            });
        }
    });

    it("kill -9 of the whole pulumi process tree at each IAM write of a first up: the recovery leaves one of each", async function () {
        await resetIam();
        const namespaces = {
            alpha: { regions: ["us-south"] },
            beta: { regions: ["eu-de"], includeGlobal: false },
        };
        const scopes = { alpha: 2, beta: 1 };
        const stack = await programStack("killed", "kil", namespaces);
        // GIVEN the number of IAM writes of a clean first up
        expect(await tryUp(stack), "clean up").to.deep.equal({ ok: true });
        const n = iamWrites().length;
        expect(n, "service IDs, policies and keys of two namespaces").to.equal(7);
        await destroyAndExpectEmpty(stack, "clean");
        const covered: string[] = [];
        for (let k = 1; k <= n; k++) {
            await resetIam();
            // WHEN IAM commits write k but its answer is held back, and the CLI, the language
            // host and the provider host are killed with SIGKILL
            iam.injectFault({
                kind: "lostResponse",
                mode: "stall",
                stallMs: 120_000,
                method: "POST",
                pathPrefix: "/v1/",
                skip: k - 1,
                times: 1,
            } as Fault);
            const killed = await killedUp(stack, () => untilWrites(k));
            const hit = iamWrites()[k - 1].operation;
            iam.clearFaults();
            // AND the user recovers as documented: `pulumi cancel` releases the lock the killed CLI
            // left, `refresh --clear-pending-creates` drops the creates it never finished.
            const cancel = () => stack.cli(["cancel", "--yes"]);
            const refresh = () =>
                stack.cli(["refresh", "--clear-pending-creates", "--yes", "--skip-preview"]);
            const cancelled = await cancel().then(
                () => "",
                (err: Error) => err.message,
            );
            let restored = false;
            let repairs = "";
            try {
                await refresh();
            } catch (err) {
                // The file backend (gocloud.dev fileblob) renames each checkpoint into place, but
                // writes its `<stack>.json.attrs` sidecar in place: a CLI killed in between leaves
                // an empty sidecar and "failed to load checkpoint: EOF". Removing the broken
                // sidecar (fileblob reads a missing one as defaults), and putting back the copy the
                // backend keeps (`<stack>.json.bak`) if the checkpoint itself does not parse, is
                // the way back, as for any Pulumi file backend. A cancel that failed on the same
                // broken files left the lock: it runs again once they are repaired, and must pass.
                if (!/failed to load checkpoint|currently locked/.test((err as Error).message)) throw err;
                repairs = repairCheckpoint(stack);
                if (cancelled !== "") repairs += `; the first cancel failed (${firstLine(cancelled)})`;
                restored = true;
                await cancel();
                await refresh();
            }
            expect(await tryUp(stack), `write ${k} (${hit}): up after the crash`).to.deep.equal({ ok: true });
            // THEN exactly one of each, the key in the secrets logs in, nothing left to change
            await expectExactlyOneOfEach(`write ${k} (${hit})`, "kil", scopes);
            expect(resourceChanges(await stack.preview()), `write ${k}: preview after`).to.deep.equal([]);
            await destroyAndExpectEmpty(stack, `write ${k} (${hit})`);
            covered.push(`write ${k}: ${hit} (killed ${killed} processes${restored ? `; ${repairs}` : ""})`);
        }
        process.stdout.write(
            `      ${covered.join("\n      ")}\n      covered ${covered.length} of ${n} write points\n`,
        );
    });

    /** The first line of a CLI failure after the command line, for the covered list. */
    function firstLine(message: string): string {
        return (
            message
                .split("\n")
                .slice(1)
                .find((l) => l.trim() !== "") ?? message
        );
    }

    /**
     * Repairs what a kill left in the file backend: removes `.attrs` sidecars that do not parse, and
     * puts the backend's copy of the previous checkpoint back if the stack's does not parse.
     * Returns what it did.
     */
    function repairCheckpoint(stack: ProgramStack): string {
        const file = path.join(
            sandbox.backendDir,
            ".pulumi",
            "stacks",
            "bed-ownership",
            `${stack.stack.name}.json`,
        );
        const parses = (f: string) => {
            try {
                JSON.parse(fs.readFileSync(f, "utf8"));
                return true;
            } catch {
                return false;
            }
        };
        const done: string[] = [];
        for (const sidecar of [`${file}.attrs`, `${file}.bak.attrs`]) {
            if (fs.existsSync(sidecar) && !parses(sidecar)) {
                fs.rmSync(sidecar);
                done.push(`removed the broken ${path.basename(sidecar)}`);
            }
        }
        if (!parses(file)) {
            fs.copyFileSync(`${file}.bak`, file);
            done.push("checkpoint restored from its .bak");
        }
        return done.join(", ") || "nothing to repair";
    }

    /** Runs `pulumi up` in its own process group and SIGKILLs the group once `ready` resolves. */
    async function killedUp(stack: ProgramStack, ready: () => Promise<void>): Promise<number> {
        const pulumi = toolchain().pulumi;
        const child = spawn(
            pulumi,
            ["up", "--yes", "--skip-preview", "--stack", stack.stack.name, "--non-interactive"],
            {
                cwd: stack.stack.workspace.workDir,
                env: {
                    ...process.env,
                    ...sandbox.envVars,
                    PATH: `${path.dirname(pulumi)}${path.delimiter}${process.env.PATH ?? ""}`,
                },
                detached: true,
                stdio: "ignore",
            },
        );
        const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
        await ready();
        // The CLI, the language host, the provider hosts and whatever they started: every
        // descendant, whatever process group it put itself in.
        const tree = [child.pid!, ...descendantsOf(child.pid!)];
        for (const pid of tree) {
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                // gone meanwhile
            }
        }
        await exited;
        await new Promise((r) => setTimeout(r, 200));
        expect(tree.filter(alive), "processes left of the killed tree").to.deep.equal([]);
        return tree.length;
    }

    /** Every live descendant of `pid`, from /proc. */
    function descendantsOf(pid: number): number[] {
        const parentOf = new Map<number, number>();
        for (const entry of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
            try {
                const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
                const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
                parentOf.set(Number(entry), Number(fields[1]));
            } catch {
                // gone meanwhile
            }
        }
        const out: number[] = [];
        const walk = (p: number) => {
            for (const [c, parent] of parentOf) {
                if (parent === p) {
                    out.push(c);
                    walk(c);
                }
            }
        };
        walk(pid);
        return out;
    }

    function alive(pid: number): boolean {
        try {
            const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
            return !/\) Z /.test(stat);
        } catch {
            return false;
        }
    }

    it("two stacks whose IAM names collide: the second is refused at preview, and neither touches the other's objects", async function () {
        await resetIam();
        const first = await programStack("dd-first", "dd", {
            dshare: { regions: ["us-south"], includeGlobal: false },
        });
        expect(await tryUp(first), "the first stack").to.deep.equal({ ok: true });
        const before = await world();
        const firstSid = before.serviceIds.find((s) => s.name === "dd-dshare-id")!;
        const firstKey = [...(await pullSecrets(cluster, "dshare")).values()][0];
        // WHEN a second stack with the same cluster and namespace names (other regions) runs,
        // with a lost answer waiting on the service ID create
        const second = await programStack("dd-second", "dd", {
            dshare: { regions: ["eu-de"], includeGlobal: false },
        });
        const started = Date.now();
        const preview = await second.preview().then(
            () => "",
            (err: Error) => err.message,
        );
        const previewSeconds = (Date.now() - started) / 1000;
        // THEN its preview is refused, naming the other stack's service ID and the fix
        expect(preview).to.contain(
            `account ${ACCOUNT} already has a service ID named "dd-dshare-id" that is not this stack's`,
        );
        expect(preview).to.contain(firstSid.id);
        expect(preview).to.contain("another stack's (owner mark");
        expect(preview).to.contain("another `icr-access:cluster`");
        process.stdout.write(`      refused preview took ${previewSeconds.toFixed(1)} s\n`);
        iam.injectFault({
            kind: "lostResponse",
            mode: "status",
            method: "POST",
            pathPrefix: "/v1/serviceids",
        } as Fault);
        const up = await tryUp(second);
        expect(up.ok, "the second stack's up").to.equal(false);
        iam.clearFaults();
        // AND nothing of the first stack's changed, and its key still logs in
        const after = await world();
        expect(after.serviceIds.map((s) => s.id)).to.deep.equal(before.serviceIds.map((s) => s.id));
        expect(after.apiKeys.map((k) => k.id)).to.deep.equal(before.apiKeys.map((k) => k.id));
        expect(after.policies.map((p) => p.id)).to.deep.equal(before.policies.map((p) => p.id));
        await second.destroy();
        expect((await world()).serviceIds.map((s) => s.id)).to.deep.equal([firstSid.id]);
        for (const auth of Object.values(firstKey.auths))
            expect(await loginAs(iam.url, auth.password)).to.equal(`${firstSid.iamId} in ${ACCOUNT}`);
        await destroyAndExpectEmpty(first, "first stack");
    });

    it("stack rename and a move to another backend change nothing; a created namespace with a team's data is never deleted with it", async function () {
        await resetIam();
        const namespaces = { team: { regions: ["us-south"], createNamespace: true } };
        const stack = await programStack("before-rename", "ren", namespaces);
        expect(await tryUp(stack), "first up").to.deep.equal({ ok: true });
        // A team keeps its data in the namespace the stack created.
        expect(
            (
                await cluster.api.post("/api/v1/namespaces/team/configmaps", {
                    metadata: { name: "team-data" },
                    data: { orders: "42" },
                })
            ).status,
        ).to.equal(201);
        // WHEN the stack is renamed
        await stack.cli(["stack", "rename", "after-rename"]);
        const renamed = new ProgramStack(await Stack.select("after-rename", stack.stack.workspace), sandbox);
        const writesBefore = iamWrites().length;
        // THEN preview and up change nothing, in IAM or in the cluster
        expect(resourceChanges(await renamed.preview()), "preview after rename").to.deep.equal([]);
        const upAfterRename = await renamed.up();
        expect(resourceChanges(upAfterRename), "up after rename").to.deep.equal([]);
        expect(iamWrites().length, "IAM writes after rename").to.equal(writesBefore);

        // WHEN the state moves to another backend (export, import into a new one)
        const exported = await renamed.cli(["stack", "export", "--show-secrets"]);
        const other = new PulumiSandbox({
            KUBECONFIG: cluster.kubeconfigPath,
            IBMCLOUD_API_KEY: "",
            IBMCLOUD_IAM_ENDPOINT: "",
            IBMCLOUD_ACCOUNT_ID: "",
            ...FAST_IAM_CLIENT_ENV,
        });
        try {
            const moved = await programStack("after-rename", "ren", namespaces, other);
            const file = path.join(other.dir, "exported.json");
            fs.writeFileSync(file, exported);
            await moved.cli(["stack", "import", "--file", file]);
            // THEN preview and up change nothing either
            expect(resourceChanges(await moved.preview()), "preview after the move").to.deep.equal([]);
            expect(resourceChanges(await moved.up()), "up after the move").to.deep.equal([]);
            expect(iamWrites().length, "IAM writes after the move").to.equal(writesBefore);

            // WHEN the namespace is no longer asked for, it would go: refused at preview,
            // naming the team's ConfigMap; nothing is deleted
            await moved.setConfig({
                "bed-ownership:namespaces": { value: JSON.stringify({ alpha: { regions: ["us-south"] } }) },
            });
            const refused = await moved.preview().then(
                () => "",
                (err: Error) => err.message,
            );
            expect(refused, refused.slice(-3000)).to.contain(
                'namespaces.team.createNamespace: this stack created namespace "team"',
            );
            expect(refused).to.contain("ConfigMap/team-data");
            expect(refused).to.contain("deleteNamespaceContents");
            const upRefused = await tryUp(moved);
            expect(upRefused.ok, "up refused too").to.equal(false);
            expect((await cluster.api.get("/api/v1/namespaces/team/configmaps/team-data")).status).to.equal(
                200,
            );
            expect((await cluster.api.get("/api/v1/namespaces/team")).status).to.equal(200);
            // AND with the team's data moved out, the namespace goes
            expect(
                (await cluster.api.delete("/api/v1/namespaces/team/configmaps/team-data")).status,
            ).to.equal(200);
            expect(await tryUp(moved), "up once the namespace holds only the stack's").to.deep.equal({
                ok: true,
            });
            await destroyAndExpectEmpty(moved, "moved stack");
        } finally {
            other.dispose();
        }
    });
});
