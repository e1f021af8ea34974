// The built library in bin/ matches the sources before any spec runs. Programs run by the
// engine load `pulumi-icr-access` through the package's self-link
// (node_modules/pulumi-icr-access -> ..), that is from bin/, and the provider specs read the
// built shims; so after an edit under components/ they would silently run the previous build.
// This file is a mocha root-hook plugin (test/e2e/.mocharc.json, test/providers/.mocharc.json):
// before the first spec it compares bin/ with components/ and, when bin/ is stale, rebuilds it
// from scratch with `npm run build`, saying why; a build that fails stops the run with tsc's
// errors. PulumiSandbox makes the same check, for runs of a spec without the layer's config
// and for the demo and the benchmark.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./toolchain";

const SOURCES = path.join(repoRoot, "components");
const BUILT = path.join(repoRoot, "bin");
const SELF_LINK = path.join(repoRoot, "node_modules", "pulumi-icr-access");
/** Files whose change changes every output. */
const BUILD_INPUTS = ["tsconfig.json", "tsconfig.build.json"].map((f) => path.join(repoRoot, f));

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** Why bin/ does not match the sources, or undefined when it does. */
export function staleBuildReason(): string | undefined {
    const sources = filesUnder(SOURCES).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
    const outputs = new Set(filesUnder(BUILT).filter((f) => f.endsWith(".js")));
    if (outputs.size === 0) return "bin/ holds no build";
    let oldestOutput = Infinity;
    for (const source of sources) {
        const output = source.replace(/\.ts$/, ".js");
        if (!outputs.has(output)) return `components/${source} has no bin/${output}`;
        outputs.delete(output);
        const built = fs.statSync(path.join(BUILT, output)).mtimeMs;
        oldestOutput = Math.min(oldestOutput, built);
        if (fs.statSync(path.join(SOURCES, source)).mtimeMs > built) {
            return `components/${source} is newer than bin/${output}`;
        }
    }
    const [orphan] = outputs;
    if (orphan !== undefined) return `bin/${orphan} has no source under components/ (moved or deleted)`;
    for (const input of BUILD_INPUTS) {
        if (fs.statSync(input).mtimeMs > oldestOutput)
            return `${path.basename(input)} changed since the build`;
    }
    if (!fs.existsSync(SELF_LINK) || fs.realpathSync(SELF_LINK) !== fs.realpathSync(repoRoot)) {
        return "node_modules/pulumi-icr-access is not the link to this checkout";
    }
    return undefined;
}

let checked = false;

/**
 * Rebuilds bin/ from scratch when it is stale; throws with the build's output if that fails.
 * Checks once per process: specs do not edit the sources.
 */
export function ensureFreshBuild(): void {
    if (checked) return;
    const reason = staleBuildReason();
    checked = reason === undefined;
    if (checked) return;
    console.log(`      (bin/ is stale: ${reason}; rebuilding with \`npm run build\`)`);
    fs.rmSync(BUILT, { recursive: true, force: true });
    try {
        execFileSync("npm", ["run", "build", "--silent"], { cwd: repoRoot, encoding: "utf8", stdio: "pipe" });
    } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        throw new Error(
            `npm run build failed, so the specs would run no build or an old one:\n${e.stdout ?? ""}${e.stderr ?? ""}`,
        );
    }
    const still = staleBuildReason();
    if (still !== undefined) throw new Error(`bin/ is still stale after \`npm run build\`: ${still}`);
    checked = true;
}

/** Mocha root hooks: the build is checked once, before the first spec. */
export const mochaHooks = {
    beforeAll(): void {
        ensureFreshBuild();
    },
};
