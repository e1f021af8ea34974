// The dynamic providers as the engine runs them: each resource's `__provider` (the one line
// state stores now, and the SDK-serialized shim that earlier state holds) is evaluated in a
// fresh Node process by the same code path as the dynamic-provider host (require-from-string,
// empty file name, `require` resolving from the program's directory), configured with stack
// config, and called. What a user sees of an error is what these calls return.
import { expect } from "chai";
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { IamEmulator } from "../../emulator";
import { PROVIDERS_ENTRY, ProviderKind, providerShim } from "../../components/internal/providerShim";
import { KubeApiError } from "../../components/clients/kube/client";
import { KubeconfigError } from "../../components/clients/kube/config";
import { RegistryDomainError } from "../../components/shared/registry/registryDomains";
import { RegistryServerError } from "../../components/k8s/registryServer";
import { LocalCluster, startLocalCluster } from "../bed/cluster";
import { freePort } from "../bed/processes";
import { serializedProvider, storedShimText } from "../bed/providerText";
import { storedProviderText } from "../../components/internal/storedProvider";
import { repoRoot } from "../bed/toolchain";
import { ACCOUNT_A, KEY_A, KEY_B, isolateCredentials, startEmulator } from "./iamFixtures";

const KINDS: ProviderKind[] = [
    "ServiceId",
    "AccessPolicy",
    "ApiKey",
    "ServiceAccountPullSecrets",
    "TokenSecretMigration",
    "StackOwner",
    "CreationGuard",
    "NamespaceRemovalGuard",
    "AccessGroupMembership",
];
/**
 * The text each resource stores, by hash. It is part of the state format: a release that
 * changes it shows every user an update of every dynamic resource (harmless, but noise in a
 * reviewed preview), so it changes only on purpose, with this table.
 */
const STORED_TEXT_SHA256: Record<ProviderKind, string> = {
    ServiceId: "3843f066535fd06699c91aab2f3256143676ecbfd0f189a66b8005e6c227f2ce",
    AccessPolicy: "c2fbda53bd535c75e575b6de7783fca507ebb0816c3a6168867507efe2274673",
    ApiKey: "aeba39bc723dbfc778d997d8ebd1110df291430f962df3ee366a9354f1fe4104",
    ServiceAccountPullSecrets: "30715b1c3338714b1072ba1ca1517fea9b4bcbc007300be3f02c992943c3f83d",
    TokenSecretMigration: "fde3d8fc483bf49e7ae08ec516dfcfa012f1f960aa9964662ef9ab66b2cc9c9b",
    StackOwner: "e25f247a857b5a1fb4a89bb9feee9d7caebe204a232849c66d2ff361a412ca5e",
    CreationGuard: "4069de6feeded25bde3130481f01a527b318f30d698f096a6d218ad1a721fc3e",
    NamespaceRemovalGuard: "8617d312c1bb87fcc762486995c1ccfc165151f37da915d6ec65d5671f63dd74",
    AccessGroupMembership: "6f815172c9eef2657aef27a05f11367803b2d9c89865b5479c8f46ad57931cbd",
};
/**
 * The SDK-serialized shim of each kind, by hash: what state held before the one-line text.
 * Stacks may still hold it until their next `up`, so it must keep loading the providers.
 */
const SHIM_TEXT_SHA256: Record<ProviderKind, string> = {
    ServiceId: "b476aec31057496eb5bcf24e4d920c63e05a79415b169c2bb1e85d67457fa97e",
    AccessPolicy: "b31c5ab59320f30661a15a9d8417ab479fbcaee2aa43b3b79c61b25a4ad8c5fd",
    ApiKey: "c9ab16dbbcc845d9ea351eb5117efd9705a26e690334f4f8cc15009f91bd53ef",
    ServiceAccountPullSecrets: "748003baad77bcb0502164dffe3fd8e6242a34aed084e5da18dc0eca5f6b998b",
    TokenSecretMigration: "fbe8a3b8850d8c7ee380c8e1aa4f4218afa9a06e8b9e086a772fe2da5ad53aed",
    StackOwner: "cd82f33f0eba20a1a53931730fa0d42d7a1d8fc944187b688b5201ebf2bdef88",
    CreationGuard: "b9f3b6b24a60d2d0a1ff86bd0405e9757fa2265e2be48d131fc9132d407412a6",
    NamespaceRemovalGuard: "10474ee09fa236e7aa4edd32c17b17c509f1e6de136b1289f8fcfd25fa022a75",
    AccessGroupMembership: "267c2a0cad42321b991ee5c717db2bf00a47cb7fabd3e64a09d3a6a681a81b3b",
};
/** The bound the stored text is held to, per resource (the longest kind name fits). */
const MAX_STORED_BYTES = 128;
/** The bound the earlier shims were held to, per resource. */
const MAX_SHIM_BYTES = 3 * 1024;

interface CallResult {
    ok?: unknown;
    error?: { name?: string; message?: string; string: string };
}

/** Runs `calls` on the provider text in a fresh process whose working directory is `cwd`. */
function runInHost(
    cwd: string,
    text: string,
    config: Record<string, string>,
    calls: { method: string; args: unknown[] }[],
    env: NodeJS.ProcessEnv = {},
): Promise<CallResult[]> {
    return new Promise((resolve, reject) => {
        const child = spawn(
            process.execPath,
            [path.join(repoRoot, "test", "bed", "serializedProviderHost.js")],
            {
                cwd,
                env: { PATH: process.env.PATH, HOME: os.tmpdir(), ...env },
                stdio: ["pipe", "pipe", "pipe"],
            },
        );
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        child.on("error", reject);
        child.on("close", (code) => {
            if (code !== 0) reject(new Error(`host exited ${code}: ${err}`));
            else resolve(JSON.parse(out) as CallResult[]);
        });
        child.stdin.end(JSON.stringify({ text, config, project: "icr-test", calls }));
    });
}

/** A program directory outside the repository whose node_modules is the repository's, as after `npm install`. */
function programDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "icr-program-"));
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

describe("dynamic providers, as state stores them", function () {
    isolateCredentials();
    /** What each resource stores now. */
    const texts: Partial<Record<ProviderKind, string>> = {};
    /** What earlier state holds: the SDK's serialization of the shim. */
    const shims: Partial<Record<ProviderKind, string>> = {};

    before(async function () {
        this.timeout(30_000);
        // A key in the environment while serializing must not end up in the text.
        process.env.IBMCLOUD_API_KEY = KEY_A;
        try {
            for (const kind of KINDS) {
                texts[kind] = storedProviderText(kind);
                shims[kind] = await storedShimText(kind);
            }
        } finally {
            delete process.env.IBMCLOUD_API_KEY;
        }
    });

    for (const kind of KINDS) {
        it(`stores the ${kind} provider as one line within ${MAX_STORED_BYTES} bytes that loads the entry by name`, function () {
            const text = texts[kind]!;
            expect(Buffer.byteLength(text), "bytes of __provider").to.be.at.most(MAX_STORED_BYTES);
            expect(text.trimEnd().split("\n")).to.have.length(1);
            expect(text).to.contain(`require("${PROVIDERS_ENTRY}")[${JSON.stringify(kind)}]`);
            expect(text.match(/require\(/g)).to.have.length(1);
        });

        it(`keeps the earlier ${kind} shim within ${MAX_SHIM_BYTES} bytes, with nothing captured but its kind`, function () {
            const text = shims[kind]!;
            expect(Buffer.byteLength(text), "bytes of __provider").to.be.at.most(MAX_SHIM_BYTES);
            expect(text).to.contain(`require("${PROVIDERS_ENTRY}")`);
            expect(text).to.contain(JSON.stringify(kind));
            expect(text).not.to.contain(KEY_A);
            // Nothing else is loaded, and no library code is copied in.
            expect(text.match(/require\(/g)).to.have.length(1);
            expect(text).not.to.match(/axios|IamClient|KubeClient|deploymentOnlyModule/);
        });
    }

    it("stores the same text whether the library runs from source or from its build", async function () {
        // The build is what npm ships (bin/, by `npm run build`); its texts must match the source's.
        /* eslint-disable @typescript-eslint/no-require-imports */
        const builtShim = require(path.join(repoRoot, "bin", "internal", "providerShim.js")) as {
            providerShim: typeof providerShim;
        };
        const builtStored = require(path.join(repoRoot, "bin", "internal", "storedProvider.js")) as {
            storedProviderText: typeof storedProviderText;
        };
        /* eslint-enable @typescript-eslint/no-require-imports */
        for (const kind of KINDS) {
            expect(builtStored.storedProviderText(kind), kind).to.equal(texts[kind]);
            expect(await serializedProvider(builtShim.providerShim(kind)), kind).to.equal(shims[kind]);
        }
    });

    it("keeps the stored texts stable across releases", function () {
        const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
        for (const kind of KINDS) {
            expect(sha256(texts[kind]!), `${kind}: the stored text changed`).to.equal(
                STORED_TEXT_SHA256[kind],
            );
            expect(sha256(shims[kind]!), `${kind}: the earlier shim's text changed`).to.equal(
                SHIM_TEXT_SHA256[kind],
            );
        }
    });

    it("names every kind the texts load in the providers entry", function () {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const entry = require(path.join(repoRoot, "bin", "providers.js")) as Record<string, unknown>;
        for (const kind of KINDS) {
            for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"]) {
                expect(typeof (entry[kind] as Record<string, unknown>)[method], `${kind}.${method}`).to.equal(
                    "function",
                );
            }
        }
    });

    it("keeps the error classes' messages when they are copied by value", async function () {
        // As state written before the shims holds them: the SDK rewrites `super(message)` of a
        // class copied by value into `Error.call(this, message)`, which sets no message.
        const errors = [
            () => new KubeconfigError('context "production" is not in the kubeconfig'),
            () => new KubeApiError("GET", "/api/v1/namespaces/x", 403, "Forbidden", "forbidden"),
            () => new RegistryDomainError("regions[0]: unknown region"),
            () => new RegistryServerError("server: not a host name"),
        ];
        for (const make of errors) {
            const text = await serializedProvider({ create: async () => Promise.reject(make()) });
            const [r] = await runInHost(repoRoot, text, {}, [{ method: "create", args: [{}] }]);
            expect(r.error?.string, text.slice(0, 200)).to.equal(String(make()));
        }
    });

    it("fails with the package's name when the program has not installed it", async function () {
        const bare = fs.mkdtempSync(path.join(os.tmpdir(), "icr-bare-"));
        fs.mkdirSync(path.join(bare, "node_modules", "@pulumi"), { recursive: true });
        fs.symlinkSync(
            path.join(repoRoot, "node_modules", "@pulumi", "pulumi"),
            path.join(bare, "node_modules", "@pulumi", "pulumi"),
        );
        for (const text of [texts.ServiceId!, shims.ServiceId!]) {
            const [r] = await runInHost(bare, text, {}, [{ method: "check", args: [{}, { name: "x" }] }]);
            expect(r.error?.message).to.contain(`Cannot find module '${PROVIDERS_ENTRY}'`);
        }
    });

    describe("IAM, through the host's code path", function () {
        let iam: IamEmulator;
        let dir: string;
        before(async function () {
            iam = await startEmulator();
            dir = programDir();
        });
        after(async function () {
            await iam?.close();
        });

        for (const [label, table] of [
            ["the stored text", texts],
            ["the earlier shim", shims],
        ] as const) {
            it(`creates and deletes a service ID, a policy and a key through ${label}, from a program outside the repository`, async function () {
                this.timeout(30_000);
                const config = { "ibmcloud:apiKey": KEY_A, "ibmcloud:iamEndpoint": iam.url };
                const [sid] = await runInHost(dir, table.ServiceId!, config, [
                    { method: "create", args: [{ name: "shimmed", description: "through the shim" }] },
                ]);
                const s = sid.ok as { id: string; outs: Record<string, unknown> };
                expect(s.outs.accountId).to.equal(ACCOUNT_A);
                const [pol] = await runInHost(dir, table.AccessPolicy!, config, [
                    {
                        method: "create",
                        args: [{ iamId: s.outs.iamId, roles: ["Reader"], region: "us-south" }],
                    },
                ]);
                const [key] = await runInHost(dir, table.ApiKey!, config, [
                    { method: "create", args: [{ name: "shimmed-key", iamId: s.outs.iamId }] },
                ]);
                expect((key.ok as { outs: { apikey: string } }).outs.apikey).to.be.a("string");
                const p = pol.ok as { id: string; outs: unknown };
                const k = key.ok as { id: string; outs: unknown };
                const deletes = [
                    ...(await runInHost(dir, table.ApiKey!, config, [
                        { method: "delete", args: [k.id, k.outs] },
                    ])),
                    ...(await runInHost(dir, table.AccessPolicy!, config, [
                        { method: "delete", args: [p.id, p.outs] },
                    ])),
                    ...(await runInHost(dir, table.ServiceId!, config, [
                        { method: "delete", args: [s.id, s.outs] },
                    ])),
                ];
                expect(deletes.map((d) => d.error)).to.deep.equal([undefined, undefined, undefined]);
            });
        }

        it("reports IAM's 403 with IBM's status and code, and never the key", async function () {
            // Account B's key acting in account A.
            const config = { "ibmcloud:apiKey": KEY_B, "ibmcloud:iamEndpoint": iam.url };
            const [r] = await runInHost(dir, texts.ServiceId!, config, [
                { method: "create", args: [{ name: "not-yours", accountId: ACCOUNT_A }] },
            ]);
            // The create's first call, the look for what earlier attempts left, meets the 403.
            expect(r.error?.string).to.match(/^IamError: IAM (GET|POST) \/v1\/serviceids\/? failed: 403/);
            expect(JSON.stringify(r)).not.to.contain(KEY_B);
        });

        it("names the endpoint when IAM is unreachable", async function () {
            this.timeout(60_000);
            const closed = `http://127.0.0.1:${await freePort()}`;
            const config = { "ibmcloud:apiKey": KEY_A, "ibmcloud:iamEndpoint": closed };
            const [r] = await runInHost(
                dir,
                texts.ServiceId!,
                config,
                [{ method: "create", args: [{ name: "x" }] }],
                {
                    ICR_ACCESS_IAM_MAX_ELAPSED_MS: "1500",
                },
            );
            expect(r.error?.string).to.match(
                /^IamError: IAM POST \/identity\/token failed: no response ECONNREFUSED/,
            );
            expect(JSON.stringify(r)).not.to.contain(KEY_A);
        });
    });

    describe("the service-account patcher, through the host's code path, against a real API server", function () {
        let cluster: LocalCluster;
        let dir: string;
        before(async function () {
            this.timeout(180_000);
            cluster = await startLocalCluster({ controllerManager: false });
            dir = programDir();
        });
        after(async function () {
            await cluster?.stop();
        });

        const kubeconfigWith = (server: string, token: string): string =>
            cluster.kubeconfig
                .replace(/server: .*/, `server: ${server}`)
                .replace(/token: .*/, `token: ${token}`);
        const patch = (kubeconfig: string, context?: string) => ({
            namespace: "default",
            serviceAccount: "default",
            secretNames: ["all-icr-io"],
            kubeconfig,
            ...(context === undefined ? {} : { context }),
        });

        it("fails check for a kubeconfig that names a missing context, naming the context", async function () {
            const [r] = await runInHost(dir, texts.ServiceAccountPullSecrets!, {}, [
                { method: "check", args: [{}, patch(cluster.kubeconfig, "production")] },
            ]);
            const failures = (r.ok as { failures: { property: string; reason: string }[] }).failures;
            expect(failures).to.have.length(1);
            expect(failures[0].property).to.equal("kubeconfig");
            expect(failures[0].reason).to.contain('"production"');
        });

        it("reports 401 and 403 from the API server with the status and the server's reason", async function () {
            this.timeout(60_000);
            const [unauthorized, forbidden] = await runInHost(dir, texts.ServiceAccountPullSecrets!, {}, [
                { method: "create", args: [patch(kubeconfigWith(cluster.server, "not-a-token"))] },
                {
                    method: "create",
                    args: [patch(kubeconfigWith(cluster.server, cluster.unprivilegedToken))],
                },
            ]);
            expect(unauthorized.error?.string).to.match(/^KubeApiError: Kubernetes GET \S+ failed: 401 /);
            expect(forbidden.error?.string).to.match(/^KubeApiError: Kubernetes GET \S+ failed: 403 /);
            expect(forbidden.error?.message).to.contain('"nobody"');
            expect(JSON.stringify([unauthorized, forbidden])).not.to.contain(cluster.unprivilegedToken);
        });

        it("names the server when it is unreachable", async function () {
            this.timeout(60_000);
            const closed = `https://127.0.0.1:${await freePort()}`;
            const [r] = await runInHost(dir, texts.ServiceAccountPullSecrets!, {}, [
                { method: "create", args: [patch(kubeconfigWith(closed, cluster.token))] },
            ]);
            expect(r.error?.string).to.match(/^KubeApiError: Kubernetes GET \S+ failed: /);
            expect(r.error?.message).to.contain(closed.replace("https://", ""));
            expect(r.error?.message).to.match(/ECONNREFUSED/);
        });
    });
});
