import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", "tools/**", ".scratch/**"] },
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
        files: ["emulator/main.ts", "test/bench/**", "scripts/**", "test/bed/**"],
        rules: { "no-console": "off" },
    },
);
