// Container Registry roles, regions and the IAM policy body: pure functions.
import { expect } from "chai";
import * as fc from "fast-check";
import { isUnknown, UNKNOWN } from "../../../../components/shared/unknown";
import {
    LOCATIONS,
    REGIONS,
    ROLES,
    canonicalRoles,
    checkRegion,
    checkRegistryNamespace,
    checkRoles,
    parsePolicy,
    policyBody,
    roleCrn,
    roleFromCrn,
} from "../../../../components/shared/iam/policyModel";

const ACCOUNT = "0123456789abcdef0123456789abcdef";

describe("policy model", function () {
    describe("roles", function () {
        it("maps role names to IAM service-role CRNs and back, accepting the Registry docs' form", function () {
            expect(ROLES.map(roleCrn)).to.deep.equal([
                "crn:v1:bluemix:public:iam::::serviceRole:Reader",
                "crn:v1:bluemix:public:iam::::serviceRole:Writer",
                "crn:v1:bluemix:public:iam::::serviceRole:Manager",
            ]);
            expect(roleFromCrn("crn:v1:bluemix:public:container-registry::::serviceRole:Writer")).to.equal(
                "Writer",
            );
            expect(roleFromCrn("crn:v1:bluemix:public:iam::::role:Viewer")).to.equal(undefined);
            expect(roleFromCrn("crn:v1:bluemix:public:iam::::serviceRole:Administrator")).to.equal(undefined);
        });

        it("orders roles canonically and drops duplicates", function () {
            expect(canonicalRoles(["Manager", "Reader", "Manager"])).to.deep.equal(["Reader", "Manager"]);
        });

        it("rejects unknown, duplicate and missing roles with the allowed values", function () {
            expect(checkRoles("roles", ["Reader", "writer", "Reader"], isUnknown)).to.deep.equal([
                {
                    property: "roles[1]",
                    reason: 'unknown role "writer"; Container Registry service roles are Reader, Writer, Manager. Did you mean "Writer"?',
                },
                { property: "roles", reason: 'role "Reader" is given twice' },
            ]);
            expect(checkRoles("roles", undefined, isUnknown)).to.deep.equal([
                { property: "roles", reason: "give at least one role: Reader, Writer, Manager" },
            ]);
            expect(checkRoles("roles", UNKNOWN, isUnknown)).to.deep.equal([]);
            expect(checkRoles("roles", ["Reader", UNKNOWN], isUnknown)).to.deep.equal([]);
        });
    });

    describe("regions", function () {
        it("accepts the twelve registry regions and global, nothing else", function () {
            expect(REGIONS).to.have.length(12);
            for (const r of LOCATIONS) expect(checkRegion("region", r, isUnknown)).to.deep.equal([]);
            expect(checkRegion("region", undefined, isUnknown)).to.deep.equal([]);
            expect(checkRegion("region", "fr2", isUnknown)[0].reason).to.equal(
                'unknown region "fr2". Valid regions: au-syd, br-sao, ca-mon, ca-tor, eu-de, eu-es, eu-gb, in-che, in-mum, jp-osa, jp-tok, us-south, or "global" for icr.io. Omit it for every region.',
            );
            expect(checkRegion("region", "eu_de", isUnknown)[0].reason).to.match(/Did you mean "eu-de"\?$/);
        });

        it("checks registry namespace names as Container Registry does", function () {
            expect(checkRegistryNamespace("ns", "team-a_1", isUnknown)).to.deep.equal([]);
            for (const bad of ["ab", "Team", "-team", "team-", "a".repeat(31)]) {
                expect(checkRegistryNamespace("ns", bad, isUnknown), bad).to.have.length(1);
            }
        });
    });

    describe("policy body", function () {
        it("builds IBM's policy shape for a region and a registry namespace", function () {
            expect(
                policyBody({
                    iamId: "iam-ServiceId-x",
                    roles: ["Reader"],
                    accountId: ACCOUNT,
                    region: "us-south",
                    registryNamespace: "team-a",
                    description: "pull",
                }),
            ).to.deep.equal({
                type: "access",
                description: "pull",
                subjects: [{ attributes: [{ name: "iam_id", value: "iam-ServiceId-x" }] }],
                roles: [{ role_id: "crn:v1:bluemix:public:iam::::serviceRole:Reader" }],
                resources: [
                    {
                        attributes: [
                            { name: "accountId", value: ACCOUNT, operator: "stringEquals" },
                            { name: "serviceName", value: "container-registry", operator: "stringEquals" },
                            { name: "region", value: "us-south", operator: "stringEquals" },
                            { name: "resourceType", value: "namespace", operator: "stringEquals" },
                            { name: "resource", value: "team-a", operator: "stringEquals" },
                        ],
                    },
                ],
            });
        });

        it("uses geography=global for the global registry and no location for every region", function () {
            const names = (region?: string) =>
                policyBody({
                    iamId: "i",
                    roles: ["Reader"],
                    accountId: ACCOUNT,
                    region,
                }).resources[0].attributes.map((a) => `${a.name}=${a.value}`);
            expect(names("global")).to.deep.equal([
                `accountId=${ACCOUNT}`,
                "serviceName=container-registry",
                "geography=global",
            ]);
            expect(names(undefined)).to.deep.equal([
                `accountId=${ACCOUNT}`,
                "serviceName=container-registry",
            ]);
        });

        it("round-trips every grant through the body and back (property)", function () {
            const grant = fc.record({
                iamId: fc.constantFrom("iam-ServiceId-1", "iam-ServiceId-2", "IBMid-3"),
                roles: fc.subarray([...ROLES], { minLength: 1 }),
                accountId: fc.constant(ACCOUNT),
                region: fc.option(fc.constantFrom(...LOCATIONS), { nil: undefined }),
                registryNamespace: fc.option(fc.constantFrom("team-a", "prod_images"), { nil: undefined }),
            });
            fc.assert(
                fc.property(grant, (g) => {
                    const parsed = parsePolicy({ id: "p", ...policyBody(g) });
                    expect({
                        iamId: parsed.iamId,
                        roles: parsed.roles,
                        accountId: parsed.accountId,
                        region: parsed.region,
                        registryNamespace: parsed.registryNamespace,
                    }).to.deep.equal({ ...g, roles: canonicalRoles(g.roles) });
                    expect([parsed.otherRoles, parsed.otherAttributes]).to.deep.equal([[], []]);
                }),
            );
        });

        it("reports what a live policy grants beyond the model", function () {
            const parsed = parsePolicy({
                id: "p",
                roles: [
                    { role_id: roleCrn("Reader") },
                    { role_id: "crn:v1:bluemix:public:iam::::role:Viewer" },
                ],
                resources: [
                    {
                        attributes: [
                            { name: "accountId", value: ACCOUNT },
                            { name: "resourceGroupId", value: "rg" },
                        ],
                    },
                ],
            });
            expect([parsed.roles, parsed.otherRoles, parsed.otherAttributes]).to.deep.equal([
                ["Reader"],
                ["crn:v1:bluemix:public:iam::::role:Viewer"],
                ["resourceGroupId"],
            ]);
        });
    });
});
