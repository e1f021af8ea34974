// A component whose service-account patch will read its kubeconfig from the environment refuses
// at preview a kubeconfig the patch cannot use, naming the setting and the field.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NamespacePullSecrets } from "../../components";
import { unwrap, warnings } from "./hooks";

describe("the kubeconfig a service-account patch reads from the environment", function () {
    let dir: string;
    let before: string | undefined;
    beforeEach(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "kc-ambient-"));
        before = process.env.KUBECONFIG;
        process.env.PULUMI_K8S_ENABLE_SECRET_MUTABLE = "true";
    });
    afterEach(function () {
        if (before === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = before;
        delete process.env.PULUMI_K8S_ENABLE_SECRET_MUTABLE;
        fs.rmSync(dir, { recursive: true, force: true });
    });
    const withKubeconfig = (cluster: string) => {
        const file = path.join(dir, "config");
        fs.writeFileSync(
            file,
            `clusters: [{name: c, cluster: ${cluster}}]\nusers: [{name: u, user: {token: s3cret}}]\n` +
                `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
        );
        process.env.KUBECONFIG = file;
    };

    it("refuses an unusable one at preview, naming KUBECONFIG, without its credentials", async function () {
        withKubeconfig(`{server: "https://k:6443", proxy-url: "socks5://p:1080"}`);
        let refusal: Error | undefined;
        try {
            new NamespacePullSecrets("w", { namespace: "a", apiKey: "k", regions: ["us"] });
        } catch (err) {
            refusal = err as Error;
        }
        // An error, not a warning: the patch would fail at `up` with the same kubeconfig.
        expect(refusal?.message).to.equal(
            `NamespacePullSecrets "w": KUBECONFIG: kubeconfig (${path.join(dir, "config")}): cluster "c" proxy-url uses ` +
                `socks5, which the service-account patcher does not support; use an http:// or https:// proxy (HTTP CONNECT)`,
        );
        expect(refusal?.message).not.to.contain("s3cret");
        expect(warnings).to.deep.equal([]);
    });

    it("stays quiet about a usable one, and when the patch has its own kubeconfig", async function () {
        withKubeconfig(`{server: "https://k:6443", proxy-url: "http://p:3128"}`);
        await unwrap(
            new NamespacePullSecrets("w", { namespace: "a", apiKey: "k", regions: ["us"] }).serviceAccounts,
        );
        withKubeconfig(`{server: "https://k:6443", proxy-url: "socks5://p:1080"}`);
        await unwrap(
            new NamespacePullSecrets("w2", {
                namespace: "a",
                apiKey: "k",
                regions: ["us"],
                kubeconfig: "x: y",
            }).serviceAccounts,
        );
        expect(warnings).to.deep.equal([]);
    });
});
