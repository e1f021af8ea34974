// The IAM account-limit check's counting: what a stack adds against what the account holds.
import { expect } from "chai";
import {
    accountLimitFindings,
    accountLimitSettingProblems,
    IBM_DEFAULT_LIMITS,
    PlannedIdentity,
} from "../../../../components/shared/iam/accountLimits";
import { markedDescription } from "../../../../components/shared/ownership/ownerMark";

const WAYS = "Ways out: share identities.";
const mark = { owner: "0".repeat(24), incarnation: "1".repeat(8), call: "2".repeat(8) };

function planned(count: number, policies = 2): PlannedIdentity[] {
    return Array.from({ length: count }, (_, i) => ({
        field: `namespaces.ns${i}`,
        serviceIdName: `c1-ns${i}-id`,
        policies,
        apiKeys: 2,
    }));
}

function others(count: number) {
    return Array.from({ length: count }, (_, i) => ({ name: `someone-${i}`, description: "by hand" }));
}

describe("IAM account limits (counting)", function () {
    const limits = { ...IBM_DEFAULT_LIMITS, serviceIdsPerAccount: 100, policiesPerAccount: 1000 };

    it("refuses a stack that would cross the service-ID limit, with the numbers and the way out", function () {
        const found = accountLimitFindings(
            planned(20),
            { serviceIds: others(90), policies: 0 },
            limits,
            {},
            WAYS,
        );
        expect(found.refusals).to.have.length(1);
        expect(found.refusals[0]).to.match(
            /^this stack adds 20 service IDs; the account holds 90 of 100 \(IBM's default; set iamLimits\.serviceIdsPerAccount .*\), 10 too many\. Ways out/,
        );
        expect(found.counts).to.include({ newServiceIds: 20, newPolicies: 40, serviceIds: 90 });
    });

    it("warns from 90% of a limit and passes under it", function () {
        const near = accountLimitFindings(
            planned(5),
            { serviceIds: others(85), policies: 0 },
            limits,
            {},
            WAYS,
        );
        expect(near.refusals).to.deep.equal([]);
        expect(near.warnings).to.have.length(1);
        expect(near.warnings[0]).to.contain("90 after this run, 90% of the limit");
        const far = accountLimitFindings(
            planned(5),
            { serviceIds: others(10), policies: 0 },
            limits,
            {},
            WAYS,
        );
        expect(far).to.deep.include({ refusals: [], warnings: [] });
    });

    it("counts a service ID the account holds with this library's mark as held, not added", function () {
        const held = planned(20).map((p) => ({
            name: p.serviceIdName,
            description: markedDescription("Service ID", mark),
        }));
        const found = accountLimitFindings(
            planned(20),
            { serviceIds: [...others(80), ...held], policies: 0 },
            limits,
            {},
            WAYS,
        );
        expect(found.counts.newServiceIds).to.equal(0);
        expect(found.refusals).to.deep.equal([]);
        // the same names without the mark are someone else's: this stack would still add its own
        const unmarked = held.map((h) => ({ name: h.name, description: "Service ID" }));
        const foreign = accountLimitFindings(
            planned(20),
            { serviceIds: [...others(80), ...unmarked], policies: 0 },
            limits,
            {},
            WAYS,
        );
        expect(foreign.counts.newServiceIds).to.equal(20);
        expect(foreign.refusals).to.have.length(1);
    });

    it("counts policies per account and per subject, naming where the limit came from", function () {
        const found = accountLimitFindings(
            planned(10, 13),
            { serviceIds: [], policies: 900 },
            { ...limits, policiesPerSubject: 12 },
            { policiesPerSubject: "iamLimits.policiesPerSubject" },
            WAYS,
        );
        expect(found.refusals[0]).to.contain(
            "this stack adds 130 access policies; the account holds 900 of 1,000",
        );
        expect(found.refusals.filter((r) => r.includes("per subject"))).to.have.length(10);
        expect(found.refusals[1]).to.contain("12 (iamLimits.policiesPerSubject) per subject");
    });

    it("counts the policies of the shared access groups the stack would make", function () {
        const found = accountLimitFindings(
            planned(3, 0),
            { serviceIds: [], policies: 995 },
            limits,
            {},
            WAYS,
            6,
        );
        expect(found.counts.newPolicies).to.equal(6);
        expect(found.refusals[0]).to.contain(
            "this stack adds 6 access policies; the account holds 995 of 1,000",
        );
    });

    it("refuses identities that would hold more API keys than IAM allows", function () {
        const found = accountLimitFindings(
            planned(1),
            { serviceIds: [], policies: 0 },
            { ...limits, apiKeysPerIdentity: 1 },
            { apiKeysPerIdentity: "as IAM reports it" },
            WAYS,
        );
        expect(found.refusals).to.deep.equal([
            "namespaces.ns0: service ID c1-ns0-id holds up to 2 API keys while one is renewed, over the limit of 1 (as IAM reports it) per identity.",
        ]);
    });

    it("checks the iamLimits setting, naming the field", function () {
        expect(accountLimitSettingProblems("iamLimits", undefined)).to.deep.equal([]);
        expect(accountLimitSettingProblems("iamLimits", false)).to.deep.equal([]);
        expect(accountLimitSettingProblems("iamLimits", { serviceIdsPerAccount: 5000 })).to.deep.equal([]);
        expect(
            accountLimitSettingProblems("iamLimits", { serviceIds: 5000, policiesPerAccount: -1 }),
        ).to.deep.equal([
            "iamLimits.serviceIds: unknown limit; the limits are serviceIdsPerAccount, policiesPerAccount, policiesPerSubject, apiKeysPerIdentity.",
            "iamLimits.policiesPerAccount: must be a whole number of at least 1; got -1.",
        ]);
        expect(accountLimitSettingProblems("iamLimits", "3000")[0]).to.match(/^iamLimits: must be an object/);
    });
});
