// The package's type declarations, as `npm run build` writes them (tsconfig.build.json, with
// `stripInternal`), must compile in a user's program with the stock `pulumi new typescript`
// tsconfig, which does not set `skipLibCheck`: a declaration that names something stripped as
// `@internal` (or never exported) breaks every such program, whatever the program imports.
// The declarations are emitted into a temporary package, so bin/ is neither read nor written;
// test/e2e/installedPackage.spec.ts checks the same through `npm pack` and `npm install`.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";

const repoRoot = path.resolve(__dirname, "..", "..");

/** `compilerOptions` of the tsconfig.json that `pulumi new typescript` writes. */
const STOCK_COMPILER_OPTIONS = {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
};

function describeDiagnostics(diagnostics: readonly ts.Diagnostic[], base: string): string[] {
    return diagnostics.map((d) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
        if (d.file === undefined || d.start === undefined) return text;
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
        return `${path.relative(base, d.file.fileName)}(${line + 1},${character + 1}): ${text}`;
    });
}

describe("the package's type declarations", function () {
    let dir: string;
    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("compile in a program with the stock `pulumi new typescript` tsconfig, without skipLibCheck", function () {
        this.timeout(120_000);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "icr-declarations-"));
        const modules = path.join(dir, "node_modules");
        const pkg = path.join(modules, "pulumi-icr-access");

        // 1. The declarations, as the build writes them.
        const build = ts.getParsedCommandLineOfConfigFile(
            path.join(repoRoot, "tsconfig.build.json"),
            {},
            {
                ...ts.sys,
                onUnRecoverableConfigFileDiagnostic: (d) => {
                    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, " "));
                },
            },
        );
        if (build === undefined) throw new Error("tsconfig.build.json: not readable");
        const emit = ts
            .createProgram(build.fileNames, {
                ...build.options,
                outDir: path.join(pkg, "bin"),
                emitDeclarationOnly: true,
                noEmit: false,
                // Types are checked by `tsc -p tsconfig.json`; here only the declarations matter.
                noCheck: true,
            })
            .emit();
        expect(describeDiagnostics(emit.diagnostics, repoRoot), "declaration emit").to.deep.equal([]);
        const declarations = (fs.readdirSync(path.join(pkg, "bin"), { recursive: true }) as string[])
            .filter((f) => f.endsWith(".d.ts"))
            .map((f) => path.join(pkg, "bin", f));
        expect(declarations).to.include(path.join(pkg, "bin", "index.d.ts"));
        const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
            name: string;
            types: string;
        };
        fs.writeFileSync(
            path.join(pkg, "package.json"),
            JSON.stringify({ name: manifest.name, types: manifest.types }),
        );
        // The program's own copies of the SDKs and Node's types, as `npm install` gives it.
        for (const dep of ["@pulumi/pulumi", "@pulumi/kubernetes", "@types/node"]) {
            fs.mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
            fs.symlinkSync(path.join(repoRoot, "node_modules", dep), path.join(modules, dep), "dir");
        }

        // 2. A stock program that imports the package, and every declaration file the build
        // wrote (a program may reach any of them through the types it uses).
        fs.writeFileSync(
            path.join(dir, "index.ts"),
            `import * as icr from "pulumi-icr-access";\nexport * from "pulumi-icr-access";\nexport const names = Object.keys(icr);\n`,
        );
        const tsconfig = { compilerOptions: STOCK_COMPILER_OPTIONS, files: ["index.ts"] };
        const stock = ts.parseJsonConfigFileContent(
            tsconfig,
            ts.sys,
            dir,
            undefined,
            path.join(dir, "tsconfig.json"),
        );
        expect(stock.errors).to.deep.equal([]);
        expect(stock.options.skipLibCheck).to.equal(undefined);
        const program = ts.createProgram([...stock.fileNames, ...declarations], stock.options);
        // Every check tsc makes of these files (it makes the same of the SDKs' declarations,
        // which test/e2e/installedPackage.spec.ts covers with the real tsc).
        const ours = [path.join(dir, "index.ts"), ...declarations].map((f) => {
            const sf = program.getSourceFile(f);
            if (sf === undefined) throw new Error(`${f}: not in the program`);
            return sf;
        });
        const diagnostics = [
            ...program.getOptionsDiagnostics(),
            ...program.getGlobalDiagnostics(),
            ...ours.flatMap((sf) => [
                ...program.getSyntacticDiagnostics(sf),
                ...program.getSemanticDiagnostics(sf),
            ]),
        ];
        expect(describeDiagnostics(diagnostics, dir)).to.deep.equal([]);
    });
});
