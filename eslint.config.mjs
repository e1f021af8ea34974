import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

// The layers of components/:
//  - components/host/**: the dynamic providers (check/diff/create/read/update/delete and their
//    helpers) as the provider host runs them, loaded through the `__provider` shims by
//    components/providers.ts, the providers entry;
//  - components/clients/**: the hand-written IAM and Kubernetes HTTP clients those providers use;
//  - components/shared/**: pure rules both sides apply (validation, names, the policy model,
//    owner marks, small helpers);
//  - everything else: the program side, the component classes a Pulumi program constructs.
//
// Code of the provider host (host, clients, shared and providers.ts) imports neither
// @pulumi/pulumi nor @pulumi/kubernetes at run time, only their types. It runs in the engine's
// dynamic-provider host, which is not a Pulumi program: an SDK loaded there has no engine
// connection, so `pulumi.*` calls (config, outputs, resources) would misbehave; and state
// written before the shims holds copies of this code serialized by value, with every module it
// reaches, where an SDK import would be dragged in too. For the same reason host code imports
// no program-side module, and the lower layers import no upper one: shared imports neither
// clients nor host, clients import no host module.
const HOST_SIDE = [
    "components/host/**/*.ts",
    "components/clients/**/*.ts",
    "components/shared/**/*.ts",
    "components/providers.ts",
];
const HOST_SIDE_MESSAGE =
    "Provider host code imports the Pulumi SDKs for their types only (`import type`); see eslint.config.mjs.";

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", "tools/**", ".scratch/**", "docs/api/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
            ],
            "no-console": ["error", { allow: ["error", "warn"] }],
        },
    },
    {
        files: ["**/*.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // The shims load the providers with a literal `require` by the package's own name, and
        // their text is stored in state, so no disable comment may sit inside it.
        files: ["components/internal/providerShim.ts"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // No import cycles among the library's modules.
        files: ["components/**/*.ts"],
        plugins: { "import-x": importX },
        settings: {
            // How import-x reads TypeScript modules (its `flatConfigs.typescript` settings) and
            // resolves their imports (tsconfig.json's paths and extensions).
            "import-x/extensions": [".ts", ".js"],
            "import-x/external-module-folders": ["node_modules", "node_modules/@types"],
            "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
            "import-x/resolver-next": [createTypeScriptImportResolver({ project: "tsconfig.json" })],
        },
        rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
    },
    {
        files: HOST_SIDE,
        plugins: { "import-x": importX },
        rules: {
            "@typescript-eslint/no-restricted-imports": [
                "error",
                {
                    paths: [
                        { name: "@pulumi/pulumi", message: HOST_SIDE_MESSAGE, allowTypeImports: true },
                        { name: "@pulumi/kubernetes", message: HOST_SIDE_MESSAGE, allowTypeImports: true },
                    ],
                    patterns: [
                        {
                            group: ["@pulumi/pulumi/*", "@pulumi/kubernetes/*"],
                            message: HOST_SIDE_MESSAGE,
                            allowTypeImports: true,
                        },
                    ],
                },
            ],
            "import-x/no-restricted-paths": [
                "error",
                {
                    basePath: import.meta.dirname,
                    zones: [
                        {
                            target: HOST_SIDE,
                            from: "./components",
                            except: ["./host", "./clients", "./shared"],
                            message:
                                "Provider host code imports no program-side module; see eslint.config.mjs.",
                        },
                        {
                            target: "./components/shared",
                            from: ["./components/host", "./components/clients", "./components/providers.ts"],
                            message: "Shared rules import neither the clients nor the provider host.",
                        },
                        {
                            target: "./components/clients",
                            from: ["./components/host", "./components/providers.ts"],
                            message: "The clients import no provider host module.",
                        },
                    ],
                },
            ],
        },
    },
    {
        // Promises that nobody awaits: a floating call, a promise where a callback's void is
        // expected, an `await` of a value that is not a promise. These need the type checker, so
        // they read tsconfig.eslint.json (tsconfig.json plus scripts/).
        files: ["components/**/*.ts", "emulator/**/*.ts", "scripts/**/*.ts", "test/**/*.ts"],
        languageOptions: {
            parserOptions: { project: "./tsconfig.eslint.json", tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            "@typescript-eslint/no-floating-promises": [
                "error",
                {
                    // pulumi.log.* return a promise that never rejects (a failed delivery goes to
                    // stderr) and that the runtime waits for itself: @pulumi/pulumi 3.248.0,
                    // sdk/nodejs/log/index.ts, `log`.
                    allowForKnownSafeCalls: [
                        {
                            from: "package",
                            package: "@pulumi/pulumi",
                            name: ["debug", "info", "warn", "error"],
                        },
                    ],
                },
            ],
            "@typescript-eslint/no-misused-promises": "error",
            "@typescript-eslint/await-thenable": "error",
        },
    },
    {
        files: ["emulator/main.ts", "test/bench/**", "scripts/**", "test/bed/**"],
        rules: { "no-console": "off" },
    },
);
