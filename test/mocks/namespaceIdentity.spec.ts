// NamespaceIdentity under Pulumi mocks: exactly the runbook's children, named as the runbook
// names them, with secrets kept secret. (Mocks prove construction only: the providers'
// `create` never runs here; test/providers covers them.)
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { NamespaceIdentity, NamespaceIdentityArgs } from "../../components/iam/namespaceIdentity";
import { holdsSecret, registeredUrns, reveal, seen, unwrap } from "./hooks";

const SERVICE_ID = "pulumi-nodejs:dynamic/iam:ServiceId";
const POLICY = "pulumi-nodejs:dynamic/iam:AccessPolicy";
const API_KEY = "pulumi-nodejs:dynamic/iam:ApiKey";
const COMPONENT = "icr:iam:NamespaceIdentity";
const CROSS_ACCOUNT_KEY = "cross-account-key-for-mocks-8f7e6d5c";

async function build(name: string, args: NamespaceIdentityArgs) {
    const c = new NamespaceIdentity(name, args);
    // Barrier: apiKey depends on the key and every policy; serviceIdId on the service ID.
    await unwrap(c.apiKey);
    await unwrap(c.serviceIdId);
    return c;
}
const of = (type: string) => seen.filter((r) => r.type === type);

describe("NamespaceIdentity", function () {
    it("creates the runbook's service ID, Reader policy and API key, named <cluster>-<namespace>-id/-key", async function () {
        const c = await build("prod-team-a", { cluster: "prod", namespace: "team-a" });

        // Registration order depends on when each provider's serialization finishes: compare sorted.
        expect(seen.map((r) => `${r.type} ${r.name}`).sort()).to.deep.equal([
            `${COMPONENT} prod-team-a`,
            `${POLICY} prod-team-a-policy`,
            `${API_KEY} prod-team-a-key`,
            `${SERVICE_ID} prod-team-a-id`,
        ]);
        const [sid] = of(SERVICE_ID);
        expect([sid.inputs.name, sid.inputs.description]).to.deep.equal([
            "prod-team-a-id",
            "Service ID for IBM Cloud Container Registry in Kubernetes cluster prod namespace team-a",
        ]);
        const [policy] = of(POLICY);
        expect(policy.inputs).to.deep.include({
            iamId: "iam-prod-team-a-id-id", // "iam-" + the service ID's id
            roles: ["Reader"],
            description:
                "Reader access to IBM Cloud Container Registry for Kubernetes cluster prod namespace team-a",
        });
        expect(policy.inputs).not.to.have.property("region");
        const [key] = of(API_KEY);
        expect([key.inputs.name, key.inputs.iamId, key.inputs.description]).to.deep.equal([
            "prod-team-a-key",
            "iam-prod-team-a-id-id",
            "API key for service ID prod-team-a-id in Kubernetes cluster prod namespace team-a",
        ]);
        expect(await unwrap(c.policyIds)).to.deep.equal(["prod-team-a-policy-id"]);
        expect(await unwrap(c.apiKeyId)).to.equal("prod-team-a-key-id");
    });

    it("keeps the children under the component and the component's state empty", async function () {
        await build("stage-web", { cluster: "stage", namespace: "web" });
        const urns = registeredUrns();
        for (const [type, name] of [
            [SERVICE_ID, "stage-web-id"],
            [POLICY, "stage-web-policy"],
            [API_KEY, "stage-web-key"],
        ]) {
            expect(
                urns.some((u) => u.endsWith(`::${COMPONENT}$${type}::${name}`)),
                `${name} is a child`,
            ).to.equal(true);
        }
        expect(of(COMPONENT)[0].inputs).to.deep.equal({});
    });

    it("fans out one policy per region, named after it, with the role and registry namespace asked for", async function () {
        const c = await build("prod-ci", {
            cluster: "prod",
            namespace: "ci",
            role: "Writer",
            regions: ["us-south", "global"],
            registryNamespace: "builds",
        });
        const policies = of(POLICY);
        expect(
            policies.map((p) => [p.name, p.inputs.region, p.inputs.roles, p.inputs.registryNamespace]),
        ).to.deep.equal([
            ["prod-ci-policy-us-south", "us-south", ["Writer"], "builds"],
            ["prod-ci-policy-global", "global", ["Writer"], "builds"],
        ]);
        expect(policies[1].inputs.description).to.equal(
            "Writer access to IBM Cloud Container Registry (global) for Kubernetes cluster prod namespace ci",
        );
        expect(await unwrap(c.policyIds)).to.deep.equal([
            "prod-ci-policy-us-south-id",
            "prod-ci-policy-global-id",
        ]);
    });

    it("passes rotation, storeValue, the key's lock and adoption to the right children", async function () {
        await build("p-a", {
            cluster: "p",
            namespace: "a",
            rotation: "2026-11",
            storeValue: true,
            locked: true,
            adoptServiceId: "ServiceId-123",
            adoptExistingPolicies: true,
        });
        expect(of(SERVICE_ID)[0].inputs).to.deep.include({ adoptId: "ServiceId-123" });
        expect(of(SERVICE_ID)[0].inputs, "IAM refuses policies on a locked service ID").not.to.have.property(
            "locked",
        );
        expect(of(API_KEY)[0].inputs).to.deep.include({
            rotation: "2026-11",
            storeValue: true,
            locked: true,
        });
        expect(of(POLICY)[0].inputs).to.deep.include({ adoptExisting: true });
    });

    it("keeps per-resource credentials secret on every child and out of the serialized providers", async function () {
        await build("x-acct", {
            cluster: "x",
            namespace: "acct",
            credentials: { apiKey: CROSS_ACCOUNT_KEY, accountId: "0123456789abcdef0123456789abcdef" },
        });
        for (const r of [...of(SERVICE_ID), ...of(POLICY), ...of(API_KEY)]) {
            expect(holdsSecret(r.inputs.credentials), `${r.name} credentials`).to.equal(true);
            expect(reveal<{ apiKey: string }>(r.inputs.credentials).apiKey).to.equal(CROSS_ACCOUNT_KEY);
            expect(JSON.stringify(r.inputs.__provider)).not.to.contain(CROSS_ACCOUNT_KEY);
        }
        expect(JSON.stringify(of(COMPONENT)[0].inputs)).not.to.contain(CROSS_ACCOUNT_KEY);
    });

    it("exposes the API key as a secret output", async function () {
        const c = await build("s-k", { cluster: "s", namespace: "k" });
        expect(await pulumi.isSecret(c.apiKey)).to.equal(true);
    });

    it("rejects plain credentials with swapped key and account id, never showing the key", function () {
        let err: unknown;
        try {
            new NamespaceIdentity("swapped", {
                cluster: "prod",
                namespace: "web",
                credentials: {
                    apiKey: "0123456789abcdef0123456789abcdef",
                    accountId: CROSS_ACCOUNT_KEY,
                    iamEndpoint: "http://iam.example.com",
                },
            });
        } catch (e) {
            err = e;
        }
        expect(pulumi.ResourceError.isInstance(err)).to.equal(true);
        const message = (err as Error).message;
        expect(message).to.equal(
            "NamespaceIdentity swapped: 2 problems:\n" +
                " - credentials.apiKey: holds an IBM Cloud account id (32 hexadecimal characters), and `accountId` holds " +
                'a 36-character string of letters, digits and "-": the two look swapped. Put the API key in `apiKey` and ' +
                "the account id in `accountId` (or omit `accountId` to use the key's account).\n" +
                " - credentials.iamEndpoint: uses plain http: to a host that is not loopback, so the API key and the tokens " +
                "IAM returns would cross the network unencrypted; use https://iam.cloud.ibm.com (IBM's IAM), or another " +
                "https:// URL. (Plain http: is accepted only for localhost, 127.0.0.0/8 and ::1, e.g. a local IAM emulator.)",
        );
        expect(message).not.to.contain(CROSS_ACCOUNT_KEY);
        expect(seen.map((r) => r.type)).not.to.include.members([SERVICE_ID, POLICY, API_KEY]);
    });

    it("leaves credentials that are Outputs to the providers' checks", async function () {
        await build("later", {
            cluster: "prod",
            namespace: "later",
            credentials: { apiKey: pulumi.secret(CROSS_ACCOUNT_KEY), accountId: pulumi.output("x") },
        });
        expect(of(SERVICE_ID)).to.have.length(1);
    });

    it("rejects an empty region list, naming the field and the fix, as NamespacePullSecrets does", function () {
        expect(
            () => new NamespaceIdentity("none", { cluster: "prod", namespace: "none", regions: [] }),
        ).to.throw(
            'NamespaceIdentity none: regions: the list is empty, which would cover only the global icr.io, not "no region" ' +
                'and not "every region". Omit "regions" for every region, list the regions (e.g. ["us-south"]), or set ' +
                "includeGlobal: true to mean icr.io only.",
        );
    });

    it("grants the global icr.io besides the regions asked for, unless includeGlobal is false", async function () {
        // The README's second half: the pull secrets of regions: ["eu-de"] include icr.io by default.
        const web = await build("c-web", { cluster: "c", namespace: "web", regions: ["eu-de"] });
        expect(of(POLICY).map((p) => [p.name, p.inputs.region])).to.deep.equal([
            ["c-web-policy-eu-de", "eu-de"],
            ["c-web-policy-global", "global"],
        ]);
        expect(web.grantedLocations).to.deep.equal(["eu-de", "global"]);
        expect(await unwrap(web.policyIds)).to.deep.equal([
            "c-web-policy-eu-de-id",
            "c-web-policy-global-id",
        ]);
        seen.length = 0;

        // Region names as NamespacePullSecrets reads them: domain prefixes and former names too,
        // each policy named and scoped by the IAM name.
        const ci = await build("c-ci", {
            cluster: "c",
            namespace: "ci",
            regions: ["us", "ap-south"],
            includeGlobal: false,
        });
        expect(of(POLICY).map((p) => [p.name, p.inputs.region])).to.deep.equal([
            ["c-ci-policy-us-south", "us-south"],
            ["c-ci-policy-au-syd", "au-syd"],
        ]);
        expect(ci.grantedLocations).to.deep.equal(["us-south", "au-syd"]);
        seen.length = 0;

        // [] with includeGlobal: true is icr.io only; no regions at all is one unscoped policy.
        const hub = await build("c-hub", {
            cluster: "c",
            namespace: "hub",
            regions: [],
            includeGlobal: true,
        });
        expect(of(POLICY).map((p) => [p.name, p.inputs.region])).to.deep.equal([
            ["c-hub-policy-global", "global"],
        ]);
        expect(hub.grantedLocations).to.deep.equal(["global"]);
        seen.length = 0;
        const all = await build("c-all", { cluster: "c", namespace: "all", includeGlobal: false });
        expect(of(POLICY).map((p) => p.name)).to.deep.equal(["c-all-policy"]);
        expect(all.grantedLocations).to.include.members(["global", "us-south", "au-syd", "in-mum"]);
        expect(all.grantedLocations).to.have.length(13);
    });

    it("rejects bad arguments before creating anything, listing every problem", function () {
        let err: unknown;
        try {
            new NamespaceIdentity("bad", {
                cluster: "my cluster",
                namespace: "Team_A",
                role: "reader" as never,
                regions: ["us-south", "frankfurt", "us"],
                includeGlobal: "yes" as never,
            });
        } catch (e) {
            err = e;
        }
        expect(pulumi.ResourceError.isInstance(err)).to.equal(true);
        expect((err as Error).message).to.equal(
            "NamespaceIdentity bad: 6 problems:\n" +
                ' - cluster: a cluster name without white space is required; got "my cluster".\n' +
                ' - namespace: "Team_A" is not a valid Kubernetes namespace name (a DNS-1123 label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit). Did you mean "team-a"?\n' +
                ' - role: unknown role "reader". Container Registry service roles are Reader, Writer, Manager. Did you mean "Reader"?\n' +
                ' - includeGlobal: must be true or false; got "yes".\n' +
                ' - regions[1]: unknown region "frankfurt". Valid regions: global, us-south (us), eu-gb (uk), eu-de (de), ' +
                "au-syd (au), jp-tok (jp), jp-osa (jp2), ca-tor (ca), ca-mon (ca2), br-sao (br), eu-es (es), in-che (in), " +
                'in-mum (in2). Omit "regions" for every region.\n' +
                ' - regions[2]: "us" names region us-south (us.icr.io), as regions[0] ("us-south") does; list each region once.',
        );
        expect(seen.map((r) => r.type)).not.to.include.members([SERVICE_ID, POLICY, API_KEY]);
    });
});
