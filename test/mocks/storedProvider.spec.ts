// Every dynamic resource of the library registers the one-line `__provider` of
// components/internal/storedProvider.ts, not the SDK's serialization of its provider object:
// what the engine writes to state, twice per resource, on every step.
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { AccessGroupMembership } from "../../components/iam/accessGroupMembership";
import { AccessPolicy } from "../../components/iam/accessPolicy";
import { ApiKey } from "../../components/iam/apiKey";
import { ServiceId } from "../../components/iam/serviceId";
import { storedProviderText } from "../../components/internal/storedProvider";
import { CreationGuard } from "../../components/k8s/creationGuard";
import { NamespaceRemovalGuard } from "../../components/k8s/namespaceRemovalGuard";
import { ServiceAccountPullSecrets } from "../../components/k8s/serviceAccountPullSecrets";
import { TokenSecretMigration } from "../../components/migration/tokenSecretMigration";
import type { ProviderKind } from "../../components/shared/providerKinds";
import { seen } from "./hooks";

/** Waits until the engine (here the mocks) has been told of everything declared so far. */
function settled(...outputs: pulumi.Output<unknown>[]): Promise<unknown> {
    return new Promise((resolve) => pulumi.all(outputs).apply(resolve));
}

describe("the provider text dynamic resources store", function () {
    beforeEach(() => seen.splice(0));

    it("is the one line of its kind, for every kind, whatever options the caller passes", async function () {
        // A caller's own transformation runs after the library's and sees the stored text.
        const seenByCallers: string[] = [];
        const opts: pulumi.CustomResourceOptions = {
            transformations: [
                (args) => {
                    seenByCallers.push(String(args.props.__provider));
                    return undefined;
                },
            ],
        };
        const resources: [ProviderKind, pulumi.CustomResource][] = [
            ["ServiceId", new ServiceId("sid", { name: "sid" }, opts)],
            ["AccessPolicy", new AccessPolicy("pol", { iamId: "iam-x", roles: ["Reader"] }, opts)],
            ["ApiKey", new ApiKey("key", { name: "key", iamId: "iam-x" }, opts)],
            [
                "ServiceAccountPullSecrets",
                new ServiceAccountPullSecrets("sa", { namespace: "ns", secretNames: ["all-icr-io"] }, opts),
            ],
            [
                "TokenSecretMigration",
                new TokenSecretMigration(
                    "mig",
                    { namespace: "ns", tokenSecrets: [], serviceAccounts: [] },
                    opts,
                ),
            ],
            ["CreationGuard", new CreationGuard("guard", { objects: [], ownerId: "o" }, opts)],
            [
                "NamespaceRemovalGuard",
                new NamespaceRemovalGuard(
                    "removal",
                    { namespaces: {}, ours: {}, deleteContentsField: "deleteNamespaceContents" },
                    opts,
                ),
            ],
            [
                "AccessGroupMembership",
                new AccessGroupMembership("group", { role: "Reader", members: ["iam-x"] }, opts),
            ],
        ];
        await settled(...resources.map(([, r]) => r.urn));

        const stored = new Map(seen.map((r) => [r.type, r.inputs.__provider as unknown]));
        // (The stack's one StackOwner is registered once per process, by an earlier test;
        // the end-to-end tests compare every dynamic resource's text in real state.)
        for (const [kind] of resources) {
            const type = [...stored.keys()].find((t) => t.endsWith(`:${kind}`));
            expect(type, `${kind} registered`).to.be.a("string");
            expect(stored.get(type!), kind).to.equal(storedProviderText(kind));
        }
        expect(seenByCallers).to.deep.equal(resources.map(([kind]) => storedProviderText(kind)));
    });
});
