// The ServiceAccountPullSecrets provider's methods, called directly against a real
// kube-apiserver + kube-controller-manager on loopback (test/bed/cluster.ts).
import * as pulumi from "@pulumi/pulumi";
import { Config as DynamicConfig } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import axios from "axios";
import { expect } from "chai";
import * as http from "http";
import * as https from "https";
import Module from "module";
import { AddressInfo } from "net";
import * as path from "path";
import { CLAIMS_ANNOTATION, CLAIMS_UID_ANNOTATION } from "../../components/shared/imagePullSecretList";
import {
    ServiceAccountPullSecretsInputs,
    ServiceAccountPullSecretsProvider,
    ServiceAccountPullSecretsState,
} from "../../components/host/k8s/serviceAccountPullSecretsProvider";
import { LocalCluster, startLocalCluster } from "../bed/cluster";
import { freePort } from "../bed/processes";

const provider = () => new ServiceAccountPullSecretsProvider({ pollMs: 100, client: { backoffMs: 10 } });

/**
 * The provider as the engine's dynamic-provider host gets it: serialized as dynamic.Resource
 * does (serializeFunction of the instance), then loaded from the text and `handler()` called
 * (cmd/dynamic-provider/index.ts getProvider). Module-level values travel through the closure
 * serializer, which is where Sets, Maps and SDK imports break.
 */
async function deserialized(
    instance: ServiceAccountPullSecretsProvider,
): Promise<ServiceAccountPullSecretsProvider> {
    const { text } = await pulumi.runtime.serializeFunction(() => instance, { allowSecrets: false });
    const filename = path.join(process.cwd(), "__provider.js");
    type Loader = Module & { _compile(code: string, file: string): void };
    const m = new Module(filename) as Loader;
    m.filename = filename;
    m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
        process.cwd(),
    );
    m._compile(text, filename);
    return (m.exports as { handler(): ServiceAccountPullSecretsProvider }).handler();
}

/** Runs `check` as the engine does and returns the normalised inputs; fails on any failure. */
async function checked(
    p: ServiceAccountPullSecretsProvider,
    news: Partial<ServiceAccountPullSecretsInputs>,
): Promise<ServiceAccountPullSecretsInputs> {
    const r = await p.check!({} as ServiceAccountPullSecretsInputs, news as ServiceAccountPullSecretsInputs);
    expect(r.failures ?? []).to.deep.equal([]);
    return r.inputs!;
}

describe("ServiceAccountPullSecrets provider (check and diff)", function () {
    const p = provider();
    const base: ServiceAccountPullSecretsState = {
        namespace: "team-a",
        serviceAccount: "default",
        secretNames: ["a", "b"],
        waitTimeoutSeconds: 60,
        claimId: "c1",
        managedNames: ["a", "b"],
        serviceAccountUid: "u",
    };
    const kc = (server: string) =>
        `clusters: [{name: c, cluster: {server: "${server}"}}]\nusers: [{name: u, user: {token: t}}]\n` +
        `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;

    it("applies defaults and removes duplicate names", async function () {
        const r = await p.check!(
            {} as ServiceAccountPullSecretsInputs,
            {
                namespace: "team-a",
                secretNames: ["a", "b", "a"],
            } as ServiceAccountPullSecretsInputs,
        );
        expect(r).to.deep.equal({
            inputs: {
                namespace: "team-a",
                serviceAccount: "default",
                secretNames: ["a", "b"],
                waitTimeoutSeconds: 60,
            },
            failures: [],
        });
    });

    it("rejects bad names, an empty list, a bad timeout and a broken kubeconfig, one failure per field", async function () {
        const r = await p.check!(
            {} as ServiceAccountPullSecretsInputs,
            {
                namespace: "Team_A",
                serviceAccount: "",
                secretNames: [],
                waitTimeoutSeconds: -1,
                kubeconfig: "clusters: []\ncurrent-context: missing\n",
            } as unknown as ServiceAccountPullSecretsInputs,
        );
        expect(r.failures!.map((f) => f.property)).to.deep.equal([
            "namespace",
            "serviceAccount",
            "secretNames",
            "waitTimeoutSeconds",
            "kubeconfig",
        ]);
        expect(r.failures![2].reason).to.equal(
            "secretNames: the list is empty; name at least one Secret to add to the service account.",
        );
        expect(r.failures![4].reason).to.equal(
            `kubeconfig (the kubeconfig input) has no context named by its current-context ` +
                `(a 7-character string of letters); contexts: none`,
        );
        const bad = await p.check!(
            {} as ServiceAccountPullSecretsInputs,
            {
                namespace: "team-a",
                secretNames: ["ok", "Not_OK"],
            } as ServiceAccountPullSecretsInputs,
        );
        expect(bad.failures!.map((f) => f.property)).to.deep.equal(["secretNames[1]"]);
    });

    it("tolerates values unknown during preview", async function () {
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const r = await p.check!(
            {} as ServiceAccountPullSecretsInputs,
            {
                namespace: unknown,
                secretNames: unknown,
                kubeconfig: unknown,
            } as unknown as ServiceAccountPullSecretsInputs,
        );
        expect(r.failures).to.deep.equal([]);
        const d = await p.diff!("id", base, {
            ...base,
            secretNames: [unknown],
        } as ServiceAccountPullSecretsInputs);
        expect(d).to.deep.equal({ changes: true, replaces: [] });
    });

    it("diffs exactly: account moves replace, name changes update, order and repeats do not count", async function () {
        const news = (over: Partial<ServiceAccountPullSecretsInputs>) =>
            ({ ...base, ...over }) as ServiceAccountPullSecretsInputs;
        expect(await p.diff!("id", base, news({}))).to.deep.equal({ changes: false, replaces: [] });
        expect(await p.diff!("id", base, news({ secretNames: ["b", "a", "a"] }))).to.deep.equal({
            changes: false,
            replaces: [],
        });
        expect(await p.diff!("id", base, news({ secretNames: ["a", "c"] }))).to.deep.equal({
            changes: true,
            replaces: [],
        });
        expect(await p.diff!("id", base, news({ namespace: "team-b" }))).to.deep.equal({
            changes: true,
            replaces: ["namespace"],
        });
        expect(await p.diff!("id", base, news({ serviceAccount: "builder" }))).to.deep.equal({
            changes: true,
            replaces: ["serviceAccount"],
        });
        expect(await p.diff!("id", base, news({ waitTimeoutSeconds: 5 }))).to.deep.equal({
            changes: false,
            replaces: [],
        });
    });

    it("updates for new credentials to the same cluster and replaces for another cluster", async function () {
        const olds = { ...base, kubeconfig: kc("https://one:6443") };
        const sameServer = kc("https://one:6443").replace("token: t", "token: rotated");
        expect(await p.diff!("id", olds, { ...olds, kubeconfig: sameServer })).to.deep.equal({
            changes: true,
            replaces: [],
        });
        expect(await p.diff!("id", olds, { ...olds, kubeconfig: kc("https://two:6443") })).to.deep.equal({
            changes: true,
            replaces: ["kubeconfig"],
        });
    });

    it("serializes as a small closure without the SDK or any credential", async function () {
        // As dynamic.Resource does it: the provider object, serialized with its whole closure.
        const instance = provider();
        const text = (await pulumi.runtime.serializeFunction(() => instance, { allowSecrets: false })).text;
        expect(text).not.to.contain("@pulumi/pulumi");
        expect(text).not.to.match(/class (Output|ComponentResource|CustomResource)\b/);
        // npm packages by reference, not by value
        expect(text).to.contain('require("yaml")');
        expect(text).to.match(/require\("axios[^"]*"\)/);
        expect(text.length, "closure size").to.be.below(100_000);
    });
});

describe("ServiceAccountPullSecrets provider against a real API server", function () {
    let cluster: LocalCluster;
    const p = provider();
    let n = 0;

    before(async function () {
        this.timeout(180_000);
        cluster = await startLocalCluster();
    });
    after(async function () {
        await cluster?.stop();
    });

    const saPath = (ns: string, sa = "default") => `/api/v1/namespaces/${ns}/serviceaccounts/${sa}`;
    const freshNamespace = async (): Promise<string> => {
        const ns = `sa-test-${++n}`;
        const res = await cluster.api.post("/api/v1/namespaces", { metadata: { name: ns } });
        expect(res.status).to.equal(201);
        return ns;
    };
    const getSa = async (ns: string, sa = "default") => {
        const deadline = Date.now() + 30_000;
        for (;;) {
            const res = await cluster.api.get(saPath(ns, sa));
            if (res.status === 200 || Date.now() > deadline) return res.data;
            await new Promise((r) => setTimeout(r, 100));
        }
    };
    const listed = async (ns: string, sa = "default") =>
        ((await getSa(ns, sa)).imagePullSecrets ?? []).map((e: { name: string }) => e.name);
    const setList = async (ns: string, names: string[], sa = "default") => {
        const current = await getSa(ns, sa);
        const res = await cluster.api.put(saPath(ns, sa), {
            ...current,
            imagePullSecrets: names.map((name) => ({ name })),
        });
        expect(res.status).to.equal(200);
    };
    const inputs = (ns: string, secretNames: string[], over: Partial<ServiceAccountPullSecretsInputs> = {}) =>
        checked(p, { namespace: ns, secretNames, kubeconfig: cluster.kubeconfig, ...over });

    it("under the engine, fails check where create would: refused credentials, no answer, a missing context, naming the setting", async function () {
        // GIVEN a provider configured as the engine configures it, with the whole stack config
        const configured = provider();
        const refused = cluster.kubeconfig.replace(cluster.token, "not-a-token-the-server-knows");
        await configured.configure!({
            config: new DynamicConfig({ "proj:kubeconfig": refused, "kubernetes:context": "nope" }, "proj"),
        } as unknown as pulumi.dynamic.ConfigureRequest);
        const failuresOf = async (over: Partial<ServiceAccountPullSecretsInputs>) =>
            (
                await configured.check!(
                    {} as ServiceAccountPullSecretsInputs,
                    {
                        namespace: "default",
                        secretNames: ["a"],
                        ...over,
                    } as ServiceAccountPullSecretsInputs,
                )
            ).failures;

        // WHEN the kubeconfig input is the project's kubeconfig setting, with a token the server refuses
        const byToken = await failuresOf({ kubeconfig: refused });
        // THEN check fails naming that setting, never the token
        expect(byToken).to.have.length(1);
        expect(byToken![0].property).to.equal("kubeconfig");
        expect(byToken![0].reason).to.match(
            new RegExp(`^proj:kubeconfig: the API server ${cluster.server} refuses the credentials, .*401`),
        );
        expect(byToken![0].reason).not.to.contain("not-a-token-the-server-knows");

        // WHEN the server does not answer
        const closed = await freePort();
        const silent = await failuresOf({
            kubeconfig: cluster.kubeconfig.replace(cluster.server, `https://127.0.0.1:${closed}`),
        });
        expect(silent![0].reason).to.match(
            new RegExp(
                `^the kubeconfig input: the API server https://127.0.0.1:${closed} does not answer, .*ECONNREFUSED`,
            ),
        );

        // WHEN the kubeconfig comes from the environment and kubernetes:context names no context of it
        const before = process.env.KUBECONFIG;
        process.env.KUBECONFIG = cluster.kubeconfigPath;
        try {
            const noContext = await failuresOf({});
            expect(noContext).to.deep.equal([
                {
                    property: "context",
                    reason:
                        `kubernetes:context: kubeconfig (${cluster.kubeconfigPath}) has no context "nope"; contexts: "local". ` +
                        "Set kubernetes:context to one of them (`pulumi config set kubernetes:context <context>`), or remove it " +
                        "(`pulumi config rm kubernetes:context`) to use the kubeconfig's current-context.",
                },
            ]);
        } finally {
            if (before === undefined) delete process.env.KUBECONFIG;
            else process.env.KUBECONFIG = before;
        }

        // WHEN the kubeconfig is good THEN check passes (a 404 for an account still to come is fine)
        expect(await failuresOf({ kubeconfig: cluster.kubeconfig, namespace: "not-yet" })).to.deep.equal([]);
    });

    it("keeps a foreign entry through create, a second run, a second resource, update and delete", async function () {
        // GIVEN a namespace whose default account already lists someone else's secret
        const ns = await freshNamespace();
        await setList(ns, ["someone-else"]);

        // WHEN resource A is created THEN its names are appended and the foreign one kept
        const aIn = await inputs(ns, ["a1", "a2"]);
        const a = await p.create!(aIn);
        expect(await listed(ns)).to.deep.equal(["someone-else", "a1", "a2"]);
        expect(a.outs!.managedNames).to.deep.equal(["a1", "a2"]);
        expect(a.id).to.equal(`${ns}/default/${a.outs!.claimId}`);
        expect(a.outs!.serviceAccountUid).to.equal((await getSa(ns)).metadata.uid);

        // WHEN the same state is applied again THEN nothing is added twice and nothing is written
        const rv = (await getSa(ns)).metadata.resourceVersion;
        const again = await p.update!(a.id, a.outs!, aIn);
        expect(again.outs!.managedNames).to.deep.equal(["a1", "a2"]);
        expect((await getSa(ns)).metadata.resourceVersion).to.equal(rv);

        // WHEN a second resource B adds a1 THEN the list is unchanged and B shares a1
        const b = await p.create!(await inputs(ns, ["a1"]));
        expect(await listed(ns)).to.deep.equal(["someone-else", "a1", "a2"]);
        expect(b.outs!.managedNames).to.deep.equal(["a1"]);

        // WHEN A moves to [a2, a3] THEN a3 is added, and a1 stays because B still holds it
        const aNext = await p.update!(a.id, a.outs!, await inputs(ns, ["a2", "a3"]));
        expect(await listed(ns)).to.deep.equal(["someone-else", "a1", "a2", "a3"]);
        expect(JSON.parse((await getSa(ns)).metadata.annotations[CLAIMS_ANNOTATION])).to.deep.equal({
            [a.outs!.claimId]: ["a2", "a3"],
            [b.outs!.claimId]: ["a1"],
        });

        // WHEN A is deleted THEN only A's entries go; WHEN B is deleted THEN the list is as it began
        await p.delete!(a.id, aNext.outs!);
        expect(await listed(ns)).to.deep.equal(["someone-else", "a1"]);
        await p.delete!(b.id, b.outs!);
        expect(await listed(ns)).to.deep.equal(["someone-else"]);
        expect((await getSa(ns)).metadata.annotations?.[CLAIMS_ANNOTATION]).to.equal(undefined);
    });

    it("absorbs the claim of a create whose response was lost, so a rerun leaves one claim", async function () {
        // GIVEN a create that wrote its claim but whose result the engine never recorded
        const ns = await freshNamespace();
        await setList(ns, ["someone-else"]);
        const desired = await inputs(ns, ["mine"], { claimOrigin: "0a1b2c3d4e5f6071" });
        const lost = await p.create!(desired);
        expect(lost.outs!.claimId).to.match(/^0a1b2c3d4e5f6071\.[0-9a-f]{12}$/);

        // WHEN the rerun creates the resource again THEN one claim remains, the new one
        const rerun = await p.create!(desired);
        const claims = async () =>
            JSON.parse((await getSa(ns)).metadata.annotations[CLAIMS_ANNOTATION] ?? "{}");
        expect(Object.keys(await claims())).to.deep.equal([rerun.outs!.claimId]);
        expect(rerun.outs!.managedNames).to.deep.equal(["mine"]);

        // and its delete leaves the list as it began
        await p.delete!(rerun.id, rerun.outs!);
        expect(await listed(ns)).to.deep.equal(["someone-else"]);
        expect((await getSa(ns)).metadata.annotations?.[CLAIMS_ANNOTATION]).to.equal(undefined);
        expect((await getSa(ns)).metadata.annotations?.[CLAIMS_UID_ANNOTATION]).to.equal(undefined);
    });

    it("removes nothing from a re-created account that lists our name itself", async function () {
        // GIVEN we added team-icr-io to the account "builder", which is then deleted and re-created listing it
        const ns = await freshNamespace();
        await cluster.api.post(`/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: "builder" } });
        const created = await p.create!(await inputs(ns, ["team-icr-io"], { serviceAccount: "builder" }));
        expect(await listed(ns, "builder")).to.deep.equal(["team-icr-io"]);
        expect((await cluster.api.delete(saPath(ns, "builder"))).status).to.equal(200);
        const again = await cluster.api.post(`/api/v1/namespaces/${ns}/serviceaccounts`, {
            metadata: { name: "builder" },
            imagePullSecrets: [{ name: "team-icr-io" }],
        });
        expect(again.status).to.equal(201);

        // WHEN refreshed THEN nothing there is ours; WHEN deleted THEN the entry stays
        const read = await p.read!(created.id, created.outs!);
        expect(read.props!.managedNames).to.deep.equal([]);
        await p.delete!(created.id, created.outs!);
        expect(await listed(ns, "builder")).to.deep.equal(["team-icr-io"]);
        await p.delete!(created.id, read.props!);
        expect(await listed(ns, "builder")).to.deep.equal(["team-icr-io"]);
    });

    it("never removes a name that was on the list before it came", async function () {
        const ns = await freshNamespace();
        await setList(ns, ["all-icr-io"]);
        const r = await p.create!(await inputs(ns, ["all-icr-io", "mine"]));
        expect(r.outs!.managedNames).to.deep.equal(["mine"]);
        await p.delete!(r.id, r.outs!);
        expect(await listed(ns)).to.deep.equal(["all-icr-io"]);
    });

    it("does not lose a change another writer makes between its read and its write", async function () {
        // GIVEN a proxy in front of the API server that, just before forwarding our first
        // PUT, lets another writer add "raced-writer" to the account
        const ns = await freshNamespace();
        await setList(ns, ["someone-else"]);
        const upstream = axios.create({
            baseURL: cluster.server,
            httpsAgent: new https.Agent({ rejectUnauthorized: false }),
            validateStatus: () => true,
            transformResponse: (x) => x,
        });
        const puts: number[] = [];
        let raced = false;
        // A failure inside the proxy (the other writer's PUT, the forwarding) fails the test with
        // its own message, instead of an unhandled rejection and a request left unanswered.
        let proxyError: unknown;
        const proxy = http.createServer((req, res) => {
            let body = "";
            req.on("data", (c) => (body += c));
            const forward = async (): Promise<void> => {
                if (req.method === "PUT" && !raced) {
                    raced = true;
                    const current = await getSa(ns);
                    const concurrent = await cluster.api.put(saPath(ns), {
                        ...current,
                        imagePullSecrets: [...(current.imagePullSecrets ?? []), { name: "raced-writer" }],
                    });
                    expect(concurrent.status).to.equal(200);
                }
                const out = await upstream.request({
                    method: req.method,
                    url: req.url,
                    data: body === "" ? undefined : body,
                    headers: {
                        authorization: req.headers.authorization ?? "",
                        "content-type": "application/json",
                    },
                });
                if (req.method === "PUT") puts.push(out.status);
                res.writeHead(out.status, { "content-type": "application/json" });
                res.end(out.data);
            };
            req.on("end", () => {
                forward().catch((err: unknown) => {
                    proxyError ??= err;
                    if (!res.headersSent) res.writeHead(502);
                    res.end(String(err));
                });
            });
        });
        await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
        try {
            const port = (proxy.address() as AddressInfo).port;
            const viaProxy =
                `clusters: [{name: p, cluster: {server: "http://127.0.0.1:${port}"}}]\n` +
                `users: [{name: admin, user: {token: "${cluster.token}"}}]\n` +
                `contexts: [{name: p, context: {cluster: p, user: admin}}]\ncurrent-context: p\n`;

            // WHEN the provider adds its name through the proxy
            const r = await p.create!(await inputs(ns, ["mine"], { kubeconfig: viaProxy })).catch(
                (err: unknown) => {
                    throw proxyError ?? err;
                },
            );
            if (proxyError !== undefined) throw proxyError;

            // THEN its first write was refused as stale, it retried, and both changes are there
            expect(puts).to.deep.equal([409, 200]);
            expect(await listed(ns)).to.deep.equal(["someone-else", "raced-writer", "mine"]);
            expect(r.outs!.managedNames).to.deep.equal(["mine"]);
        } finally {
            proxy.close();
        }
    });

    it("waits for the default account of a namespace created a moment ago", async function () {
        // The controller manager creates `default` asynchronously; create runs right away.
        const ns = await freshNamespace();
        const r = await p.create!(await inputs(ns, ["mine"]));
        expect(await listed(ns)).to.deep.equal(["mine"]);
        expect(r.outs!.serviceAccountUid).to.be.a("string").and.not.equal("");
    });

    it("waits for another account created later, within the timeout", async function () {
        const ns = await freshNamespace();
        const later = setTimeout(
            () =>
                void cluster.api.post(`/api/v1/namespaces/${ns}/serviceaccounts`, {
                    metadata: { name: "builder" },
                }),
            1000,
        );
        try {
            await p.create!(
                await inputs(ns, ["mine"], { serviceAccount: "builder", waitTimeoutSeconds: 30 }),
            );
        } finally {
            clearTimeout(later);
        }
        expect(await listed(ns, "builder")).to.deep.equal(["mine"]);
    });

    it("rejects a service account that never appears, naming it and the fix", async function () {
        const ns = await freshNamespace();
        const started = Date.now();
        let message = "";
        await p.create!(
            await inputs(ns, ["mine"], { serviceAccount: "builder", waitTimeoutSeconds: 1 }),
        ).catch((e: Error) => (message = e.message));
        expect(Date.now() - started).to.be.within(1000, 10_000);
        expect(message).to.equal(
            `ServiceAccount "${ns}/builder" was not found after waiting 1 s. Only the "default" account is created ` +
                `automatically; create this one first (declare a k8s.core.v1.ServiceAccount and pass it in dependsOn), ` +
                `or raise waitTimeoutSeconds if another tool creates it.`,
        );
        await p.create!(await inputs("no-such-namespace", ["mine"], { waitTimeoutSeconds: 0 })).catch(
            (e: Error) => (message = e.message),
        );
        expect(message).to.equal(
            `ServiceAccount "no-such-namespace/default": namespace "no-such-namespace" does not exist (waited 0 s). ` +
                `Create the namespace first: set createNamespace, or declare a k8s.core.v1.Namespace and pass it in dependsOn.`,
        );
    });

    it("reports on refresh an entry removed behind its back, and the next update adds it back", async function () {
        const ns = await freshNamespace();
        const desired = await inputs(ns, ["m1", "m2"]);
        const created = await p.create!(desired);
        await setList(ns, ["m2"]); // someone drops m1

        const read = await p.read!(created.id, created.outs!);
        expect(read.id).to.equal(created.id);
        expect(read.props!.secretNames).to.deep.equal(["m2"]);
        expect(read.props!.managedNames).to.deep.equal(["m2"]);
        const diff = await p.diff!(created.id, read.props!, desired);
        expect(diff).to.deep.equal({ changes: true, replaces: [] });

        const updated = await p.update!(created.id, read.props!, desired);
        expect(await listed(ns)).to.deep.equal(["m2", "m1"]);
        expect(updated.outs!.managedNames).to.deep.equal(["m1", "m2"]);
        const reread = await p.read!(created.id, updated.outs!);
        expect(await p.diff!(created.id, reread.props!, desired)).to.deep.equal({
            changes: false,
            replaces: [],
        });
    });

    it("works after the round trip through closure serialization, as in the engine", async function () {
        const loaded = await deserialized(provider());
        expect(loaded).not.to.equal(undefined);
        const ns = await freshNamespace();
        await setList(ns, ["someone-else"]);
        const news = (
            await loaded.check!(
                {} as ServiceAccountPullSecretsInputs,
                {
                    namespace: ns,
                    secretNames: ["mine"],
                    kubeconfig: cluster.kubeconfig,
                } as ServiceAccountPullSecretsInputs,
            )
        ).inputs!;
        const created = await loaded.create!(news);
        expect(await listed(ns)).to.deep.equal(["someone-else", "mine"]);
        expect((await loaded.read!(created.id, created.outs!)).props!.secretNames).to.deep.equal(["mine"]);
        expect(await loaded.diff!(created.id, created.outs!, news)).to.deep.equal({
            changes: false,
            replaces: [],
        });
        await loaded.delete!(created.id, created.outs!);
        expect(await listed(ns)).to.deep.equal(["someone-else"]);
    });

    it("reads a deleted account as gone, and deletes without error when it is gone", async function () {
        // (not `default`: the controller manager would recreate it at once)
        const ns = await freshNamespace();
        await cluster.api.post(`/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: "builder" } });
        const created = await p.create!(await inputs(ns, ["mine"], { serviceAccount: "builder" }));
        expect((await cluster.api.delete(saPath(ns, "builder"))).status).to.equal(200);
        expect(await p.read!(created.id, created.outs!)).to.deep.equal({ id: "" });
        await p.delete!(created.id, created.outs!);
        await p.delete!(created.id, { ...created.outs!, namespace: "no-such-namespace" });
    });
});
