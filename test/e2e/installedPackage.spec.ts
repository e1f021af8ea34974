// The package as a user gets it: `npm pack` builds the tarball, which is `npm install`ed into
// a new program outside this repository next to exact @pulumi/pulumi and @pulumi/kubernetes
// releases. Then `pulumi up`, a preview that must show no changes, and `pulumi destroy` run
// through the CLI and the Node.js language host against the test bed: once as TypeScript
// (the README's component snippet, a stock `pulumi new typescript` tsconfig, type-checked by
// ts-node as Pulumi does by default) and once as plain JavaScript. The README snippet and every
// example are also compiled by `tsc --noEmit` with exactly the stock tsconfig, which does not
// set `skipLibCheck`, so the package's declarations are checked as a user's tsc checks them.
import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { ProviderKind } from "../../components/internal/providerShim";
import { LocalCluster } from "../bed/cluster";
import { iamWorld, IamWorld } from "../bed/iamWorld";
import { pullSecrets, serviceAccountPullSecrets } from "../bed/kubeView";
import { storedProviderText } from "../../components/internal/storedProvider";
import { PulumiSandbox, resourceChanges, RunResult, StateResource } from "../bed/pulumi";
import { repoRoot } from "../bed/toolchain";
import { sharedCluster } from "../bed/sharedCluster";

const execFileAsync = promisify(execFile);
const ACCOUNT = "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2";
const ADMIN_KEY = "installed-package-admin-key-7f6e5d4c3b";
// The one-line `__provider` of components/internal/storedProvider.ts, for the longest kind name.
const MAX_PROVIDER_BYTES = 128;

/** The exact releases the user's program pins beside the package. */
function pinnedVersion(pkg: string): string {
    const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")) as {
        packages: Record<string, { version: string }>;
    };
    return lock.packages[`node_modules/${pkg}`].version;
}

/** The first ```ts block of the README's "The components" section. */
function readmeSnippet(): string {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## The components"));
    const m = /```ts\n([\s\S]*?)```/.exec(section);
    if (!m) throw new Error("README.md: no ```ts block under ## The components");
    return m[1];
}

// Pods never run in the test bed (no kubelet), so the test bed asks the Kubernetes provider
// not to wait for workloads to become ready. The rest of the program is the user's.
const SKIP_AWAIT_TS = `import * as pulumi from "@pulumi/pulumi";
pulumi.runtime.registerStackTransformation((a) =>
    a.type.startsWith("kubernetes:apps/") ? { props: { ...a.props, metadata: { ...a.props.metadata,
        annotations: { ...(a.props.metadata?.annotations ?? {}), "pulumi.com/skipAwait": "true" } } }, opts: a.opts } : undefined,
);
`;

const JS_PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { NamespaceIdentity, NamespacePullSecrets, REGISTRY_REGIONS } = require("pulumi-icr-access");

const cluster = new pulumi.Config().require("cluster");
const identity = new NamespaceIdentity("default", { cluster, namespace: "default", regions: ["us-south"] });
const pull = new NamespacePullSecrets("default", { namespace: "default", apiKey: identity.apiKey, regions: ["us-south"] });

exports.secretNames = pull.secretNames;
exports.regions = REGISTRY_REGIONS.length;
`;

/**
 * A program whose pull secrets ask for a registry its identity does not grant (`icr.io`, by
 * `includeGlobal: true`, while the identity has `includeGlobal: false`): refused at preview.
 */
const MISMATCH_PROGRAM = `"use strict";
const { NamespaceIdentity, NamespacePullSecrets } = require("pulumi-icr-access");

const identity = new NamespaceIdentity("shop", { cluster: "mm", namespace: "default", regions: ["eu-de"], includeGlobal: false });
new NamespacePullSecrets("shop", { namespace: "default", apiKey: identity.apiKey, regions: ["eu-de"], includeGlobal: true });
`;

/** The warnings and errors the engine showed. */
const warnings = (r: RunResult) =>
    r.events
        .map((e) => e.diagnosticEvent)
        .filter((d) => d !== undefined && (d.severity === "warning" || d.severity === "error"))
        .map((d) => d!.message);

/** Where a service ID's Container Registry policies grant access: their regions, `global` for icr.io. */
function grantedScopes(world: IamWorld, serviceIdName: string): string[] {
    const sid = world.serviceIds.find((s) => s.name === serviceIdName);
    expect(sid, serviceIdName).not.to.equal(undefined);
    const raw = world.policies as unknown as {
        subjects: { attributes: { name: string; value: string }[] }[];
        resources: { attributes: { name: string; value: string }[] }[];
    }[];
    return raw
        .filter((p) => p.subjects[0].attributes.some((a) => a.name === "iam_id" && a.value === sid!.iamId))
        .map((p) => {
            const scope = p.resources[0].attributes.find(
                (a) => a.name === "region" || a.name === "geography",
            );
            return scope?.value ?? "(every region)";
        })
        .sort();
}

/** The stock `pulumi new typescript` tsconfig. */
const STOCK_TSCONFIG = {
    compilerOptions: {
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
    },
    files: ["index.ts"],
};

describe("the npm package, installed into a program outside the repository", function () {
    let cluster: LocalCluster;
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;
    let work: string;
    let tarball: string;

    before(async function () {
        this.timeout(300_000);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "icr-user-"));
        const { stdout } = await execFileAsync(
            "npm",
            ["pack", "--json", "--pack-destination", work, "--loglevel=warn"],
            { cwd: repoRoot, maxBuffer: 64 << 20 },
        );
        const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
        tarball = path.join(work, packed.filename);
        packedFiles = packed.files.map((f) => f.path).sort();
        cluster = await sharedCluster();
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }] });
        sandbox = new PulumiSandbox({
            KUBECONFIG: cluster.kubeconfigPath,
            IBMCLOUD_API_KEY: "",
            // As Pulumi runs a user's TypeScript: type-checked.
            PULUMI_NODEJS_TRANSPILE_ONLY: "false",
        });
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
        await cluster?.stop();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });
    let packedFiles: string[] = [];

    it("packs the compiled library, its declarations, README and LICENSE, and nothing else", function () {
        const outside = packedFiles.filter(
            (f) => !["package.json", "README.md", "LICENSE"].includes(f) && !/^bin\/.*\.(js|d\.ts)$/.test(f),
        );
        expect(outside).to.deep.equal([]);
        expect(packedFiles).to.include.members([
            "bin/index.js",
            "bin/index.d.ts",
            "bin/providers.js",
            "LICENSE",
        ]);
        expect(packedFiles.some((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).to.equal(false);
    });

    /** A new program directory with the tarball and the pinned SDKs installed from the registry. */
    async function userProgram(
        name: string,
        files: Record<string, string>,
        typescript: boolean,
    ): Promise<string> {
        const dir = path.join(work, name);
        fs.mkdirSync(dir);
        const dependencies: Record<string, string> = {
            "@pulumi/kubernetes": pinnedVersion("@pulumi/kubernetes"),
            "@pulumi/pulumi": pinnedVersion("@pulumi/pulumi"),
            "pulumi-icr-access": `file:${tarball}`,
        };
        const devDependencies: Record<string, string> = typescript
            ? { "@types/node": pinnedVersion("@types/node"), typescript: pinnedVersion("typescript") }
            : {};
        fs.writeFileSync(
            path.join(dir, "package.json"),
            JSON.stringify({ name, private: true, dependencies, devDependencies }, null, 2),
        );
        fs.writeFileSync(
            path.join(dir, "Pulumi.yaml"),
            `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: ${typescript}\nmain: ${
                typescript ? "index.ts" : "index.js"
            }\n`,
        );
        for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
        await execFileAsync(
            "npm",
            ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
            {
                cwd: dir,
                maxBuffer: 64 << 20,
            },
        );
        return dir;
    }

    /**
     * Every dynamic resource's `__provider` in state: small, no secret in it, and the very text
     * the library stores when it runs from source in this repository.
     */
    async function expectSmallProviders(resources: StateResource[], secrets: string[]): Promise<number> {
        const dynamic = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
        for (const r of dynamic) {
            const text = r.inputs?.__provider;
            expect(text, r.urn).to.be.a("string");
            const kind = r.type.split(":").pop() as ProviderKind;
            expect(text, `${r.urn}: the same text as from source`).to.equal(storedProviderText(kind));
            expect(Buffer.byteLength(text as string), `__provider of ${r.urn}`).to.be.at.most(
                MAX_PROVIDER_BYTES,
            );
            for (const s of secrets) expect(text as string).not.to.contain(s);
            expect(r.outputs?.__provider, `${r.urn}: outputs keep the same text`).to.equal(text);
        }
        return dynamic.length;
    }

    /** The API keys IAM handed out for the stack's service IDs (their values are in the secrets). */
    async function keyValuesInCluster(namespaces: string[]): Promise<string[]> {
        const values: string[] = [];
        for (const ns of namespaces) {
            for (const s of (await pullSecrets(cluster, ns)).values()) {
                for (const a of Object.values(s.auths)) values.push(a.password);
            }
        }
        return [...new Set(values)];
    }

    it("type-checks the README snippet and every example with the stock tsconfig (tsc --noEmit, no skipLibCheck)", async function () {
        this.timeout(900_000);
        const examplesDir = path.join(repoRoot, "examples");
        const examples = fs
            .readdirSync(examplesDir)
            .filter((e) => fs.existsSync(path.join(examplesDir, e, "index.ts")))
            .sort();
        expect(examples.length, "examples with an index.ts").to.be.at.least(6);
        const programs: Record<string, string> = { "readme-snippet": readmeSnippet() };
        for (const e of examples) {
            programs[`example-${e}`] = fs.readFileSync(path.join(examplesDir, e, "index.ts"), "utf8");
            // Each example ships the stock tsconfig as its own.
            const own = JSON.parse(
                fs.readFileSync(path.join(examplesDir, e, "tsconfig.json"), "utf8"),
            ) as unknown;
            expect(own, `examples/${e}/tsconfig.json`).to.deep.equal(STOCK_TSCONFIG);
        }
        // One installation (the tarball, the pinned SDKs, typescript, @types/node); each program in
        // a directory of its own beneath it, with the stock tsconfig.json beside its index.ts.
        const dir = await userProgram("user-typecheck", {}, true);
        const tsc = path.join(dir, "node_modules", "typescript", "bin", "tsc");
        const failures: string[] = [];
        const check = async (name: string) => {
            const sub = path.join(dir, name);
            fs.mkdirSync(sub);
            fs.writeFileSync(path.join(sub, "index.ts"), programs[name]);
            fs.writeFileSync(path.join(sub, "tsconfig.json"), JSON.stringify(STOCK_TSCONFIG, null, 4));
            try {
                await execFileAsync(process.execPath, [tsc, "--noEmit", "-p", sub], {
                    cwd: dir,
                    maxBuffer: 64 << 20,
                });
            } catch (err) {
                const e = err as { stdout?: string; stderr?: string; message: string };
                // eslint-disable-next-line no-control-regex
                const out = `${e.stdout ?? ""}${e.stderr ?? ""}`.replace(/\x1b\[[0-9;]*m/g, "") || e.message;
                failures.push(`${name}:\n${out}`);
            }
        };
        const queue = Object.keys(programs);
        await Promise.all(
            [0, 1].map(async () => {
                for (let next = queue.shift(); next !== undefined; next = queue.shift()) await check(next);
            }),
        );
        expect(failures.join("\n"), "tsc --noEmit with the stock tsconfig").to.equal("");
    });

    it("deploys the README's TypeScript snippet, previews no changes and destroys cleanly", async function () {
        this.timeout(900_000);
        const dir = await userProgram(
            "user-typescript",
            {
                "index.ts": SKIP_AWAIT_TS + readmeSnippet(),
                "tsconfig.json": JSON.stringify(STOCK_TSCONFIG, null, 4),
            },
            true,
        );
        const stack = await sandbox.stack(dir, "dev", {
            "ibmcloud:apiKey": { value: ADMIN_KEY, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
            // As the README says to set it beside the snippet.
            "kubernetes:enableSecretMutable": { value: "true" },
        });

        const up = await stack.up();
        expect(warnings(up), "the snippet runs without warnings").to.deep.equal([]);
        expect([...up.outputs.shopSecretNames.value].sort()).to.deep.equal(["shop-de-icr-io", "shop-icr-io"]);
        expect([...(await pullSecrets(cluster, "web")).keys()].sort()).to.deep.equal([
            "web-de-icr-io",
            "web-icr-io",
        ]);
        expect(await serviceAccountPullSecrets(cluster, "web")).to.include.members([
            "web-de-icr-io",
            "web-icr-io",
        ]);
        const world = await iamWorld(iam.url, ACCOUNT);
        expect(world.serviceIds.map((s) => s.name).sort()).to.deep.equal([
            "mycluster-default-id",
            "mycluster-shop-id",
            "mycluster-web-id",
        ]);
        // One rule: each identity is granted exactly the registries its namespace has secrets for,
        // whether ClusterRegistryAccess made it or the program used the two halves itself.
        expect(grantedScopes(world, "mycluster-web-id")).to.deep.equal(["eu-de", "global"]);
        expect(grantedScopes(world, "mycluster-shop-id")).to.deep.equal(["eu-de", "global"]);
        expect(grantedScopes(world, "mycluster-default-id")).to.deep.equal(["global", "us-south"]);

        const keys = await keyValuesInCluster(["default", "shop", "web"]);
        expect(keys).to.have.length(3);
        const resources = await stack.resources();
        expect(await expectSmallProviders(resources, [...keys, ADMIN_KEY])).to.be.greaterThan(10);
        const state = await stack.exportText();
        for (const k of [...keys, ADMIN_KEY]) expect(state).not.to.contain(k);

        const preview = await stack.preview();
        expect(resourceChanges(preview)).to.deep.equal([]);

        await stack.destroy();
        const after = await iamWorld(iam.url, ACCOUNT);
        expect(after.serviceIds).to.deep.equal([]);
        expect(after.apiKeys).to.deep.equal([]);
        expect([...(await pullSecrets(cluster, "default")).keys()]).to.deep.equal([]);
    });

    it("deploys a plain JavaScript program, previews no changes and destroys cleanly", async function () {
        this.timeout(900_000);
        const dir = await userProgram("user-javascript", { "index.js": JS_PROGRAM }, false);
        const stack = await sandbox.stack(dir, "dev", {
            "ibmcloud:apiKey": { value: ADMIN_KEY, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
            "user-javascript:cluster": { value: "jscluster" },
        });

        const up = await stack.up();
        expect([...up.outputs.secretNames.value].sort()).to.deep.equal([
            "default-icr-io",
            "default-us-icr-io",
        ]);
        expect(up.outputs.regions.value).to.be.greaterThan(5);
        expect(grantedScopes(await iamWorld(iam.url, ACCOUNT), "jscluster-default-id")).to.deep.equal([
            "global",
            "us-south",
        ]);
        expect(await serviceAccountPullSecrets(cluster, "default")).to.include.members([
            "default-us-icr-io",
            "default-icr-io",
        ]);
        const keys = await keyValuesInCluster(["default"]);
        expect(await expectSmallProviders(await stack.resources(), [...keys, ADMIN_KEY])).to.be.greaterThan(
            3,
        );

        const preview = await stack.preview();
        expect(resourceChanges(preview)).to.deep.equal([]);

        await stack.destroy();
        expect((await iamWorld(iam.url, ACCOUNT)).serviceIds).to.deep.equal([]);
        expect(await serviceAccountPullSecrets(cluster, "default")).not.to.include("default-icr-io");
    });

    it("refuses at preview pull secrets for a registry the identity does not grant, naming both settings", async function () {
        this.timeout(600_000);
        const dir = await userProgram("user-mismatch", { "index.js": MISMATCH_PROGRAM }, false);
        const stack = await sandbox.stack(dir, "dev", {
            "ibmcloud:apiKey": { value: ADMIN_KEY, secret: true },
            "ibmcloud:iamEndpoint": { value: iam.url },
            "kubernetes:enableSecretMutable": { value: "true" },
        });
        const before = await iamWorld(iam.url, ACCOUNT);
        let error: (Error & { result?: RunResult }) | undefined;
        try {
            await stack.preview();
        } catch (e) {
            error = e as Error & { result?: RunResult };
        }
        expect(error, "preview must fail").not.to.equal(undefined);
        const said = `${error!.message}\n${error!.result?.stdout ?? ""}`;
        expect(said).to.contain("includeGlobal: asks for a pull secret for the global registry icr.io");
        expect(said)
            .to.contain('NamespaceIdentity "shop"')
            .and.to.contain('regions: ["eu-de"], includeGlobal: false');
        expect((await iamWorld(iam.url, ACCOUNT)).serviceIds).to.deep.equal(before.serviceIds);
    });
});
