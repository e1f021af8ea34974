// The IAM emulator as a process:
//   npm run iam-emulator -- --port 0 --account <accountId>:<apiKey> [--account …] [--state-file <path>]
// Admin keys can also come from a file (--accounts-file) or the environment
// (IAM_EMULATOR_ACCOUNTS), because a command line is visible to every user of the machine
// (`ps`, /proc/<pid>/cmdline) and ends up in shell history and CI logs.
// The first stdout line is exactly "IAM emulator listening on http://127.0.0.1:<port>", so a parent
// can wait for it and read the port. Runs until SIGTERM/SIGINT, then exits 0.
import * as fs from "fs";
import { parseDuration, parseInstant } from "./clock";
import { EmulatorAccount, IamEmulatorOptions, startIamEmulator, validateOptions } from "./index";
import { LIMIT_NAMES } from "./limits";

/** Environment variable holding accounts, `<accountId>:<apiKey>` separated by white space or commas. */
export const ACCOUNTS_ENV_VAR = "IAM_EMULATOR_ACCOUNTS";

const USAGE = `Usage: iam-emulator --account <accountId>:<apiKey> [--account …] [options]

Accounts (at least one, from any mix of these; all are used):
  --account <accountId>:<apiKey>   An account (32 lowercase hex characters) and its admin API key. Repeatable.
  --accounts-file <path>           A file with one <accountId>:<apiKey> per line; blank lines and lines
                                   starting with # are ignored. Repeatable.
  ${ACCOUNTS_ENV_VAR}=<accountId>:<apiKey>[,…]
                                   Environment variable; entries separated by commas or white space.
  The file and the variable keep keys off the command line, which other users can see in ps.

Options:
  --port <port>                    TCP port; 0 = any free port (default 0).
  --host <host>                    Interface to listen on (default 127.0.0.1).
  --state-file <path>              Load the world from this JSON file and save it after every change.
  --token-ttl <seconds>            Access-token lifetime (default 3600).
  --stale-entity-tag-status <409|412>
                                   Status of an Identity update with a stale If-Match (default 409).
  --clock <time|+duration>         IAM's time at start: ISO 8601 (2026-01-01T00:00Z) or an offset from
                                   now (+61d, -2h, +2w). It ticks from there; POST /_emulator/clock
                                   moves it later. Default: real time.
  --limit <name>=<count>           A per-account limit instead of IBM's default, e.g.
                                   serviceIdsPerAccount=3. Repeatable. Names: ${LIMIT_NAMES.join(", ")}.
                                   POST /_emulator/limits changes them later.
  --help                           Show this help.`;

/**
 * One `<accountId>:<apiKey>` entry, or a problem that names `where` and never the entry.
 * Split at the first colon: account ids have none, keys might.
 */
function parseAccount(entry: string, where: string): EmulatorAccount | string {
    const i = entry.indexOf(":");
    if (i < 0) return `${where}: expected <accountId>:<apiKey>; got a value without ':'`;
    return { accountId: entry.slice(0, i), apiKey: entry.slice(i + 1) };
}

/** Entries of an accounts file's text with their line numbers; `#` comments and blank lines skipped. */
function accountLines(text: string): { line: number; entry: string }[] {
    return text
        .split(/\r?\n/)
        .map((raw, i) => ({ line: i + 1, entry: raw.trim() }))
        .filter(({ entry }) => entry !== "" && !entry.startsWith("#"));
}

/**
 * Parses the command line, plus accounts from `--accounts-file` files and the
 * {@link ACCOUNTS_ENV_VAR} variable of `env`; returns options or the list of problems.
 * @internal
 */
export function parseArgs(
    argv: string[],
    env: Record<string, string | undefined> = {},
): {
    options?: IamEmulatorOptions;
    problems: string[];
    help?: boolean;
} {
    const problems: string[] = [];
    const accounts: EmulatorAccount[] = [];
    // Where each account came from, for messages: "--account #2", "--accounts-file f, line 3".
    const labels: string[] = [];
    const add = (entry: string, label: string): void => {
        const parsed = parseAccount(entry, label);
        if (typeof parsed === "string") {
            problems.push(parsed);
        } else {
            accounts.push(parsed);
            labels.push(label);
        }
    };
    let accountFlags = 0;
    const options: IamEmulatorOptions = { accounts };
    const args = [...argv];
    while (args.length > 0) {
        let arg = args.shift() as string;
        let value: string | undefined;
        const eq = arg.indexOf("=");
        if (arg.startsWith("--") && eq > 0) {
            value = arg.slice(eq + 1);
            arg = arg.slice(0, eq);
        }
        if (arg === "--help" || arg === "-h") return { problems: [], help: true };
        const known = [
            "--account",
            "--accounts-file",
            "--port",
            "--host",
            "--state-file",
            "--token-ttl",
            "--stale-entity-tag-status",
            "--clock",
            "--limit",
        ];
        if (!known.includes(arg)) {
            problems.push(`unknown argument "${arg}"`);
            continue;
        }
        if (value === undefined) value = args.shift();
        if (value === undefined || value === "") {
            problems.push(`${arg}: needs a value`);
            continue;
        }
        switch (arg) {
            case "--account":
                add(value, `--account #${++accountFlags}`);
                break;
            case "--accounts-file": {
                let text: string;
                try {
                    text = fs.readFileSync(value, "utf8");
                } catch (e) {
                    const code = (e as NodeJS.ErrnoException).code ?? "error";
                    problems.push(`--accounts-file ${value}: cannot be read (${code})`);
                    break;
                }
                const lines = accountLines(text);
                if (lines.length === 0)
                    problems.push(`--accounts-file ${value}: holds no <accountId>:<apiKey> line`);
                for (const { line, entry } of lines) add(entry, `--accounts-file ${value}, line ${line}`);
                break;
            }
            case "--port":
                if (!/^\d+$/.test(value)) problems.push(`--port: "${value}" is not a port number (0-65535)`);
                else options.port = Number(value);
                break;
            case "--host":
                options.host = value;
                break;
            case "--state-file":
                options.stateFile = value;
                break;
            case "--token-ttl":
                if (!/^\d+$/.test(value)) problems.push(`--token-ttl: "${value}" is not a number of seconds`);
                else options.tokenTtlSeconds = Number(value);
                break;
            case "--stale-entity-tag-status":
                if (value !== "409" && value !== "412") {
                    problems.push(`--stale-entity-tag-status: must be 409 or 412; got "${value}"`);
                } else options.staleEntityTagStatus = Number(value) as 409 | 412;
                break;
            case "--limit": {
                const m = /^([A-Za-z]+)=(\d+)$/.exec(value);
                if (!m) {
                    problems.push(
                        `--limit: expected <name>=<count>, e.g. serviceIdsPerAccount=3; got "${value}"`,
                    );
                } else {
                    // validateOptions checks the name and the count.
                    options.limits = { ...options.limits, [m[1]]: Number(m[2]) };
                }
                break;
            }
            case "--clock": {
                const offset = /^[+-]/.test(value) ? parseDuration(value.replace(/^\+/, "")) : undefined;
                const at = offset !== undefined ? Date.now() + offset : parseInstant(value);
                if (at === undefined) {
                    problems.push(
                        `--clock: "${value}" is neither a time (ISO 8601) nor an offset such as +61d, -2h`,
                    );
                } else options.clockStart = at;
                break;
            }
        }
    }
    const fromEnv = (env[ACCOUNTS_ENV_VAR] ?? "").split(/[\s,]+/).filter((e) => e !== "");
    fromEnv.forEach((entry, i) => add(entry, `${ACCOUNTS_ENV_VAR} entry #${i + 1}`));
    // Same checks as the programmatic API, phrased for the command line; all problems at once.
    for (const p of validateOptions(options)) {
        problems.push(
            p
                .replace(
                    /^accounts: give at least one \{ accountId, apiKey \}/,
                    `--account: give at least one (or use --accounts-file or ${ACCOUNTS_ENV_VAR})`,
                )
                .replace(/^accounts\[(\d+)\]\.accountId/, (_m, i) => `${labels[Number(i)]}: account id`)
                .replace(/^accounts\[(\d+)\]\.apiKey/, (_m, i) => `${labels[Number(i)]}: API key`),
        );
    }
    return problems.length > 0 ? { problems } : { options, problems };
}

async function main(): Promise<void> {
    const parsed = parseArgs(process.argv.slice(2), process.env);
    if (parsed.help) {
        console.log(USAGE);
        return;
    }
    if (!parsed.options) {
        console.error(`iam-emulator: invalid arguments:\n - ${parsed.problems.join("\n - ")}\n\n${USAGE}`);
        process.exit(2);
    }
    const emulator = await startIamEmulator(parsed.options);
    console.log(`IAM emulator listening on ${emulator.url}`);
    let stopping = false;
    const stop = (): void => {
        if (stopping) return;
        stopping = true;
        emulator.close().then(
            () => process.exit(0),
            (e: unknown) => {
                console.error("iam-emulator: error while stopping:", e);
                process.exit(1);
            },
        );
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
}

if (require.main === module) {
    main().catch((e: unknown) => {
        console.error(`iam-emulator: ${(e as Error).message ?? e}`);
        process.exit(1);
    });
}
