// The IAM emulator as a process:
//   npm run iam-emulator -- --port 0 --account <accountId>:<apiKey> [--account …] [--state-file <path>]
// The first stdout line is exactly "IAM emulator listening on http://127.0.0.1:<port>", so a parent
// can wait for it and read the port. Runs until SIGTERM/SIGINT, then exits 0.
import { EmulatorAccount, IamEmulatorOptions, startIamEmulator, validateOptions } from "./index";

const USAGE = `Usage: iam-emulator --account <accountId>:<apiKey> [--account …] [options]

Options:
  --account <accountId>:<apiKey>   An account (32 lowercase hex characters) and its admin API key. Repeatable; at least one.
  --port <port>                    TCP port; 0 = any free port (default 0).
  --host <host>                    Interface to listen on (default 127.0.0.1).
  --state-file <path>              Load the world from this JSON file and save it after every change.
  --token-ttl <seconds>            Access-token lifetime (default 3600).
  --stale-entity-tag-status <409|412>
                                   Status of an Identity update with a stale If-Match (default 409).
  --help                           Show this help.`;

/** Parses the command line; returns options or the list of problems. @internal */
export function parseArgs(argv: string[]): {
    options?: IamEmulatorOptions;
    problems: string[];
    help?: boolean;
} {
    const problems: string[] = [];
    const accounts: EmulatorAccount[] = [];
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
            "--port",
            "--host",
            "--state-file",
            "--token-ttl",
            "--stale-entity-tag-status",
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
            case "--account": {
                // Split at the first colon: account ids have none, keys might.
                const i = value.indexOf(":");
                if (i < 0) {
                    problems.push(`--account: expected <accountId>:<apiKey>; got a value without ':'`);
                } else {
                    accounts.push({ accountId: value.slice(0, i), apiKey: value.slice(i + 1) });
                }
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
        }
    }
    // Same checks as the programmatic API, phrased for the command line; all problems at once.
    for (const p of validateOptions(options)) {
        problems.push(
            p
                .replace(
                    /^accounts: give at least one \{ accountId, apiKey \}/,
                    "--account: give at least one",
                )
                .replace(
                    /^accounts\[(\d+)\]\.accountId/,
                    (_m, i) => `--account #${Number(i) + 1}: account id`,
                )
                .replace(/^accounts\[(\d+)\]\.apiKey/, (_m, i) => `--account #${Number(i) + 1}: API key`),
        );
    }
    return problems.length > 0 ? { problems } : { options, problems };
}

async function main(): Promise<void> {
    const parsed = parseArgs(process.argv.slice(2));
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
