// Child processes of the test bed: started with their output captured to a log
// file, and stopped on every way out (normal stop, failed test, Ctrl-C, SIGTERM).
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";

const running = new Set<ChildProcess>();

function killAll(): void {
    for (const p of running) {
        try {
            p.kill("SIGKILL");
        } catch {
            // already gone
        }
    }
}
process.once("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
        killAll();
        process.exit(130);
    });
}

/** A started process whose stdout and stderr go to `logFile`. */
export interface Managed {
    readonly name: string;
    readonly logFile: string;
    readonly process: ChildProcess;
    stop(): Promise<void>;
}

/** Starts `command`; an early exit is reported with the tail of its log. */
export function startProcess(name: string, command: string, args: string[], logFile: string): Managed {
    const log = fs.openSync(logFile, "a");
    const child = spawn(command, args, { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    running.add(child);
    child.once("exit", () => running.delete(child));
    const stop = async (): Promise<void> => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
    };
    return { name, logFile, process: child, stop };
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 30): string {
    try {
        return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
        return "";
    }
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

/**
 * Polls `probe` until it returns true; fails after `timeoutMs`, or as soon as
 * `proc` exits, with the tail of its log.
 */
export async function waitFor(
    what: string,
    probe: () => Promise<boolean>,
    timeoutMs: number,
    proc?: Managed,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await probe().catch(() => false)) return;
        if (proc && proc.process.exitCode !== null) {
            throw new Error(
                `${proc.name} exited (${proc.process.exitCode}) while waiting for ${what}:\n${tail(proc.logFile)}`,
            );
        }
        if (Date.now() > deadline) {
            throw new Error(
                `timed out after ${timeoutMs} ms waiting for ${what}\n${proc ? tail(proc.logFile) : ""}`,
            );
        }
        await new Promise((r) => setTimeout(r, 200));
    }
}
