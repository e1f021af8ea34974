// Planning the token migration from a survey: regions widened to cover what the tokens served,
// kube-system added only when asked, the service accounts in scope patched, deletions only
// when asked; and the provider's two pure rules (what may be removed, what is still uncovered).
import { expect } from "chai";
import { ClusterSurvey, NamespaceSurvey } from "../../components/coverage/clusterSurvey";
import { coveringAccess, planNamespaces } from "../../components/coverage/namespacePlan";
import { CLAIMS_ANNOTATION } from "../../components/shared/imagePullSecretList";
import {
    MIGRATED_ANNOTATION,
    MIGRATION_OWNER_LABEL,
} from "../../components/shared/migration/migrationRecord";
import {
    needsOwnerLabel,
    removableTokenNames,
    uncoveredDomains,
} from "../../components/host/migration/tokenSecretMigrationProvider";

const empty: NamespaceSurvey = {
    exists: true,
    tokenSecrets: [],
    unmapped: [],
    serviceAccounts: [],
    pullSecretHosts: [],
    containers: [],
};
const withTokens: NamespaceSurvey = {
    ...empty,
    tokenSecrets: [
        { name: "bluemix-default-secret", domains: ["us.icr.io"], regions: ["us-south"], present: true },
        {
            name: "bluemix-default-secret-international",
            domains: ["icr.io"],
            regions: ["global"],
            present: true,
        },
        {
            name: "bluemix-default-secret-regional",
            domains: ["uk.icr.io"],
            regions: ["eu-gb"],
            present: false,
        },
    ],
    serviceAccounts: [
        { name: "builder", tokens: ["bluemix-default-secret"] },
        { name: "default", tokens: ["bluemix-default-secret", "bluemix-default-secret-regional"] },
    ],
};

describe("token migration plan", function () {
    it("widens regions to cover the tokens' and leaves a covering access unchanged", function () {
        expect(
            coveringAccess({ regions: ["us"], includeGlobal: false }, ["global", "us-south", "eu-gb"]),
        ).to.deep.equal({
            access: { regions: ["us", "eu-gb"], includeGlobal: true },
            added: ["global", "eu-gb"],
        });
        expect(coveringAccess({}, ["us-south", "global"])).to.deep.equal({ access: {}, added: [] });
        expect(coveringAccess({ endpoints: "private" }, ["us-south"]).access.endpoints).to.equal("both");
    });

    it("plans explicit, selected and kube-system namespaces with the service accounts that list tokens", function () {
        const survey: ClusterSurvey = {
            selected: ["web"],
            namespaces: {
                default: withTokens,
                web: empty,
                "kube-system": {
                    ...withTokens,
                    serviceAccounts: [{ name: "default", tokens: ["bluemix-default-secret"] }],
                },
            },
        };
        const { plans, problems } = planNamespaces(
            {
                namespaces: { default: { regions: ["us-south"] } },
                namespaceSelector: { matchLabels: { a: "b" }, access: { regions: ["eu-de"] } },
                migrateTokenSecrets: { kubeSystem: true, deleteSecrets: true },
            },
            survey,
        );
        expect(problems).to.deep.equal([]);
        expect(plans.map((p) => [p.namespace, p.source, p.access])).to.deep.equal([
            [
                "default",
                "explicit",
                { regions: ["us-south", "eu-gb"], serviceAccounts: ["default", "builder"] },
            ],
            ["web", "selected", { regions: ["eu-de"] }],
            [
                "kube-system",
                "migration",
                { regions: ["us-south", "eu-gb"], includeGlobal: true, serviceAccounts: ["default"] },
            ],
        ]);
        expect(plans[0].migration).to.deep.equal({
            tokenSecrets: [
                { name: "bluemix-default-secret", domains: ["us.icr.io"] },
                { name: "bluemix-default-secret-international", domains: ["icr.io"] },
                { name: "bluemix-default-secret-regional", domains: ["uk.icr.io"] },
            ],
            serviceAccounts: [
                { name: "builder", remove: ["bluemix-default-secret"] },
                { name: "default", remove: ["bluemix-default-secret", "bluemix-default-secret-regional"] },
            ],
            deleteSecrets: [
                "bluemix-default-secret",
                "bluemix-default-secret-international",
                "bluemix-default-secret-regional",
            ],
        });
        expect(plans[0].notes.join("\n")).to.match(/added eu-gb/);
        expect(plans[1].migration).to.equal(undefined);
    });

    it("deletes nothing unless asked, and leaves kube-system alone unless asked", function () {
        const { plans } = planNamespaces(
            { namespaces: { default: {} }, migrateTokenSecrets: {} },
            { selected: [], namespaces: { default: withTokens, "kube-system": withTokens } },
        );
        expect(plans.map((p) => p.namespace)).to.deep.equal(["default"]);
        expect(plans[0].migration!.deleteSecrets).to.deep.equal([]);
    });

    it("refuses a shared identity that does not cover the tokens' regions, naming the fix", function () {
        const { problems } = planNamespaces(
            {
                namespaces: { default: { identity: "f" } },
                sharedIdentities: { f: { regions: ["us-south"], includeGlobal: false } },
                migrateTokenSecrets: {},
            },
            { selected: [], namespaces: { default: withTokens } },
        );
        expect(problems.join("\n")).to.match(
            /namespaces\.default\.identity: the shared identity "f" does not cover global, eu-gb.*sharedIdentities\.f\.regions/,
        );
    });

    it("keeps what a recorded migration replaced with the migration off: accounts, domains, and namespaces no longer named", function () {
        // GIVEN this stack's records: default/builder's token served icr.io, kube-system/default's
        // us.icr.io and icr.io, mig2/default's de.icr.io; the migration is now off
        const survey: ClusterSurvey = {
            selected: [],
            namespaces: {},
            records: {
                default: [
                    { name: "builder", migrated: { "bluemix-default-secret-international": ["icr.io"] } },
                ],
                "kube-system": [
                    {
                        name: "default",
                        migrated: {
                            "bluemix-default-secret": ["us.icr.io"],
                            "bluemix-default-secret-international": ["icr.io"],
                        },
                    },
                ],
                mig2: [{ name: "default", migrated: { "bluemix-mig2-secret-regional": ["de.icr.io"] } }],
            },
        };
        const { plans, problems } = planNamespaces(
            {
                namespaces: {
                    default: { regions: ["us-south"], includeGlobal: false },
                    mig2: { regions: ["us"] },
                },
            },
            survey,
        );
        expect(problems).to.deep.equal([]);
        // THEN each recorded account keeps a secret for each recorded domain, and no migration is planned
        expect(plans.map((p) => [p.namespace, p.source, p.access, p.migration])).to.deep.equal([
            [
                "default",
                "explicit",
                { regions: ["us-south"], includeGlobal: true, serviceAccounts: ["default", "builder"] },
                undefined,
            ],
            ["mig2", "explicit", { regions: ["us", "eu-de"] }, undefined],
            [
                "kube-system",
                "recorded",
                { regions: ["us-south"], includeGlobal: true, serviceAccounts: ["default"] },
                undefined,
            ],
        ]);
        expect(plans.find((p) => p.namespace === "mig2")!.notes.join("\n")).to.contain(
            'keeps the API-key pull secrets that replaced the registry tokens "bluemix-mig2-secret-regional" on mig2/default',
        );

        // WHEN mig2 leaves the settings THEN it stays, with the recorded domain and account only
        const without = planNamespaces({ namespaces: { default: {} } }, survey).plans;
        expect(without.find((p) => p.namespace === "mig2")).to.deep.include({
            source: "recorded",
            access: { regions: ["eu-de"], includeGlobal: false, serviceAccounts: ["default"] },
        });
    });

    it("refuses a shared identity that does not cover what a recorded migration replaced", function () {
        const { problems } = planNamespaces(
            {
                namespaces: { mig2: { identity: "team" } },
                sharedIdentities: { team: { regions: ["us-south"] } },
            },
            {
                selected: [],
                namespaces: {},
                records: { mig2: [{ name: "default", migrated: { "bluemix-mig2-secret": ["de.icr.io"] } }] },
            },
        );
        expect(problems).to.deep.equal([
            'namespaces.mig2.identity: the shared identity "team" does not cover eu-de, which the registry-token ' +
                'secrets "bluemix-mig2-secret" served; add eu-de to sharedIdentities.team.regions (global: includeGlobal).',
        ]);
    });

    it("labels an account migrated before the owner label existed, once", function () {
        const records = {
            [MIGRATED_ANNOTATION]: JSON.stringify({ "bluemix-default-secret": ["us.icr.io"] }),
        };
        const sa = (labels?: Record<string, string>) => ({ metadata: { annotations: records, labels } });
        expect(needsOwnerLabel(sa(), ["bluemix-default-secret"], "0123456789abcdef")).to.equal(true);
        expect(
            needsOwnerLabel(
                sa({ [MIGRATION_OWNER_LABEL]: "0123456789abcdef" }),
                ["bluemix-default-secret"],
                "0123456789abcdef",
            ),
        ).to.equal(false);
        expect(needsOwnerLabel(sa(), ["another-secret"], "0123456789abcdef")).to.equal(false);
        expect(needsOwnerLabel(sa(), ["bluemix-default-secret"], undefined)).to.equal(false);
    });

    it("removes only listed token names no claim holds", function () {
        const claims = JSON.stringify({ other: ["bluemix-default-secret-regional"] });
        expect(
            removableTokenNames(
                {
                    metadata: { uid: "u1", annotations: { [CLAIMS_ANNOTATION]: claims } },
                    imagePullSecrets: [
                        { name: "someone-else" },
                        { name: "bluemix-default-secret" },
                        { name: "bluemix-default-secret-regional" },
                    ],
                },
                [
                    "bluemix-default-secret",
                    "bluemix-default-secret-regional",
                    "bluemix-default-secret-international",
                ],
            ),
        ).to.deep.equal(["bluemix-default-secret"]);
    });

    it("leaves token names alone while a server-side applier owns the list", function () {
        const sa = {
            metadata: {
                uid: "u1",
                managedFields: [
                    { manager: "gitops", operation: "Apply", fieldsV1: { "f:imagePullSecrets": {} } },
                ],
            },
            imagePullSecrets: [{ name: "bluemix-default-secret" }, { name: "default-icr-io" }],
        };
        expect(removableTokenNames(sa, ["bluemix-default-secret"])).to.deep.equal([]);
        expect(
            removableTokenNames({ ...sa, metadata: { uid: "u1" } }, ["bluemix-default-secret"]),
        ).to.deep.equal(["bluemix-default-secret"]);
    });

    it("reports each domain a removal would leave without a listed replacement", function () {
        const tokens = [
            { name: "a", domains: ["us.icr.io", "uk.icr.io"] },
            { name: "b", domains: ["icr.io"] },
        ];
        expect(uncoveredDomains(["a", "b"], tokens, [["us.icr.io"], ["icr.io"]])).to.deep.equal([
            "uk.icr.io",
        ]);
        expect(uncoveredDomains(["a"], tokens, [["us.icr.io", "uk.icr.io"]])).to.deep.equal([]);
        expect(uncoveredDomains(["b"], tokens, [])).to.deep.equal(["icr.io"]);
    });
});
