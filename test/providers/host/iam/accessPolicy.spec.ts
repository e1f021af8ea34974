// The AccessPolicy dynamic provider's methods, called directly against the IAM emulator.
import { expect } from "chai";
import * as http from "http";
import { AddressInfo } from "net";
import { IamEmulator } from "../../../../emulator";
import { ServiceIdResource } from "../../../../components/clients/iam";
import { PolicyBody } from "../../../../components/shared/iam/policyModel";
import {
    AccessPolicyInputs,
    AccessPolicyProvider,
    AccessPolicyState,
} from "../../../../components/host/iam/accessPolicyProvider";
import {
    ACCOUNT_A,
    FAST,
    KEY_A,
    clientFor,
    hostConfig,
    isolateCredentials,
    rejection,
    stackConfigFor,
    startEmulator,
} from "../../iamFixtures";

const READER = "crn:v1:bluemix:public:iam::::serviceRole:Reader";
const WRITER = "crn:v1:bluemix:public:iam::::serviceRole:Writer";

describe("AccessPolicy provider", function () {
    isolateCredentials();
    let iam: IamEmulator;
    let provider: AccessPolicyProvider;
    let subject: ServiceIdResource;

    before(async function () {
        iam = await startEmulator();
    });
    after(async function () {
        await iam?.close();
    });
    beforeEach(async function () {
        iam.clearFaults();
        provider = new AccessPolicyProvider(FAST);
        await provider.configure(stackConfigFor(iam));
        subject = await clientFor(iam).createServiceId({ name: "policy-subject" });
        iam.resetLog();
    });

    const inputs = (extra: Partial<AccessPolicyInputs> = {}): AccessPolicyInputs => ({
        iamId: subject.iam_id,
        roles: ["Reader"],
        ...extra,
    });
    async function created(extra: Partial<AccessPolicyInputs> = {}) {
        const { id, outs } = await provider.create(inputs(extra));
        return { id, outs: outs as AccessPolicyState };
    }

    describe("check", function () {
        it("rejects an unknown role and an unknown region, listing the allowed values", async function () {
            const { failures } = await provider.check(
                {},
                inputs({ roles: ["reader", "Owner"] as never, region: "us-soth" }),
            );
            expect(failures).to.deep.equal([
                {
                    property: "roles[0]",
                    reason: 'unknown role "reader"; Container Registry service roles are Reader, Writer, Manager. Did you mean "Reader"?',
                },
                {
                    property: "roles[1]",
                    reason: 'unknown role "Owner"; Container Registry service roles are Reader, Writer, Manager.',
                },
                {
                    property: "region",
                    reason: 'unknown region "us-soth". Valid regions: au-syd, br-sao, ca-mon, ca-tor, eu-de, eu-es, eu-gb, in-che, in-mum, jp-osa, jp-tok, us-south, or "global" for icr.io. Omit it for every region. Did you mean "us-south"?',
                },
            ]);
        });

        it("rejects an empty role list, a bad registry namespace and a malformed account id", async function () {
            const { failures } = await provider.check(
                {},
                inputs({ roles: [], registryNamespace: "Team A", accountId: "123" }),
            );
            expect(failures?.map((f) => f.property)).to.deep.equal([
                "roles",
                "registryNamespace",
                "accountId",
            ]);
            expect(failures?.[0].reason).to.equal("give at least one role: Reader, Writer, Manager");
        });
    });

    describe("create", function () {
        it("grants the role on one region and one registry namespace", async function () {
            const { id, outs } = await created({
                roles: ["Writer", "Reader"],
                region: "eu-de",
                registryNamespace: "team-a",
                description: "push",
            });
            const live = await clientFor(iam).getPolicy(id);
            expect(live?.policy.roles?.map((r) => r.role_id)).to.have.members([READER, WRITER]);
            const attrs = Object.fromEntries(
                (live?.policy.resources?.[0].attributes ?? []).map((a) => [a.name, a.value]),
            );
            expect(attrs).to.deep.equal({
                accountId: ACCOUNT_A,
                serviceName: "container-registry",
                region: "eu-de",
                resourceType: "namespace",
                resource: "team-a",
            });
            expect(outs).to.deep.include({
                iamId: subject.iam_id,
                roles: ["Reader", "Writer"],
                region: "eu-de",
                registryNamespace: "team-a",
                accountId: ACCOUNT_A,
                description: "push",
                etag: live?.etag,
            });
        });

        it("scopes the global registry with geography=global", async function () {
            const { id, outs } = await created({ region: "global" });
            const attrs = (await clientFor(iam).getPolicy(id))?.policy.resources?.[0].attributes ?? [];
            expect(attrs.map((a) => a.name)).to.deep.equal(["accountId", "serviceName", "geography"]);
            expect(outs.region).to.equal("global");
        });

        it("explains a conflict with an existing policy: its id and how to adopt it", async function () {
            const first = await created({ region: "us-south" });
            const err = await rejection(provider.create(inputs({ roles: ["Writer"], region: "us-south" })));
            expect(err.message).to.match(
                new RegExp(
                    `^AccessPolicy: IAM already has policy "${first.id}" for subject ${subject.iam_id} on Container Registry \\(region us-south, every namespace\\), ` +
                        "another stack's \\(owner mark [0-9a-f]{24}\\); IAM keeps one policy per subject and scope, and this stack takes over nothing " +
                        "that is not its own unless told to\\. To manage that policy with this stack .*set `adoptExisting: true` .*Nothing was created\\. " +
                        `\\(IAM POST /v1/policies failed: 409 policy_conflict_error: `,
                ),
            );
        });

        it("adopts the existing policy with adoptExisting, setting its roles", async function () {
            const first = await created({ region: "jp-tok" });
            const { id, outs } = await created({ roles: ["Writer"], region: "jp-tok", adoptExisting: true });
            expect(id).to.equal(first.id);
            expect(outs.roles).to.deep.equal(["Writer"]);
            expect((await clientFor(iam).getPolicy(id))?.policy.roles?.map((r) => r.role_id)).to.deep.equal([
                WRITER,
            ]);
        });
    });

    describe("update, read, delete", function () {
        it("replaces the policy with If-Match, re-reading a stale ETag", async function () {
            const { id, outs } = await created({ region: "au-syd" });
            const c = clientFor(iam);
            const live = await c.getPolicy(id);
            await c.replacePolicy(
                id,
                { ...(live!.policy as PolicyBody), description: "elsewhere" },
                live!.etag!,
            );
            iam.resetLog();
            const { outs: after } = await provider.update(
                id,
                outs,
                inputs({ roles: ["Manager"], region: "au-syd" }),
            );
            expect(after?.roles).to.deep.equal(["Manager"]);
            expect(iam.requests().map((r) => [r.operation, r.status])).to.deep.equal([
                ["replacePolicy", 412],
                ["getPolicy", 200],
                ["replacePolicy", 200],
            ]);
        });

        describe("when IAM sends a policy without an ETag header", function () {
            // IBM documents an ETag on GET /v1/policies/{id}, so the emulator always sends one; a
            // proxy in front of it stands in for a response without it (a gateway dropping it).
            let proxy: http.Server;
            let viaProxy: AccessPolicyProvider;
            before(async function () {
                const upstream = new URL(iam.url);
                proxy = http.createServer((req, res) => {
                    const out = http.request(
                        {
                            host: upstream.hostname,
                            port: upstream.port,
                            path: req.url,
                            method: req.method,
                            headers: req.headers,
                        },
                        (answer) => {
                            const headers = { ...answer.headers };
                            if (req.method === "GET" && req.url?.startsWith("/v1/policies/"))
                                delete headers.etag;
                            res.writeHead(answer.statusCode ?? 502, headers);
                            answer.pipe(res);
                        },
                    );
                    req.pipe(out);
                });
                await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
            });
            after(async function () {
                proxy.closeAllConnections();
                await new Promise<void>((r) => proxy.close(() => r()));
            });
            beforeEach(async function () {
                viaProxy = new AccessPolicyProvider(FAST);
                const port = (proxy.address() as AddressInfo).port;
                await viaProxy.configure(
                    hostConfig({
                        "ibmcloud:apiKey": KEY_A,
                        "ibmcloud:iamEndpoint": `http://127.0.0.1:${port}`,
                    }),
                );
            });
            const refusal = (id: string) =>
                `AccessPolicy: IAM returned policy "${id}" without an ETag header, so it cannot be replaced safely: ` +
                "IBM's Policy Management API requires `If-Match: <ETag>` on PUT, and sending `If-Match: *` instead " +
                "would overwrite a change someone else made since. Run `pulumi up` again; if it persists, check " +
                "that nothing between this program and IAM (a proxy) drops the ETag header.";

            it("fails clearly instead of replacing with If-Match: * when the state has no ETag", async function () {
                const { id, outs } = await created({ region: "jp-osa" });
                iam.resetLog();
                const err = await rejection(
                    viaProxy.update(
                        id,
                        { ...outs, etag: undefined },
                        inputs({ roles: ["Writer"], region: "jp-osa" }),
                    ),
                );
                expect(err.message).to.equal(refusal(id));
                expect(iam.requests().map((r) => r.operation)).to.deep.equal(["getToken", "getPolicy"]);
                const live = await clientFor(iam).getPolicy(id);
                expect(live?.policy.roles?.map((r) => r.role_id)).to.deep.equal([READER]);
            });

            it("fails clearly after a stale ETag when the re-read carries none", async function () {
                const { id, outs } = await created({ region: "ca-mon" });
                const c = clientFor(iam);
                const live = await c.getPolicy(id);
                await c.replacePolicy(
                    id,
                    { ...(live!.policy as PolicyBody), description: "moved" },
                    live!.etag!,
                );
                iam.resetLog();
                const err = await rejection(
                    viaProxy.update(id, outs, inputs({ roles: ["Manager"], region: "ca-mon" })),
                );
                expect(err.message).to.equal(refusal(id));
                expect(iam.requests().map((r) => [r.operation, r.status])).to.deep.equal([
                    ["getToken", 200],
                    ["replacePolicy", 412],
                    ["getPolicy", 200],
                ]);
                expect((await c.getPolicy(id))?.policy.description).to.equal("moved");
            });
        });

        it("stores new credentials without writing to IAM", async function () {
            const { id, outs } = await created({ region: "eu-es" });
            iam.resetLog();
            const credentials = { apiKey: "rotated-admin-key-0000000000000000" };
            const { outs: after } = await provider.update(id, outs, inputs({ region: "eu-es", credentials }));
            expect(after).to.deep.equal({ ...outs, credentials });
            expect(iam.counters().total).to.equal(0);
        });

        it("moves the policy to a new region and subject in place", async function () {
            const { id, outs } = await created({ region: "ca-tor" });
            const other = await clientFor(iam).createServiceId({ name: "new-subject" });
            const diff = await provider.diff(id, outs, inputs({ iamId: other.iam_id, region: "ca-mon" }));
            expect(diff).to.deep.equal({ changes: true, replaces: [] });
            const { outs: after } = await provider.update(
                id,
                outs,
                inputs({ iamId: other.iam_id, region: "ca-mon" }),
            );
            expect([after?.iamId, after?.region]).to.deep.equal([other.iam_id, "ca-mon"]);
        });

        it("reads out-of-band role changes as drift, and a deleted policy as gone", async function () {
            const { id, outs } = await created({ region: "br-sao" });
            const c = clientFor(iam);
            const live = await c.getPolicy(id);
            await c.replacePolicy(
                id,
                { ...(live!.policy as PolicyBody), roles: [{ role_id: WRITER }] },
                live!.etag!,
            );
            const read = await provider.read(id, outs);
            expect(read.props?.roles).to.deep.equal(["Writer"]);
            expect((await provider.diff(id, read.props!, inputs({ region: "br-sao" }))).changes).to.equal(
                true,
            );
            await c.deletePolicy(id);
            expect(await provider.read(id, read.props)).to.deep.equal({ id: "" });
        });

        it("reads a policy deleted with its service ID as gone, and deletes a missing policy quietly", async function () {
            const { id, outs } = await created({ region: "in-che" });
            await clientFor(iam).deleteServiceId(subject.id);
            expect(await provider.read(id, outs)).to.deep.equal({ id: "" });
            await provider.delete(id, outs);
        });

        it("deletes the policy", async function () {
            const { id, outs } = await created({ region: "eu-gb" });
            await provider.delete(id, outs);
            expect(await clientFor(iam).getPolicy(id)).to.equal(undefined);
        });
    });
});
