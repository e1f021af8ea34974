// The IAM providers' diff and check rules: pure functions of old state and new inputs.
import { expect } from "chai";
import * as fc from "fast-check";
import {
    AccessPolicyState,
    checkAccessPolicyInputs,
    diffAccessPolicy,
} from "../../../../components/host/iam/accessPolicyProvider";
import { ApiKeyState, checkApiKeyInputs, diffApiKey } from "../../../../components/host/iam/apiKeyProvider";
import {
    ServiceIdState,
    checkServiceIdInputs,
    diffServiceId,
} from "../../../../components/host/iam/serviceIdProvider";
import { compact } from "../../../../components/host/iam/providerSupport";
import { UNKNOWN, deepEqual } from "../../../../components/shared/unknown";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const OTHER = "fedcba9876543210fedcba9876543210";

const sidState: ServiceIdState = {
    name: "c-ns-id",
    description: "d",
    accountId: ACCOUNT,
    locked: false,
    iamId: "iam-ServiceId-1",
    crn: "crn",
    entityTag: "1-a",
    lockManaged: false,
};
const keyState: ApiKeyState = {
    name: "c-ns-key",
    iamId: "iam-ServiceId-1",
    description: "",
    accountId: ACCOUNT,
    storeValue: false,
    locked: false,
    rotation: "2026-10",
    apikey: "value",
    crn: "crn",
    entityTag: "1-b",
    lockManaged: false,
};
const policyState: AccessPolicyState = {
    iamId: "iam-ServiceId-1",
    roles: ["Reader"],
    region: "us-south",
    accountId: ACCOUNT,
    description: "",
    etag: "1-c",
};

describe("IAM diffs", function () {
    describe("ServiceId", function () {
        const id = "ServiceId-1";
        const table: [string, Record<string, unknown>, { changes: boolean; replaces: string[] }][] = [
            ["nothing", { name: "c-ns-id", description: "d" }, { changes: false, replaces: [] }],
            [
                "the account left to the key",
                { name: "c-ns-id", description: "d", accountId: undefined },
                { changes: false, replaces: [] },
            ],
            [
                "the same explicit account",
                { name: "c-ns-id", description: "d", accountId: ACCOUNT },
                { changes: false, replaces: [] },
            ],
            ["a new name", { name: "renamed", description: "d" }, { changes: true, replaces: [] }],
            ["a new description", { name: "c-ns-id" }, { changes: true, replaces: [] }],
            ["a lock", { name: "c-ns-id", description: "d", locked: true }, { changes: true, replaces: [] }],
            [
                "new credentials",
                { name: "c-ns-id", description: "d", credentials: { apiKey: "k" } },
                { changes: true, replaces: [] },
            ],
            [
                "another account",
                { name: "c-ns-id", description: "d", accountId: OTHER },
                { changes: true, replaces: ["accountId"] },
            ],
            [
                "an unknown account",
                { name: "c-ns-id", description: "d", accountId: UNKNOWN },
                { changes: true, replaces: ["accountId"] },
            ],
            [
                "another id to adopt",
                { name: "c-ns-id", description: "d", adoptId: "ServiceId-2" },
                { changes: true, replaces: ["adoptId"] },
            ],
            [
                "the adopted id itself",
                { name: "c-ns-id", description: "d", adoptId: id },
                { changes: false, replaces: [] },
            ],
            ["an unknown name", { name: UNKNOWN, description: "d" }, { changes: true, replaces: [] }],
        ];
        for (const [what, news, want] of table) {
            it(`diffs ${what}`, function () {
                expect(diffServiceId(id, sidState, news as never)).to.deep.equal(want);
            });
        }
    });

    describe("ApiKey", function () {
        const same = { name: "c-ns-key", iamId: "iam-ServiceId-1", rotation: "2026-10" };
        const table: [string, Record<string, unknown>, { changes: boolean; replaces: string[] }][] = [
            ["nothing", same, { changes: false, replaces: [] }],
            [
                "a new rotation: replace",
                { ...same, rotation: "2026-11" },
                { changes: true, replaces: ["rotation"] },
            ],
            [
                "rotation removed: replace",
                { name: "c-ns-key", iamId: "iam-ServiceId-1" },
                { changes: true, replaces: ["rotation"] },
            ],
            ["another owner", { ...same, iamId: "iam-ServiceId-2" }, { changes: true, replaces: ["iamId"] }],
            ["an unknown owner", { ...same, iamId: UNKNOWN }, { changes: true, replaces: ["iamId"] }],
            ["storeValue", { ...same, storeValue: true }, { changes: true, replaces: ["storeValue"] }],
            ["a rename, in place", { ...same, name: "other" }, { changes: true, replaces: [] }],
            ["a lock, in place", { ...same, locked: true }, { changes: true, replaces: [] }],
        ];
        for (const [what, news, want] of table) {
            it(`diffs ${what}`, function () {
                const d = diffApiKey(keyState, news as never);
                expect(d).to.deep.equal(want);
                expect(d.deleteBeforeReplace, "create-before-delete").to.equal(undefined);
            });
        }
    });

    describe("AccessPolicy", function () {
        const same = { iamId: "iam-ServiceId-1", roles: ["Reader"], region: "us-south" };
        const table: [string, Record<string, unknown>, { changes: boolean; replaces: string[] }][] = [
            ["nothing", same, { changes: false, replaces: [] }],
            ["roles in another order", { ...same, roles: ["Reader"] }, { changes: false, replaces: [] }],
            [
                "a new role, in place",
                { ...same, roles: ["Writer", "Reader"] },
                { changes: true, replaces: [] },
            ],
            ["a new region, in place", { ...same, region: "eu-de" }, { changes: true, replaces: [] }],
            [
                "every region, in place",
                { iamId: "iam-ServiceId-1", roles: ["Reader"] },
                { changes: true, replaces: [] },
            ],
            [
                "a new subject, in place",
                { ...same, iamId: "iam-ServiceId-9" },
                { changes: true, replaces: [] },
            ],
            ["unknown roles", { ...same, roles: [UNKNOWN] }, { changes: true, replaces: [] }],
            ["another account", { ...same, accountId: OTHER }, { changes: true, replaces: ["accountId"] }],
        ];
        for (const [what, news, want] of table) {
            it(`diffs ${what}`, function () {
                expect(diffAccessPolicy(policyState, news as never)).to.deep.equal(want);
            });
        }

        it("sees grants added outside Pulumi as a change", function () {
            expect(
                diffAccessPolicy({ ...policyState, unmanaged: ["resourceGroupId"] }, same as never).changes,
            ).to.equal(true);
        });
    });

    it("never reports a change for the inputs a state was made from, and always a boolean (property)", function () {
        const text = fc.string({ minLength: 1, maxLength: 8 });
        fc.assert(
            fc.property(
                text,
                fc.option(text, { nil: undefined }),
                fc.option(fc.boolean(), { nil: undefined }),
                (name, description, locked) => {
                    const inputs = { name, description, locked };
                    const state: ServiceIdState = {
                        ...sidState,
                        name,
                        description: description ?? "",
                        locked: locked ?? false,
                    };
                    const d = diffServiceId("ServiceId-1", state, inputs);
                    return d.changes === false && typeof d.changes === "boolean";
                },
            ),
        );
        fc.assert(
            fc.property(fc.subarray(["Reader", "Writer", "Manager"], { minLength: 1 }), (roles) => {
                const state: AccessPolicyState = {
                    ...policyState,
                    roles: ["Reader", "Writer", "Manager"].filter((r) => roles.includes(r)) as never,
                };
                return (
                    diffAccessPolicy(state, { ...policyState, roles: [...roles].reverse() } as never)
                        .changes === false
                );
            }),
        );
    });

    it("compacts results for the wire: no undefined at any depth", function () {
        expect(
            compact({ a: 1, b: undefined, c: { d: undefined, e: [1, undefined, { f: undefined }] } }),
        ).to.deep.equal({
            a: 1,
            c: { e: [1, {}] },
        });
        expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).to.equal(true);
    });
});

describe("IAM checks", function () {
    it("lists every ServiceId problem at once", function () {
        expect(
            checkServiceIdInputs({ name: "", accountId: "x", locked: "yes" as never, adoptId: "abc" }).map(
                (f) => f.property,
            ),
        ).to.deep.equal(["name", "accountId", "locked", "adoptId"]);
    });

    it("lists every ApiKey problem at once", function () {
        expect(
            checkApiKeyInputs({
                name: "k",
                iamId: "",
                rotation: 7 as never,
                credentials: { apiKey: "k", accountId: "bad" },
            }).map((f) => f.property),
        ).to.deep.equal(["iamId", "rotation", "credentials.accountId"]);
    });

    it("lists every AccessPolicy problem at once and passes placeholders", function () {
        expect(
            checkAccessPolicyInputs({ iamId: "ServiceId-1", roles: ["Owner" as never], region: "mars" }).map(
                (f) => f.property,
            ),
        ).to.deep.equal(["iamId", "roles[0]", "region"]);
        expect(
            checkAccessPolicyInputs({
                iamId: UNKNOWN,
                roles: UNKNOWN as never,
                region: UNKNOWN,
                registryNamespace: UNKNOWN,
            }),
        ).to.deep.equal([]);
    });
});
