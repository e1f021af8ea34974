// Runs a Pulumi program directory through the real engine as a user does: the Pulumi CLI
// launches the Node.js language host, which runs the program's own @pulumi/pulumi with
// ts-node, from the program's directory. A file backend in a temporary directory, a
// passphrase secrets provider, no update checks and no plugin downloads keep it hermetic.
// The Automation API is only the driver that starts the CLI (local programs, no `--client`).
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    ConfigMap,
    EngineEvent,
    LocalWorkspace,
    OutputMap,
    PulumiCommand,
    Stack,
} from "@pulumi/pulumi/automation";
import { ensureFreshBuild } from "./freshBuild";
import { repoRoot, toolchain } from "./toolchain";

/** What a run of preview/up/refresh/destroy produced. */
export interface RunResult {
    /** The engine's events, in order. */
    readonly events: EngineEvent[];
    /** Everything the CLI printed. */
    readonly stdout: string;
    /** Operation counts by kind ("create", "update", "same", ...). */
    readonly changes: Record<string, number>;
    /** Resource steps (op, urn, type, diffs) excluding "same". */
    readonly steps: Step[];
}

/** One planned or applied change to a resource. */
export interface Step {
    readonly op: string;
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly diffs: string[];
    readonly detailedDiff?: Record<string, { kind: string; inputDiff: boolean }>;
}

/** The resource steps of a run other than the engine's provider bookkeeping, which shows an
 * "update" of the default providers whenever any stack config changes. */
export function resourceChanges(r: RunResult): Step[] {
    return r.steps.filter((s) => !s.type.startsWith("pulumi:providers:"));
}

/** A Pulumi home, file backend and passphrase, shared by the stacks of one test run. */
export class PulumiSandbox {
    readonly dir: string;
    readonly envVars: Record<string, string>;
    private readonly command: Promise<PulumiCommand>;

    constructor(extraEnv: Record<string, string> = {}) {
        // Programs load the library from bin/ (node_modules/pulumi-icr-access -> ..).
        ensureFreshBuild();
        const tools = toolchain();
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "icr-pulumi-"));
        const home = path.join(this.dir, "home");
        const backend = path.join(this.dir, "state");
        fs.mkdirSync(home, { recursive: true });
        fs.mkdirSync(backend, { recursive: true });
        // Plugins come from the shared cache, where the provider sits under its exact version.
        fs.symlinkSync(path.join(tools.pulumiHome, "plugins"), path.join(home, "plugins"));
        this.envVars = {
            PULUMI_HOME: home,
            PULUMI_BACKEND_URL: `file://${backend}`,
            PULUMI_CONFIG_PASSPHRASE: "test-bed-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
            PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
            // Programs inside the repository are type-checked by `tsc` with everything else;
            // ts-node only transpiles them here. Programs outside it keep the default.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            ...extraEnv,
        };
        this.command = PulumiCommand.get({
            root: path.dirname(path.dirname(tools.pulumi)),
            skipVersionCheck: true,
        });
    }

    /** The directory holding the encrypted state files. */
    get backendDir(): string {
        return path.join(this.dir, "state");
    }

    /**
     * Creates (or selects) a stack for the program in `programDir`, run from a working copy
     * of that directory: its files as links, so the program runs from the same paths and
     * resolves its packages as it does in place, and its own copy of `Pulumi.yaml` and the
     * stack's config file, which the CLI writes (the repository stays clean). A program
     * without `node_modules` of its own is given the repository's, as `npm install` in a
     * checkout would.
     */
    async stack(programDir: string, stackName: string, config: ConfigMap = {}): Promise<ProgramStack> {
        const abs = path.resolve(repoRoot, programDir);
        const workDir = fs.mkdtempSync(path.join(this.dir, `${path.basename(abs)}-`));
        for (const entry of fs.readdirSync(abs)) {
            const from = path.join(abs, entry);
            if (/^Pulumi(\.[^.]+)?\.yaml$/.test(entry)) fs.copyFileSync(from, path.join(workDir, entry));
            else fs.symlinkSync(from, path.join(workDir, entry));
        }
        if (!fs.existsSync(path.join(workDir, "node_modules"))) {
            fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(workDir, "node_modules"));
        }
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName, workDir },
            { envVars: this.envVars, pulumiCommand: await this.command },
        );
        await stack.setAllConfig(config);
        return new ProgramStack(stack, this);
    }

    /** Removes the sandbox directory. */
    dispose(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** A stack of one program, with the operations tests need. */
export class ProgramStack {
    constructor(
        readonly stack: Stack,
        readonly sandbox: PulumiSandbox,
    ) {}

    async preview(opts: RunOptions & { diff?: boolean } = {}): Promise<RunResult> {
        return run(opts, (onEvent, onOutput) =>
            this.stack.preview({ onEvent, onOutput, diff: opts.diff ?? true }),
        );
    }

    async up(opts: RunOptions = {}): Promise<RunResult & { outputs: OutputMap }> {
        let outputs: OutputMap = {};
        const r = await run(opts, async (onEvent, onOutput) => {
            const res = await this.stack.up({ onEvent, onOutput, diff: true });
            outputs = res.outputs;
        });
        return { ...r, outputs };
    }

    async refresh(opts: RunOptions = {}): Promise<RunResult> {
        return run(opts, (onEvent, onOutput) => this.stack.refresh({ onEvent, onOutput }));
    }

    async destroy(opts: RunOptions = {}): Promise<RunResult> {
        return run(opts, (onEvent, onOutput) => this.stack.destroy({ onEvent, onOutput }));
    }

    async setConfig(config: ConfigMap): Promise<void> {
        await this.stack.setAllConfig(config);
    }

    /**
     * Runs the CLI itself on this stack (`--stack` and `--non-interactive` added), in the
     * stack's working copy with the sandbox's environment and, as the Automation API does, the
     * CLI's directory first on PATH. Resolves to what it printed on stdout; rejects with the
     * end of its output, which holds the engine's diagnostics.
     */
    async cli(args: readonly string[]): Promise<string> {
        const pulumi = toolchain().pulumi;
        const env = {
            ...process.env,
            ...this.sandbox.envVars,
            PATH: `${path.dirname(pulumi)}${path.delimiter}${process.env.PATH ?? ""}`,
        };
        return new Promise<string>((resolve, reject) => {
            execFile(
                pulumi,
                [...args, "--stack", this.stack.name, "--non-interactive"],
                { cwd: this.stack.workspace.workDir, env, maxBuffer: 256 << 20 },
                (err, out, errOut) => {
                    if (err === null) return resolve(out);
                    const tail = `${out}\n${errOut}`.trim().split("\n").slice(-40).join("\n");
                    reject(
                        new Error(`pulumi ${args.join(" ")} of stack ${this.stack.name} failed:\n${tail}`),
                    );
                },
            );
        });
    }

    /**
     * `pulumi stack export` as text, secrets encrypted: what a user would paste into a bug
     * report. (The Automation API's exportStack decrypts them.)
     */
    async exportText(): Promise<string> {
        return this.cli(["stack", "export"]);
    }

    /** Every file the file backend wrote (state, history, backups), concatenated. */
    backendText(): string {
        const out: string[] = [];
        const walk = (d: string): void => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                const p = path.join(d, e.name);
                if (e.isDirectory()) walk(p);
                else out.push(fs.readFileSync(p).toString("utf8"));
            }
        };
        walk(this.sandbox.backendDir);
        return out.join("\n");
    }

    /** The resources in state. */
    async resources(): Promise<StateResource[]> {
        const d = await this.stack.exportStack();
        return (d.deployment.resources ?? []) as StateResource[];
    }

    async outputs(): Promise<OutputMap> {
        return this.stack.outputs();
    }
}

/** A resource as `pulumi stack export` shows it. */
export interface StateResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    parent?: string;
    dependencies?: string[];
    additionalSecretOutputs?: string[];
}

/** Options of every operation. */
export interface RunOptions {
    /** Also print the CLI's output as it comes, as `pulumi` in a terminal does. */
    readonly print?: boolean;
}

async function run(
    opts: RunOptions,
    op: (onEvent: (e: EngineEvent) => void, onOutput: (s: string) => void) => Promise<unknown>,
): Promise<RunResult> {
    const events: EngineEvent[] = [];
    let stdout = "";
    try {
        await op(
            (e) => events.push(e),
            (s) => {
                stdout += s;
                if (opts.print) process.stdout.write(s);
            },
        );
    } catch (err) {
        // Keep the engine's own words: the CLI's output holds the diagnostics.
        const e = err instanceof Error ? err : new Error(String(err));
        (e as Error & { result?: RunResult }).result = summarise(events, stdout);
        throw e;
    }
    return summarise(events, stdout);
}

function summarise(events: EngineEvent[], stdout: string): RunResult {
    const changes: Record<string, number> = {};
    const steps: Step[] = [];
    for (const e of events) {
        const meta = e.resourcePreEvent?.metadata;
        if (!meta) continue;
        changes[meta.op] = (changes[meta.op] ?? 0) + 1;
        if (meta.op === "same") continue;
        steps.push({
            op: meta.op,
            urn: meta.urn,
            type: meta.type,
            name: meta.urn.split("::").pop() ?? "",
            diffs: meta.diffs ?? [],
            detailedDiff: meta.detailedDiff as Step["detailedDiff"],
        });
    }
    return { events, stdout, changes, steps };
}
