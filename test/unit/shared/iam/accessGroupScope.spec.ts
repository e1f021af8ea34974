// Shared access groups: names and marks from the access scope, and the `accessGroups` setting's checks.
import { expect } from "chai";
import { plannedIdentities } from "../../../../components/clusterRegistryAccessPlan";
import { clusterRegistryAccessProblems } from "../../../../components/clusterRegistryAccessProblems";
import { accessScopeOf } from "../../../../components/iam/sharedAccessGroups";
import {
    GROUP_DESCRIPTION_MAX,
    GROUP_NAME_MAX,
    accessGroupName,
    carriesSharedGroupMark,
    groupPolicyBody,
    readSharedGroupMark,
    scopeHash,
    sharedGroupDescription,
} from "../../../../components/shared/iam/accessGroupScope";
import { REGIONS } from "../../../../components/shared/iam/policyModel";

describe("shared access group scopes", function () {
    describe("accessGroupName", function () {
        it("spells the role, the sorted locations and the registry namespace", function () {
            expect(
                accessGroupName({
                    role: "Reader",
                    locations: ["global", "eu-de"],
                    registryNamespace: "shop",
                }),
            ).to.equal("icr-reader-eu-de_global-shop");
            expect(accessGroupName({ role: "Writer" })).to.equal("icr-writer-all-regions-all-namespaces");
            expect(accessGroupName({ role: "Reader", locations: ["us-south"] }, "icr-prod")).to.equal(
                "icr-prod-reader-us-south-all-namespaces",
            );
        });

        it("is the same for the same scope however the regions are written or ordered", function () {
            const a = accessScopeOf({ regions: ["eu-de", "us-south"] });
            const b = accessScopeOf({ role: "Reader", regions: ["us", "de"], includeGlobal: true });
            expect(accessGroupName(a)).to.equal(accessGroupName(b));
            expect(scopeHash(a)).to.equal(scopeHash(b));
        });

        it("differs between scopes that grant differently", function () {
            const names = new Set(
                [
                    accessScopeOf({ regions: ["eu-de"] }),
                    accessScopeOf({ regions: ["eu-de"], includeGlobal: false }),
                    accessScopeOf({ regions: ["eu-de"], role: "Writer" }),
                    accessScopeOf({ regions: ["eu-de"], registryNamespace: "shop" }),
                    accessScopeOf({}),
                ].map((s) => accessGroupName(s)),
            );
            expect(names.size).to.equal(5);
        });

        it("stands a hash in for a list of locations too long for IAM's 100 characters", function () {
            const scope = {
                role: "Manager" as const,
                locations: [...REGIONS, "global"],
                registryNamespace: "a".repeat(30),
            };
            const name = accessGroupName(scope, "p".repeat(40));
            expect(name.length).to.be.at.most(GROUP_NAME_MAX);
            expect(name).to.equal(
                `${"p".repeat(40)}-manager-r${scopeHash(scope).slice(0, 8)}-${"a".repeat(30)}`,
            );
        });
    });

    describe("the shared-group mark", function () {
        it("is read back from the description, for this scope only", function () {
            const scope = { role: "Reader" as const, locations: ["eu-de", "global"] };
            const description = sharedGroupDescription(scope);
            expect(description.length).to.be.at.most(GROUP_DESCRIPTION_MAX);
            expect(readSharedGroupMark(description)).to.equal(scopeHash(scope));
            expect(carriesSharedGroupMark(description, scope)).to.equal(true);
            expect(carriesSharedGroupMark(description, { ...scope, role: "Writer" })).to.equal(false);
            expect(carriesSharedGroupMark("made by hand", scope)).to.equal(false);
            expect(carriesSharedGroupMark(undefined, scope)).to.equal(false);
        });

        it("survives a long scope: the text is cut, never the mark", function () {
            const scope = {
                role: "Reader" as const,
                locations: [...REGIONS, "global"],
                registryNamespace: "n".repeat(30),
            };
            const description = sharedGroupDescription(scope);
            expect(description.length).to.be.at.most(GROUP_DESCRIPTION_MAX);
            expect(carriesSharedGroupMark(description, scope)).to.equal(true);
        });

        it("is on the group's policies, whose subject is the group", function () {
            const scope = { role: "Reader" as const, locations: ["eu-de"], registryNamespace: "shop" };
            const body = groupPolicyBody("AccessGroupId-1", "acct", scope, "eu-de");
            expect(body.subjects).to.deep.equal([
                { attributes: [{ name: "access_group_id", value: "AccessGroupId-1" }] },
            ]);
            expect(carriesSharedGroupMark(body.description, scope)).to.equal(true);
            expect(body.resources[0].attributes.map((a) => `${a.name}=${a.value}`)).to.deep.equal([
                "accountId=acct",
                "serviceName=container-registry",
                "region=eu-de",
                "resourceType=namespace",
                "resource=shop",
            ]);
        });
    });

    describe("the accessGroups setting", function () {
        const problemsOf = (accessGroups: unknown): string[] =>
            clusterRegistryAccessProblems({
                cluster: "prod",
                namespaces: { default: {} },
                accessGroups: accessGroups as never,
            });

        it("accepts true, false and a usable prefix", function () {
            expect(problemsOf(true)).to.deep.equal([]);
            expect(problemsOf(false)).to.deep.equal([]);
            expect(problemsOf({ namePrefix: "icr-prod" })).to.deep.equal([]);
        });

        it("rejects a value of another type, an unknown option and a bad prefix, naming the field and the fix", function () {
            expect(problemsOf("yes")).to.deep.equal([
                'accessGroups: must be true, false or an object; got "yes". Use true (groups named ' +
                    '"icr-<role>-<regions>-<registry namespace>"), false, or { namePrefix: "<prefix>" }.',
            ]);
            expect(problemsOf({ namePrefx: "x", namePrefix: "has space" })).to.deep.equal([
                'accessGroups.namePrefx: unknown option. Did you mean "namePrefix"? Use true (groups named ' +
                    '"icr-<role>-<regions>-<registry namespace>"), false, or { namePrefix: "<prefix>" }.',
                'accessGroups.namePrefix: "has space" is not a usable group name prefix; use 1 to 40 letters, ' +
                    'digits, "-" and "_", starting with a letter or digit (e.g. "icr-prod"), or leave it out for "icr".',
            ]);
        });
    });

    describe("the account-limit plan", function () {
        const namespaces = [{ namespace: "shop", access: { regions: ["eu-de"] }, field: "namespaces.shop" }];
        it("counts a policy per location for each identity when off, none of its own when on", function () {
            const policies = (accessGroups: unknown) =>
                plannedIdentities({ cluster: "prod", accessGroups }, namespaces).map((p) => p.policies);
            expect(policies(undefined)).to.deep.equal([2]);
            expect(policies(false)).to.deep.equal([2]);
            expect(policies(true)).to.deep.equal([0]);
            expect(policies({ namePrefix: "fleet" })).to.deep.equal([0]);
        });
    });
});
