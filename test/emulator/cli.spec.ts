// The emulator as a process (emulator/main.ts, run by `npm run iam-emulator`): the first stdout
// line announces the URL, the server works, and SIGTERM ends it with exit code 0.
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as readline from "readline";
import { ACCOUNT_A, ADMIN_KEY_A, client, tokenFor } from "./harness";

const ROOT = path.resolve(__dirname, "../..");
const MAIN = path.join(ROOT, "emulator/main.ts");

/** Starts main.ts the way the npm script does (ts-node, transpile only). */
function spawnEmulator(args: string[]): ChildProcess {
    return spawn(process.execPath, ["-r", "ts-node/register/transpile-only", MAIN, ...args], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
    });
}

function firstLine(child: ChildProcess, limitMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no stdout line within ${limitMs} ms`)), limitMs);
        readline.createInterface({ input: child.stdout! }).once("line", (line) => {
            clearTimeout(timer);
            resolve(line);
        });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`exited with ${code} before printing a line`));
        });
    });
}

function exitOf(child: ChildProcess, limitMs: number): Promise<number | null> {
    return new Promise((resolve, reject) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        const timer = setTimeout(() => reject(new Error(`no exit within ${limitMs} ms`)), limitMs);
        child.once("exit", (code) => {
            clearTimeout(timer);
            resolve(code);
        });
    });
}

describe("IAM emulator: command line", function () {
    this.timeout(20_000);
    let child: ChildProcess | undefined;
    afterEach(() => {
        if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        child = undefined;
    });

    it("prints the listening URL as its first line, serves tokens, and exits 0 on SIGTERM", async () => {
        child = spawnEmulator(["--port", "0", "--account", `${ACCOUNT_A}:${ADMIN_KEY_A}`]);
        const line = await firstLine(child, 15_000);
        expect(line).to.match(/^IAM emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
        const url = line.replace("IAM emulator listening on ", "");
        expect(await tokenFor(client(url), ADMIN_KEY_A)).to.be.a("string");
        child.kill("SIGTERM");
        expect(await exitOf(child, 5_000)).to.equal(0);
    });

    it("rejects a malformed account id with exit code 2 and a clear message", async () => {
        child = spawnEmulator(["--account", "acct-1:some-key"]);
        let stderr = "";
        child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
        expect(await exitOf(child, 15_000)).to.equal(2);
        expect(stderr).to.contain(
            '--account #1: account id: "acct-1" is not an IBM Cloud account id (32 lowercase hexadecimal characters',
        );
        expect(stderr).to.not.contain("some-key");
    });
});
