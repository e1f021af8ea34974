// The emulator as a process (emulator/main.ts, run by `npm run iam-emulator`): the first stdout
// line announces the URL, the server works, and SIGTERM ends it with exit code 0.
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { ACCOUNT_A, ACCOUNT_B, ADMIN_KEY_A, ADMIN_KEY_B, client, tokenFor } from "./harness";

const ROOT = path.resolve(__dirname, "../..");
const MAIN = path.join(ROOT, "emulator/main.ts");

/** Starts main.ts the way the npm script does (ts-node, transpile only). */
function spawnEmulator(args: string[], env: Record<string, string> = {}): ChildProcess {
    const { IAM_EMULATOR_ACCOUNTS: _ambient, ...inherited } = process.env;
    return spawn(process.execPath, ["-r", "ts-node/register/transpile-only", MAIN, ...args], {
        cwd: ROOT,
        env: { ...inherited, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
}

const tempDirs: string[] = [];

/** A file in a fresh temporary directory (removed after the suite), readable by its owner only. */
function tempFile(name: string, text: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iam-emulator-cli-"));
    tempDirs.push(dir);
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
}

function stderrOf(child: ChildProcess): () => string {
    let text = "";
    child.stderr!.on("data", (d: Buffer) => (text += d.toString()));
    return () => text;
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
    after(() => {
        for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    });
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

    it("takes admin keys from an accounts file, keeping the first line as it is", async () => {
        // GIVEN a file with a comment, a blank line and two accounts, and no key on the command line
        const file = tempFile(
            "accounts.txt",
            `# admin keys\n${ACCOUNT_A}:${ADMIN_KEY_A}\n\n${ACCOUNT_B}:${ADMIN_KEY_B}\n`,
        );
        child = spawnEmulator(["--port", "0", "--accounts-file", file]);
        const line = await firstLine(child, 15_000);
        expect(line).to.match(/^IAM emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
        const url = line.replace("IAM emulator listening on ", "");
        expect(await tokenFor(client(url), ADMIN_KEY_A)).to.be.a("string");
        expect(await tokenFor(client(url), ADMIN_KEY_B)).to.be.a("string");
    });

    it("takes admin keys from IAM_EMULATOR_ACCOUNTS, together with --account", async () => {
        child = spawnEmulator(["--port", "0", "--account", `${ACCOUNT_B}:${ADMIN_KEY_B}`], {
            IAM_EMULATOR_ACCOUNTS: `${ACCOUNT_A}:${ADMIN_KEY_A}`,
        });
        const line = await firstLine(child, 15_000);
        expect(line).to.match(/^IAM emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
        const url = line.replace("IAM emulator listening on ", "");
        expect(await tokenFor(client(url), ADMIN_KEY_A)).to.be.a("string");
        expect(await tokenFor(client(url), ADMIN_KEY_B)).to.be.a("string");
    });

    it("rejects a bad accounts file line and a missing file, naming file and line, never the key", async () => {
        const file = tempFile("accounts.txt", `${ACCOUNT_A}:${ADMIN_KEY_A}\n${ADMIN_KEY_B}\n`);
        const missing = path.join(path.dirname(file), "nope.txt");
        child = spawnEmulator(["--accounts-file", file, "--accounts-file", missing]);
        const stderr = stderrOf(child);
        expect(await exitOf(child, 15_000)).to.equal(2);
        expect(stderr()).to.contain(
            `iam-emulator: invalid arguments:\n - --accounts-file ${file}, line 2: expected <accountId>:<apiKey>; ` +
                `got a value without ':'\n - --accounts-file ${missing}: cannot be read (ENOENT)\n`,
        );
        expect(stderr()).to.not.contain(ADMIN_KEY_A);
        expect(stderr()).to.not.contain(ADMIN_KEY_B);
    });

    it("rejects a bad IAM_EMULATOR_ACCOUNTS entry by its number, never the key", async () => {
        child = spawnEmulator([], { IAM_EMULATOR_ACCOUNTS: `${ACCOUNT_A}:${ADMIN_KEY_A}, ${ADMIN_KEY_B}` });
        const stderr = stderrOf(child);
        expect(await exitOf(child, 15_000)).to.equal(2);
        expect(stderr()).to.contain(
            "iam-emulator: invalid arguments:\n - IAM_EMULATOR_ACCOUNTS entry #2: expected <accountId>:<apiKey>; " +
                "got a value without ':'\n",
        );
        expect(stderr()).to.not.contain(ADMIN_KEY_B);
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
