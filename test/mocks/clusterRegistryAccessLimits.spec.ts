// ClusterRegistryAccess and the account's IAM limits, under Pulumi mocks with the IAM emulator on
// loopback: over a limit, the component declares no identity and no cluster provider (so an up
// creates nothing) and the run fails with the numbers; near one, it warns and declares all.
import { expect } from "chai";
import { IamClient } from "../../components/clients/iam";
import { ClusterRegistryAccess } from "../../components/clusterRegistryAccess";
import { IamEmulator, startIamEmulator } from "../../emulator";
import { accessScopeOf } from "../../components/iam/sharedAccessGroups";
import { accessGroupName } from "../../components/shared/iam/accessGroupScope";
import { KUBECONFIG, seen, unhandledRejections, unwrap, warnings } from "./hooks";

const ACCOUNT = "2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b";
const ADMIN = "admin-key-of-the-limits-construction-spec";

const ofType = (type: string) => seen.filter((r) => r.type === type);

describe("ClusterRegistryAccess and the account's IAM limits", function () {
    let iam: IamEmulator;
    const env = { key: process.env.IBMCLOUD_API_KEY, endpoint: process.env.IBMCLOUD_IAM_ENDPOINT };

    before(async function () {
        iam = await startIamEmulator({ port: 0, accounts: [{ accountId: ACCOUNT, apiKey: ADMIN }] });
        const admin = new IamClient({ apiKey: ADMIN, iamEndpoint: iam.url });
        for (const name of ["by-hand-1", "by-hand-2"]) await admin.createServiceId({ name });
        process.env.IBMCLOUD_API_KEY = ADMIN;
        process.env.IBMCLOUD_IAM_ENDPOINT = iam.url;
    });
    after(async function () {
        for (const [name, value] of [
            ["IBMCLOUD_API_KEY", env.key],
            ["IBMCLOUD_IAM_ENDPOINT", env.endpoint],
        ] as const) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
        await iam?.close();
    });

    const declare = (limit: number) =>
        new ClusterRegistryAccess("lim", {
            cluster: "lim",
            kubeconfig: KUBECONFIG,
            namespaces: { a: { regions: ["us-south"] }, b: { regions: ["eu-de"] } },
            iamLimits: { serviceIdsPerAccount: limit },
        });

    it("over a limit: no identity, no cluster provider, and a failure with the numbers", async function () {
        // GIVEN an account holding 2 of 3 service IDs WHEN a stack of two identities is declared
        const failed = unhandledRejections();
        declare(3);
        // THEN the run fails, naming the counts and the setting
        const messages = (await failed).map((e) => e.message).join("\n");
        expect(messages).to.contain(
            "this stack adds 2 service IDs; the account holds 2 of 3 (iamLimits.serviceIdsPerAccount), 1 too many.",
        );
        expect(messages).not.to.contain(ADMIN);
        // and nothing that would create anything was declared
        expect(ofType("icr:iam:NamespaceIdentity")).to.deep.equal([]);
        expect(ofType("pulumi-nodejs:dynamic/iam:ServiceId")).to.deep.equal([]);
        expect(ofType("pulumi:providers:kubernetes")).to.deep.equal([]);
        expect(ofType("kubernetes:core/v1:Secret")).to.deep.equal([]);
    });

    it("near a limit: a warning with the numbers, and every identity declared", async function () {
        const access = declare(4);
        await unwrap(access.serviceIds);
        expect(warnings).to.deep.equal([
            "IAM account limit near: this stack adds 2 service IDs; the account holds 2 of 4 " +
                "(iamLimits.serviceIdsPerAccount): 4 after this run, 100% of the limit. Ways out: let " +
                "namespaces share one identity (sharedIdentities, and namespaces.<ns>.identity), hold " +
                "policies on shared access groups (accessGroups), cover fewer namespaces, or ask IBM to " +
                "raise the account's limit and set iamLimits to it.",
        ]);
        expect(
            ofType("pulumi-nodejs:dynamic/iam:ServiceId")
                .map((r) => r.name)
                .sort(),
        ).to.deep.equal(["lim-a-id", "lim-b-id"]);
    });

    it("a shared access group of the planned name that the library did not make: refused, no identity declared", async function () {
        // GIVEN a hand-made group with the name of the stack's scope
        const name = accessGroupName(accessScopeOf({ regions: ["eu-de"] }));
        const admin = new IamClient({ apiKey: ADMIN, iamEndpoint: iam.url });
        const hand = await admin.createAccessGroup({ accountId: ACCOUNT, name, description: "by hand" });
        try {
            // WHEN a stack with accessGroups declares an identity of that scope
            const failed = unhandledRejections();
            new ClusterRegistryAccess("grp", {
                cluster: "grp",
                kubeconfig: KUBECONFIG,
                namespaces: { web: { regions: ["eu-de"] } },
                accessGroups: true,
                // the listings are skipped, the look at the group's name is not
                iamLimits: false,
            });
            // THEN the run fails naming the group, and nothing that would create anything was declared
            const messages = (await failed).map((e) => e.message).join("\n");
            expect(messages).to.contain(
                `IAM access group "${name}" (${hand.id}) already exists in this account`,
            );
            expect(ofType("icr:iam:NamespaceIdentity")).to.deep.equal([]);
            expect(ofType("pulumi-nodejs:dynamic/iam:ServiceId")).to.deep.equal([]);
            expect(ofType("pulumi-nodejs:dynamic/iam:AccessGroupMembership")).to.deep.equal([]);
        } finally {
            await admin.deleteAccessGroup(hand.id);
        }
    });

    it("with iamLimits: false, reads nothing from IAM", async function () {
        iam.resetLog();
        const access = new ClusterRegistryAccess("off", {
            cluster: "off",
            kubeconfig: KUBECONFIG,
            namespaces: { a: {} },
            iamLimits: false,
        });
        await unwrap(access.serviceIds);
        expect(iam.requests()).to.deep.equal([]);
        expect(ofType("pulumi-nodejs:dynamic/iam:ServiceId")).to.have.length(1);
    });
});
