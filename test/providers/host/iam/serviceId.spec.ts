// The ServiceId dynamic provider's methods, called directly against the IAM emulator.
import { expect } from "chai";
import { IamEmulator } from "../../../../emulator";
import { UNKNOWN } from "../../../../components/shared/unknown";
import { ServiceIdProvider, ServiceIdState } from "../../../../components/host/iam/serviceIdProvider";
import { resetIamClientState } from "../../../../components/clients/iam/processState";
import {
    ACCOUNT_A,
    ACCOUNT_B,
    FAST,
    KEY_A,
    KEY_B,
    clientFor,
    hostConfig,
    isolateCredentials,
    rejection,
    stackConfigFor,
    startEmulator,
} from "../../iamFixtures";

describe("ServiceId provider", function () {
    isolateCredentials();
    let iam: IamEmulator;
    let provider: ServiceIdProvider;

    before(async function () {
        iam = await startEmulator();
    });
    after(async function () {
        await iam?.close();
    });
    beforeEach(async function () {
        iam.clearFaults();
        iam.resetLog();
        provider = new ServiceIdProvider(FAST);
        await provider.configure(stackConfigFor(iam));
    });

    async function created(name: string, extra: Record<string, unknown> = {}) {
        const inputs = { name, description: `${name} description`, ...extra };
        const { id, outs } = await provider.create(inputs);
        return { id, outs: outs as ServiceIdState, inputs };
    }

    describe("credentials", function () {
        it("reads ibmcloud:apiKey and ibmcloud:iamEndpoint from the config configure receives", async function () {
            const { outs } = await created("from-config");
            expect(outs.accountId).to.equal(ACCOUNT_A);
        });

        it("prefers stack config over the environment", async function () {
            process.env.IBMCLOUD_API_KEY = KEY_B;
            try {
                expect((await created("config-wins")).outs.accountId).to.equal(ACCOUNT_A);
            } finally {
                delete process.env.IBMCLOUD_API_KEY;
            }
        });

        it("falls back to IBMCLOUD_API_KEY and IBMCLOUD_IAM_ENDPOINT, read at run time", async function () {
            const p = new ServiceIdProvider(FAST);
            await p.configure(hostConfig({}));
            process.env.IBMCLOUD_API_KEY = KEY_B;
            process.env.IBMCLOUD_IAM_ENDPOINT = iam.url;
            try {
                const { outs } = await p.create({ name: "from-env" });
                expect(outs?.accountId).to.equal(ACCOUNT_B);
            } finally {
                delete process.env.IBMCLOUD_API_KEY;
                delete process.env.IBMCLOUD_IAM_ENDPOINT;
            }
        });

        it("refuses a plain-http config endpoint off loopback, at preview and at create", async function () {
            // GIVEN the emulator's port, but on a name that is not loopback: it would answer if asked
            const remote = iam.url.replace("127.0.0.1", "iam-test.invalid");
            await provider.configure(
                hostConfig({ "ibmcloud:apiKey": KEY_A, "ibmcloud:iamEndpoint": remote }),
            );
            const { failures } = await provider.check({}, { name: "over-http" });
            expect(failures).to.deep.equal([
                {
                    property: "credentials",
                    reason:
                        "The IAM endpoint from Pulumi config `ibmcloud:iamEndpoint` uses plain http: to a host that is not " +
                        "loopback, so the API key and the tokens IAM returns would cross the network unencrypted; use " +
                        "https://iam.cloud.ibm.com (IBM's IAM), or another https:// URL. (Plain http: is accepted only for " +
                        "localhost, 127.0.0.0/8 and ::1, e.g. a local IAM emulator.)",
                },
            ]);
            const err = await rejection(provider.create({ name: "over-http" }));
            expect(err.name).to.equal("InvalidIamEndpointError");
            expect(iam.counters().total).to.equal(0);
        });

        it("uses a resource's own credentials first, for another account, ignoring the stack's account id", async function () {
            await provider.configure(
                hostConfig({
                    "ibmcloud:apiKey": KEY_A,
                    "ibmcloud:iamEndpoint": iam.url,
                    "ibmcloud:accountId": ACCOUNT_A,
                }),
            );
            const credentials = { apiKey: KEY_B };
            const { id, outs } = await created("cross-account", { credentials });
            expect(outs.accountId).to.equal(ACCOUNT_B);
            expect(outs.credentials, "kept for read and delete, under the same (secret) key").to.deep.equal(
                credentials,
            );
            expect((await clientFor(iam, KEY_B).getServiceId(id))?.account_id).to.equal(ACCOUNT_B);
            await provider.delete(id, outs);
            expect(await clientFor(iam, KEY_B).getServiceId(id)).to.equal(undefined);
        });
    });

    describe("check", function () {
        it("accepts valid inputs, and preview placeholders without calling IAM", async function () {
            const checked = await provider.check({}, { name: "ok", accountId: ACCOUNT_A, locked: true });
            expect(checked.failures).to.deep.equal([]);
            // A new resource gets an incarnation for its owner mark
            // (components/shared/ownership/ownerMark.ts).
            expect(checked.inputs).to.deep.equal({
                name: "ok",
                accountId: ACCOUNT_A,
                locked: true,
                incarnation: checked.inputs?.incarnation,
            });
            expect(checked.inputs?.incarnation).to.match(/^[0-9a-f]{8}$/);
            // A new service ID: the credentials are exchanged, and the name is looked up, once each.
            const afterCheck = iam.counters().total;
            expect(afterCheck).to.equal(2);
            const preview = {
                name: UNKNOWN,
                description: UNKNOWN,
                accountId: UNKNOWN,
                adoptId: UNKNOWN,
                credentials: { apiKey: UNKNOWN },
            };
            expect((await provider.check({}, preview as never)).failures).to.deep.equal([]);
            expect(iam.counters().total).to.equal(afterCheck);
        });

        it("rejects an empty name and a malformed account id, naming the fields", async function () {
            const { failures } = await provider.check({}, { name: " ", accountId: "ACCT-123" });
            expect(failures).to.deep.equal([
                { property: "name", reason: 'must be a non-empty name; got " "' },
                {
                    property: "accountId",
                    reason: '"ACCT-123" is not an IBM Cloud account id (32 lower-case hexadecimal characters, as `ibmcloud account show` prints). Omit it to use the account of the API key.',
                },
            ]);
        });

        it("rejects a missing API key, naming the three ways to give one", async function () {
            const p = new ServiceIdProvider(FAST);
            await p.configure(hostConfig({ "icr-test:other": "x" }));
            const { failures } = await p.check({}, { name: "no-key" });
            expect(failures).to.deep.equal([
                {
                    property: "credentials",
                    reason: "No IBM Cloud API key for IAM (ServiceId). Give one in any of three ways: the resource's `credentials.apiKey` input (per resource, e.g. for another account); Pulumi config `pulumi config set --secret ibmcloud:apiKey <key>`; or the IBMCLOUD_API_KEY environment variable of the `pulumi` process.",
                },
            ]);
        });

        it("rejects adopting a service ID that does not exist, at check time", async function () {
            const { failures } = await provider.check(
                {},
                { name: "adopter", adoptId: "ServiceId-00000000-0000-4000-8000-00000000dead" },
            );
            expect(failures).to.deep.equal([
                {
                    property: "adoptId",
                    reason: 'no service ID "ServiceId-00000000-0000-4000-8000-00000000dead" exists in the account of the API key. List them with `ibmcloud iam service-ids --uuid`, or remove `adoptId` to create a new one.',
                },
            ]);
            const err = await rejection(
                provider.create({
                    name: "adopter",
                    adoptId: "ServiceId-00000000-0000-4000-8000-00000000dead",
                }),
            );
            expect(err.message).to.match(
                /^ServiceId: adoptId: no service ID "ServiceId-00000000-0000-4000-8000-00000000dead" exists in account /,
            );
        });
    });

    describe("create and read", function () {
        it("creates a service ID and reports its outputs", async function () {
            const { id, outs } = await created("made", { locked: false });
            const live = await clientFor(iam).getServiceId(id);
            expect(outs).to.deep.equal({
                name: "made",
                description: "made description",
                accountId: ACCOUNT_A,
                locked: false,
                iamId: live!.iam_id,
                crn: live!.crn,
                entityTag: live!.entity_tag,
                createdAt: live!.created_at,
                modifiedAt: live!.modified_at,
                lockManaged: true,
                ownerMark: outs.ownerMark,
            });
            // The live description carries the mark at its end; state keeps the two apart.
            expect(live!.description).to.equal(
                `made description [pulumi-icr-access owner=${outs.ownerMark!.replace(/\.([0-9a-f]{8})\.([0-9a-f]{8})$/, " incarnation=$1 call=$2")}]`,
            );
            expect(id).to.match(/^ServiceId-/);
            expect(outs.iamId).to.equal(`iam-${id}`);
        });

        it("reads back drift, and reports a service ID deleted outside Pulumi as gone", async function () {
            const { id, outs } = await created("drifting");
            const c = clientFor(iam);
            await c.updateServiceId(id, { name: "renamed" }, "*");
            const read = await provider.read(id, outs);
            expect(read.id).to.equal(id);
            expect(read.props?.name).to.equal("renamed");
            expect(read.inputs).to.deep.include({ name: "renamed", description: "drifting description" });
            expect(
                (
                    await provider.diff(id, read.props!, {
                        name: "drifting",
                        description: "drifting description",
                    })
                ).changes,
            ).to.equal(true);

            await c.deleteServiceId(id);
            expect(await provider.read(id, read.props)).to.deep.equal({ id: "" });
        });

        it("waits out IAM's replication lag when a refresh follows a create, instead of dropping it", async function () {
            // GIVEN IAM that answers 404 to the first two reads of a new service ID
            iam.injectFault({ kind: "eventualConsistency", reads: 2, pathPrefix: "/v1/serviceids" });
            const p = new ServiceIdProvider({ ...FAST, notFoundGraceMs: 90_000 });
            await p.configure(stackConfigFor(iam));
            const { id, outs } = await p.create({ name: "just-made" });
            // WHEN a new process (refresh) reads it: only the state's createdAt says it is new
            resetIamClientState();
            const read = await p.read(id, outs as ServiceIdState);
            // THEN it is still there
            expect(read.id).to.equal(id);
            expect(
                iam
                    .requests()
                    .filter((r) => r.operation === "getServiceId")
                    .map((r) => r.status),
            ).to.deep.equal([404, 404, 200]);
        });

        it("adopts an existing service ID by id, setting its name and description", async function () {
            const existing = await clientFor(iam).createServiceId({
                name: "hand-made",
                description: "from the runbook",
            });
            const { id, outs } = await created("adopted", { adoptId: existing.id });
            expect(id).to.equal(existing.id);
            expect([outs.name, outs.description, outs.adoptId]).to.deep.equal([
                "adopted",
                "adopted description",
                existing.id,
            ]);
            expect(iam.counters().createServiceId ?? 0).to.equal(1); // only the hand-made one
        });
    });

    describe("update", function () {
        it("renames in place with If-Match, re-reading on a stale entity tag", async function () {
            const { id, outs } = await created("stale");
            await clientFor(iam).updateServiceId(id, { description: "changed elsewhere" }, "*"); // tag moves on
            iam.resetLog();
            const { outs: after } = await provider.update(id, outs, {
                name: "stale-renamed",
                description: "ours",
            });
            expect([after?.name, after?.description]).to.deep.equal(["stale-renamed", "ours"]);
            expect(iam.requests().map((r) => [r.operation, r.status])).to.deep.equal([
                ["updateServiceId", 409],
                ["getServiceId", 200],
                ["updateServiceId", 200],
            ]);
        });

        it("also recovers when IAM answers a stale tag with 412", async function () {
            const strict = await startEmulator({ staleEntityTagStatus: 412 });
            try {
                const p = new ServiceIdProvider(FAST);
                await p.configure(stackConfigFor(strict));
                const { id, outs } = await p.create({ name: "strict" });
                await clientFor(strict).updateServiceId(id, { description: "elsewhere" }, "*");
                strict.resetLog();
                const { outs: after } = await p.update(id, outs as ServiceIdState, {
                    name: "strict",
                    description: "ours",
                });
                expect(after?.description).to.equal("ours");
                expect(
                    strict
                        .requests()
                        .filter((r) => r.operation === "updateServiceId")
                        .map((r) => r.status),
                ).to.deep.equal([412, 200]);
            } finally {
                await strict.close();
            }
        });

        it("unlocks a locked service ID to change it, and locks it again", async function () {
            const { id, outs } = await created("locked", { locked: true });
            expect(outs.locked).to.equal(true);
            const { outs: after } = await provider.update(id, outs, {
                name: "locked",
                description: "new",
                locked: true,
            });
            expect([after?.description, after?.locked]).to.deep.equal(["new", true]);
            expect((await clientFor(iam).getServiceId(id))?.locked).to.equal(true);
        });

        it("refuses to follow credentials into another account", async function () {
            const { id, outs } = await created("home");
            const err = await rejection(
                provider.update(id, outs, { name: "home", credentials: { apiKey: KEY_B } }),
            );
            expect(err.message).to.equal(
                `ServiceId: the credentials now act in account ${ACCOUNT_B}, but service ID "${id}" lives in account ${ACCOUNT_A}. ` +
                    `Use credentials for account ${ACCOUNT_A}, or set \`accountId\` to ${ACCOUNT_B} to replace the service ID there.`,
            );
        });

        it("reports an update of a service ID deleted outside Pulumi", async function () {
            const { id, outs } = await created("vanishing");
            await clientFor(iam).deleteServiceId(id);
            const err = await rejection(provider.update(id, outs, { name: "vanished" }));
            expect(err.message).to.contain(`ServiceId: service ID "${id}" no longer exists in IAM`);
        });
    });

    describe("delete", function () {
        it("deletes, and treats a service ID that is already gone as deleted", async function () {
            const { id, outs } = await created("to-delete");
            await provider.delete(id, outs);
            expect(await clientFor(iam).getServiceId(id)).to.equal(undefined);
            await provider.delete(id, outs);
        });

        it("unlocks a service ID it locked before deleting it", async function () {
            const { id, outs } = await created("locked-delete", { locked: true });
            await provider.delete(id, outs);
            expect(
                iam
                    .requests()
                    .map((r) => r.operation)
                    .slice(-2),
            ).to.deep.equal(["unlockServiceId", "deleteServiceId"]);
            expect(await clientFor(iam).getServiceId(id)).to.equal(undefined);
        });

        it("refuses to unlock a lock it does not own, saying how to proceed", async function () {
            const { id, outs } = await created("someone-elses-lock");
            await clientFor(iam).lockServiceId(id);
            const err = await rejection(provider.delete(id, outs));
            expect(err.message).to.match(
                new RegExp(
                    `^ServiceId: service ID "${id}" is locked, and this stack does not manage its lock\\. Unlock it .+ or set \`locked: false\` on the resource\\. \\(IAM DELETE /v1/serviceids/${id} failed: 409 `,
                ),
            );
        });
    });
});
