// The IAM side through the real engine: examples/iam-service-id (a ServiceId, an
// AccessPolicy and an ApiKey) run by the Pulumi CLI against the IAM emulator. Creation and
// idempotence, an in-place update, key rotation, out-of-band deletion, secrecy of the key,
// IAM faults, and bad input stopped at preview.
import axios from "axios";
import { expect } from "chai";
import * as fs from "fs";
import { ConfigMap, EngineEvent } from "@pulumi/pulumi/automation";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { readMark } from "../../components/shared/ownership/ownerMark";
import { iamWorld, loginAs } from "../bed/iamWorld";
import { ProgramStack, PulumiSandbox, resourceChanges, RunResult } from "../bed/pulumi";

const EXAMPLE = "examples/iam-service-id";
const PROJECT = "iam-service-id";
const ACCOUNT = "3c6fe1d2a9b84e07b5f2c81d9e4a6b70";
const ADMIN_KEY = "admin-key-of-the-iam-spec-account-5e1f9c2a7d";

const SERVICE_ID = "pulumi-nodejs:dynamic/iam:ServiceId";
const ACCESS_POLICY = "pulumi-nodejs:dynamic/iam:AccessPolicy";
const API_KEY = "pulumi-nodejs:dynamic/iam:ApiKey";
const STACK_OWNER = "pulumi-nodejs:dynamic/ownership:StackOwner";

/** What the emulator holds, with the fields these tests read. */
interface World {
    serviceIds: { id: string; iamId: string; name: string; description: string }[];
    apiKeys: { id: string; iamId: string; name: string }[];
    policies: {
        id: string;
        subjects: { attributes: { name: string; value: string }[] }[];
        roleIds: string[];
        resources: { attributes: { name: string; value: string }[] }[];
    }[];
}

async function world(iam: IamEmulator): Promise<World> {
    return (await iamWorld(iam.url, ACCOUNT)) as unknown as World;
}

/** Environment of every sandbox: no IBM Cloud settings leak in from the test process. */
const HERMETIC_ENV = { IBMCLOUD_API_KEY: "", IBMCLOUD_IAM_ENDPOINT: "", IBMCLOUD_ACCOUNT_ID: "" };

/** Stack config: the emulator's admin key and URL, plus the example's own keys. */
function stackConfig(iam: IamEmulator, own: Record<string, string> = {}, withKey = true): ConfigMap {
    const cfg: ConfigMap = { "ibmcloud:iamEndpoint": { value: iam.url } };
    if (withKey) cfg["ibmcloud:apiKey"] = { value: ADMIN_KEY, secret: true };
    for (const [k, v] of Object.entries(own)) cfg[`${PROJECT}:${k}`] = { value: v };
    return cfg;
}

/** The example's own config keys, for `setConfig`. */
function own(values: Record<string, string>): ConfigMap {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${PROJECT}:${k}`, { value: v }]));
}

const opsOn = (r: RunResult, type: string) => r.steps.filter((s) => s.type === type).map((s) => s.op);

/** Whether an engine event is the Node.js SDK's debug-level dump of a RegisterResource response. */
function isSdkDebugDump(e: EngineEvent): boolean {
    // The Automation API's type omits "debug", which the engine does send.
    const severity: string | undefined = e.diagnosticEvent?.severity;
    return severity === "debug" && e.diagnosticEvent!.message.startsWith("RegisterResource RPC finished:");
}

/** Engine events without those dumps. */
function withoutSdkDebugDumps(events: EngineEvent[]): EngineEvent[] {
    return events.filter((e) => !isSdkDebugDump(e));
}

/** The IAM objects of a stack, from its outputs. */
function idsOf(outputs: Record<string, { value: unknown }>) {
    return {
        serviceIdId: outputs.serviceIdId.value as string,
        iamId: outputs.iamId.value as string,
        policyId: outputs.policyId.value as string,
        apiKeyId: outputs.apiKeyId.value as string,
    };
}

describe("examples/iam-service-id through the engine", function () {
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }] });
        sandbox = new PulumiSandbox(HERMETIC_ENV);
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
    });

    it("creates the service ID, a region- and namespace-scoped Reader policy and a key, then a second up writes nothing", async function () {
        // GIVEN the example scoped to us-south and one registry namespace
        const stack = await sandbox.stack(
            EXAMPLE,
            "create",
            stackConfig(iam, {
                name: "shop-pull",
                description: "pulls shop images",
                region: "us-south",
                registryNamespace: "shop-images",
            }),
        );

        // WHEN it is deployed
        const up = await stack.up();

        // THEN IAM holds one service ID, one policy and one key, exactly as configured
        const ids = idsOf(up.outputs);
        expect(resourceChanges(up).map((s) => [s.op, s.type])).to.have.deep.members([
            ["create", "pulumi:pulumi:Stack"],
            ["create", STACK_OWNER],
            ["create", SERVICE_ID],
            ["create", ACCESS_POLICY],
            ["create", API_KEY],
        ]);
        const w = await world(iam);
        // (its description ends with the owner mark: ../../components/shared/ownership/ownerMark.ts)
        expect(
            w.serviceIds.map((s) => [s.id, s.iamId, s.name, readMark(s.description).description]),
        ).to.deep.equal([[ids.serviceIdId, ids.iamId, "shop-pull", "pulls shop images"]]);
        expect(readMark(w.serviceIds[0].description).mark).not.to.equal(undefined);
        expect(w.policies).to.have.length(1);
        const [policy] = w.policies;
        expect(policy.id).to.equal(ids.policyId);
        expect(policy.subjects).to.deep.equal([{ attributes: [{ name: "iam_id", value: ids.iamId }] }]);
        expect(policy.roleIds).to.deep.equal(["crn:v1:bluemix:public:iam::::serviceRole:Reader"]);
        const attrs = Object.fromEntries(policy.resources[0].attributes.map((a) => [a.name, a.value]));
        expect(attrs).to.deep.equal({
            accountId: ACCOUNT,
            serviceName: "container-registry",
            region: "us-south",
            resourceType: "namespace",
            resource: "shop-images",
        });
        expect(w.apiKeys.map((k) => [k.id, k.iamId, k.name])).to.deep.equal([
            [ids.apiKeyId, ids.iamId, "shop-pull-key"],
        ]);
        // and the exported key is that key: it logs in as the service ID
        expect(await loginAs(iam.url, up.outputs.apiKey.value as string)).to.equal(
            `${ids.iamId} in ${ACCOUNT}`,
        );

        // WHEN it is deployed again with nothing changed
        iam.resetLog();
        const again = await stack.up();

        // THEN nothing is written to IAM and no resource changes
        expect(iam.counters().writes, JSON.stringify(iam.requests())).to.equal(0);
        expect(resourceChanges(again)).to.deep.equal([]);
        expect(idsOf(again.outputs)).to.deep.equal(ids);

        // WHEN previewed THEN no resource would change
        const preview = await stack.preview();
        expect(resourceChanges(preview)).to.deep.equal([]);
        expect(iam.counters().writes).to.equal(0);
    });

    it("updates the service ID in place when its description changes, keeping its id, policy and key", async function () {
        // GIVEN a deployed stack
        const stack = await sandbox.stack(EXAMPLE, "update", stackConfig(iam, { name: "update-pull" }));
        const before = idsOf((await stack.up()).outputs);

        // WHEN the description changes
        await stack.setConfig(own({ description: "a new description" }));

        // THEN preview shows an update of the service ID's description and nothing else
        const preview = await stack.preview();
        expect(resourceChanges(preview).map((s) => [s.op, s.type])).to.deep.equal([["update", SERVICE_ID]]);
        // (the dynamic-provider host passes no property diffs to the engine; the CLI's diff shows it)
        expect(preview.stdout).to.match(
            /~ description: "Pulls images from IBM Cloud Container Registry" => "a new description"/,
        );

        // WHEN deployed
        iam.resetLog();
        const up = await stack.up();

        // THEN the same service ID has the new description, with one IAM write
        expect(resourceChanges(up).map((s) => [s.op, s.type])).to.deep.equal([["update", SERVICE_ID]]);
        expect(idsOf(up.outputs)).to.deep.equal(before);
        const c = iam.counters();
        expect([c.writes, c.updateServiceId]).to.deep.equal([1, 1]);
        const sid = (await world(iam)).serviceIds.find((s) => s.id === before.serviceIdId);
        expect(readMark(sid?.description).description).to.equal("a new description");
    });

    it("rotates the key create-before-delete when the rotation value changes", async function () {
        // GIVEN a deployed stack with a rotation value
        const stack = await sandbox.stack(
            EXAMPLE,
            "rotate",
            stackConfig(iam, { name: "rotate-pull", rotation: "2026-01" }),
        );
        const first = await stack.up();
        const before = idsOf(first.outputs);
        const oldKey = first.outputs.apiKey.value as string;

        // WHEN the rotation value changes and the stack is deployed
        await stack.setConfig(own({ rotation: "2026-02" }));
        iam.resetLog();
        const up = await stack.up();

        // THEN the key is replaced, the new one created before the old one is deleted
        expect(opsOn(up, API_KEY)).to.deep.equal(["create-replacement", "replace", "delete-replaced"]);
        expect(resourceChanges(up).filter((s) => s.type !== API_KEY)).to.deep.equal([]);
        const writes = iam
            .requests()
            .filter((r) => r.method !== "GET" && r.operation !== "getToken")
            .map((r) => r.operation);
        expect(writes).to.deep.equal(["createApiKey", "deleteApiKey"]);
        // and IAM holds only the new key, of the same service ID, under the same policy
        const after = idsOf(up.outputs);
        expect(after.apiKeyId).not.to.equal(before.apiKeyId);
        expect({ ...after, apiKeyId: "" }).to.deep.equal({ ...before, apiKeyId: "" });
        const keys = (await world(iam)).apiKeys.filter((k) => k.iamId === before.iamId);
        expect(keys.map((k) => k.id)).to.deep.equal([after.apiKeyId]);
        // and the exported value changed: the new key logs in, the old one no longer does
        const newKey = up.outputs.apiKey.value as string;
        expect(newKey).not.to.equal(oldKey);
        expect(await loginAs(iam.url, newKey)).to.equal(`${before.iamId} in ${ACCOUNT}`);
        expect(await loginAs(iam.url, oldKey)).to.equal("400 BXNIM0415E");
    });

    it("never shows the key value or the admin key: state, export, CLI output, engine events and outputs", async function () {
        // GIVEN a deployed stack, whose key value is known to the test
        const stack = await sandbox.stack(
            EXAMPLE,
            "secrets",
            stackConfig(iam, { name: "secret-pull", rotation: "r1" }),
        );
        const up = await stack.up();
        const keyValue = up.outputs.apiKey.value as string;
        expect(await loginAs(iam.url, keyValue), "the value is the real key").to.equal(
            `${up.outputs.iamId.value} in ${ACCOUNT}`,
        );

        // WHEN a rotation is previewed with diffs (the key shows as changing)
        await stack.setConfig(own({ rotation: "r2" }));
        const preview = await stack.preview({ diff: true });
        expect(opsOn(preview, API_KEY)).to.include("create-replacement");

        // THEN the key output is secret, and neither key appears anywhere a user or a log sees
        expect(up.outputs.apiKey.secret).to.equal(true);
        const { apiKey: _secret, ...others } = up.outputs;
        const stackFile = `${stack.stack.workspace.workDir}/Pulumi.${stack.stack.name}.yaml`;
        const places: Record<string, string> = {
            "stack export": await stack.exportText(),
            "backend files": stack.backendText(),
            "stack config file": fs.readFileSync(stackFile, "utf8"),
            "up output": up.stdout,
            "preview output": preview.stdout,
            "up events": JSON.stringify(withoutSdkDebugDumps(up.events)),
            "preview events": JSON.stringify(withoutSdkDebugDumps(preview.events)),
            "other outputs": JSON.stringify(others),
        };
        for (const [where, text] of Object.entries(places)) {
            expect(text.length, where).to.be.greaterThan(0);
            expect(text.includes(keyValue), `key value in ${where}`).to.equal(false);
            expect(text.includes(ADMIN_KEY), `admin key in ${where}`).to.equal(false);
        }
        // The one exception is Pulumi's own: its Node.js SDK logs each RegisterResource response at
        // debug level (shown by `pulumi --debug` only), secret outputs in plain text. Nothing else
        // holds the value, and not even those hold the admin key.
        const dumps = [...up.events, ...preview.events].filter((e) => JSON.stringify(e).includes(keyValue));
        for (const e of dumps) {
            expect(isSdkDebugDump(e), `a ${Object.keys(e).join()} event holds the key`).to.equal(true);
            expect(e.diagnosticEvent?.message).to.match(/^RegisterResource RPC finished: resource:api-key\[/);
        }
        expect(
            JSON.stringify([up.events, preview.events]).includes(ADMIN_KEY),
            "admin key in events",
        ).to.equal(false);
        expect(preview.stdout, "the diff names the key as secret").to.contain("[secret]");
        // and the providers serialized into state carry neither
        const providers = (await stack.resources())
            .filter((r) => [SERVICE_ID, ACCESS_POLICY, API_KEY].includes(r.type))
            .map((r) => r.inputs?.__provider);
        expect(providers).to.have.length(3);
        for (const p of providers) {
            expect(p).to.be.a("string");
            expect((p as string).includes(keyValue)).to.equal(false);
            expect((p as string).includes(ADMIN_KEY)).to.equal(false);
        }
    });
});

describe("examples/iam-service-id after out-of-band deletion", function () {
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }] });
        // A 404 of an object created moments ago is otherwise waited out as replication lag
        // (up to 2 minutes); this emulator has no lag, so take 404 at its word.
        sandbox = new PulumiSandbox({ ...HERMETIC_ENV, ICR_ACCESS_IAM_NOT_FOUND_GRACE_MS: "0" });
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
    });

    it("drops the deleted objects on refresh, recreates them on up, and destroy leaves the account empty", async function () {
        // GIVEN a deployed stack
        const stack = await sandbox.stack(EXAMPLE, "oob", stackConfig(iam, { name: "oob-pull" }));
        const before = idsOf((await stack.up()).outputs);

        // WHEN someone deletes the service ID by hand (IAM deletes its keys and policies with it)
        const token = await axios.post(
            `${iam.url}/identity/token`,
            new URLSearchParams({ grant_type: "urn:ibm:params:oauth:grant-type:apikey", apikey: ADMIN_KEY }),
        );
        const del = await axios.delete(`${iam.url}/v1/serviceids/${before.serviceIdId}`, {
            headers: { Authorization: `Bearer ${token.data.access_token}` },
        });
        expect(del.status).to.equal(204);
        const gone = await world(iam);
        expect([gone.serviceIds, gone.apiKeys, gone.policies]).to.deep.equal([[], [], []]);

        // AND the stack is refreshed
        const refresh = await stack.refresh();

        // THEN the three are dropped from the stack
        const refreshed = resourceChanges(refresh).map((s) => [s.op, s.type]);
        for (const type of [SERVICE_ID, ACCESS_POLICY, API_KEY]) {
            expect(refreshed, type).to.deep.include(["refresh", type]);
        }
        const managed = (await stack.resources()).filter((r) =>
            [SERVICE_ID, ACCESS_POLICY, API_KEY].includes(r.type),
        );
        expect(managed).to.deep.equal([]);

        // WHEN deployed again
        const heal = await stack.up();

        // THEN new objects exist in IAM, and the new key works
        const after = idsOf(heal.outputs);
        expect(after.serviceIdId).not.to.equal(before.serviceIdId);
        const w = await world(iam);
        expect(w.serviceIds.map((s) => s.id)).to.deep.equal([after.serviceIdId]);
        expect(w.policies.map((p) => p.id)).to.deep.equal([after.policyId]);
        expect(w.apiKeys.map((k) => k.id)).to.deep.equal([after.apiKeyId]);
        expect(await loginAs(iam.url, heal.outputs.apiKey.value as string)).to.equal(
            `${after.iamId} in ${ACCOUNT}`,
        );

        // WHEN destroyed THEN the account holds no service ID, key or policy, and the stack nothing
        await stack.destroy();
        const empty = await world(iam);
        expect([empty.serviceIds, empty.apiKeys, empty.policies]).to.deep.equal([[], [], []]);
        expect(await stack.resources()).to.deep.equal([]);
    });
});

describe("examples/iam-service-id under IAM faults", function () {
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }] });
        sandbox = new PulumiSandbox(HERMETIC_ENV);
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
    });

    it("deploys through rate limiting, server errors and latency, without making twins", async function () {
        // GIVEN IAM that rate-limits the token endpoint three times, fails policy creation
        // twice with 500, and answers every request 300 ms late
        const stack = await sandbox.stack(EXAMPLE, "faults", stackConfig(iam, { name: "faulty-pull" }));
        iam.resetLog();
        iam.injectFault({
            kind: "status",
            status: 429,
            times: 3,
            retryAfterSeconds: 1,
            pathPrefix: "/identity/token",
        });
        iam.injectFault({
            kind: "status",
            status: 500,
            times: 2,
            method: "POST",
            pathPrefix: "/v1/policies",
        });
        iam.injectFault({ kind: "latency", ms: 300 });

        // WHEN a fresh stack is deployed
        const up = await stack.up();

        // THEN it succeeds, after IAM really refused those requests
        const log = iam.requests();
        const refused = log.filter((r) => r.status >= 400).map((r) => `${r.status} ${r.operation}`);
        expect(refused).to.deep.equal([
            "429 getToken",
            "429 getToken",
            "429 getToken",
            "500 createPolicy",
            "500 createPolicy",
        ]);
        expect(
            log.filter((r) => r.status < 300 && r.method === "POST").map((r) => r.operation),
        ).to.include.members(["getToken", "createServiceId", "createPolicy", "createApiKey"]);
        // and IAM holds exactly one of each, and the key works
        const ids = idsOf(up.outputs);
        const w = await world(iam);
        expect(w.serviceIds.map((s) => s.id)).to.deep.equal([ids.serviceIdId]);
        expect(w.policies.map((p) => p.id)).to.deep.equal([ids.policyId]);
        expect(w.apiKeys.map((k) => k.id)).to.deep.equal([ids.apiKeyId]);
        iam.clearFaults();
        expect(await loginAs(iam.url, up.outputs.apiKey.value as string)).to.equal(
            `${ids.iamId} in ${ACCOUNT}`,
        );
    });
});

describe("examples/iam-service-id with bad input", function () {
    let iam: IamEmulator;
    let sandbox: PulumiSandbox;

    before(async function () {
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN_KEY }] });
        sandbox = new PulumiSandbox(HERMETIC_ENV);
    });
    after(async function () {
        sandbox?.dispose();
        await iam?.close();
    });

    /** Previews a fresh stack that must be refused; returns what the engine said. */
    async function refusedPreview(stackName: string, config: ConfigMap): Promise<string> {
        const stack: ProgramStack = await sandbox.stack(EXAMPLE, stackName, config);
        iam.resetLog();
        let error: (Error & { result?: RunResult }) | undefined;
        try {
            await stack.preview();
        } catch (e) {
            error = e as Error & { result?: RunResult };
        }
        expect(error, "preview must fail").not.to.equal(undefined);
        // and nothing was created
        expect(iam.counters().writes).to.equal(0);
        const w = await world(iam);
        expect([w.serviceIds, w.apiKeys, w.policies]).to.deep.equal([[], [], []]);
        return `${error!.message}\n${error!.result?.stdout ?? ""}`;
    }

    it("refuses an unknown role at preview, naming roles[0] and the roles there are", async function () {
        // GIVEN a misspelt role WHEN previewed
        const said = await refusedPreview("bad-role", stackConfig(iam, { role: "Raeder" }));
        // THEN
        expect(said).to.contain("roles[0]").and.to.contain('unknown role "Raeder"');
        expect(said).to.contain("Reader, Writer, Manager").and.to.contain('Did you mean "Reader"?');
    });

    it("refuses an unknown region at preview, naming region and the regions there are", async function () {
        const said = await refusedPreview("bad-region", stackConfig(iam, { region: "us-soth" }));
        expect(said).to.contain("region").and.to.contain('unknown region "us-soth"');
        expect(said).to.contain("au-syd, br-sao").and.to.contain("us-south").and.to.contain('"global"');
        expect(said).to.contain('Did you mean "us-south"?');
    });

    it("refuses an empty service ID name at preview", async function () {
        const said = await refusedPreview("empty-name", stackConfig(iam, { name: "" }));
        expect(said).to.contain("name").and.to.contain("must be a non-empty name");
    });

    it("refuses a malformed account id at preview, saying what an account id looks like", async function () {
        const said = await refusedPreview(
            "bad-account",
            stackConfig(iam, { accountId: ACCOUNT.toUpperCase() }),
        );
        expect(said).to.contain("accountId").and.to.contain("is not an IBM Cloud account id");
        expect(said).to.contain("32 lower-case hexadecimal characters");
        expect(said).to.contain(`Did you mean "${ACCOUNT}"?`);
    });

    it("refuses to run without an API key at preview, naming the three ways to give one", async function () {
        // GIVEN no ibmcloud:apiKey and no IBMCLOUD_API_KEY (the sandbox blanks the test process's)
        const said = await refusedPreview("no-key", stackConfig(iam, {}, false));
        // THEN
        expect(said).to.contain("No IBM Cloud API key");
        expect(said)
            .to.contain("credentials.apiKey")
            .and.to.contain("ibmcloud:apiKey")
            .and.to.contain("IBMCLOUD_API_KEY");
        expect(iam.counters().total, "IAM was not even asked").to.equal(0);
    });

    it("refuses to adopt a service ID that does not exist at preview", async function () {
        const missing = "ServiceId-00000000-0000-4000-8000-000000000000";
        const said = await refusedPreview("bad-adopt", stackConfig(iam, { adoptServiceId: missing }));
        expect(said).to.contain("adoptId").and.to.contain(`no service ID "${missing}" exists`);
        expect(iam.counters().getServiceId, "the id was looked up").to.be.greaterThan(0);
    });
});
