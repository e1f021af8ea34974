// Runs a dynamic provider's serialized `__provider` text the way the engine's
// dynamic-provider host does (@pulumi/pulumi/cmd/dynamic-provider): evaluated with
// require-from-string and an empty file name, so its `require`s resolve from the working
// directory (the program's), then configured with the stack config, then called.
//
// stdin: {"text": "...", "config": {"ns:key": "value"}, "project": "p",
//         "calls": [{"method": "check", "args": [...]}, ...]}
// stdout: one JSON array, per call {"ok": result} or {"error": {name, message, string}};
// a failing `configure` is the one error reported.
const path = require("path");

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }));
const requireFromString = require(require.resolve("require-from-string", { paths: [pulumiDir] }));
const { Config } = require(path.join(pulumiDir, "cmd", "dynamic-provider", "config"));

async function main() {
    let input = "";
    for await (const chunk of process.stdin) input += chunk;
    const req = JSON.parse(input);
    const results = [];
    let provider;
    try {
        provider = requireFromString(req.text).handler();
    } catch (e) {
        // As the host does (getProvider runs inside each call), loading fails the call.
        process.stdout.write(
            JSON.stringify([{ error: { name: e && e.name, message: e && e.message, string: String(e) } }]),
        );
        return;
    }
    // As the host does: configure first, when the provider has it.
    const configure = {
        method: "configure",
        args: [{ config: new Config(req.config || {}, req.project || "p") }],
    };
    const calls = provider.configure ? [configure] : [];
    for (const call of calls.concat(req.calls)) {
        try {
            const ok = (await provider[call.method](...call.args)) ?? null;
            if (call.method !== "configure") results.push({ ok });
        } catch (e) {
            // As the host does, a failed configure fails the call that needed the provider.
            results.push({ error: { name: e && e.name, message: e && e.message, string: String(e) } });
            if (call.method === "configure") break;
        }
    }
    process.stdout.write(JSON.stringify(results));
}

main().catch((e) => {
    process.stderr.write(String(e && e.stack ? e.stack : e));
    process.exit(1);
});
