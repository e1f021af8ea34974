// ClusterRegistryAccess with `accessGroups` under Pulumi mocks: no policy per identity; one
// AccessGroupMembership per access scope, named after the shared group, holding the service IDs
// of that scope; and the setting off declares exactly what it always did.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ClusterRegistryAccess } from "../../components/clusterRegistryAccess";
import { ClusterRegistryAccessArgs } from "../../components/clusterRegistryAccessArgs";
import { KUBECONFIG, registeredUrns, seen, unwrap } from "./hooks";

const POLICY = "pulumi-nodejs:dynamic/iam:AccessPolicy";
const MEMBERSHIP = "pulumi-nodejs:dynamic/iam:AccessGroupMembership";
const SERVICE_ID = "pulumi-nodejs:dynamic/iam:ServiceId";
const REMOVAL_GUARD = "pulumi-nodejs:dynamic/k8s:NamespaceRemovalGuard";

const ofType = (type: string) => seen.filter((r) => r.type === type);

async function declared(access: ClusterRegistryAccess, memberships: number): Promise<void> {
    await unwrap(pulumi.all([access.coveredNamespaces, access.serviceIds, access.keyExpiries]));
    for (
        let i = 0;
        i < 50 && (ofType(REMOVAL_GUARD).length < 1 || ofType(MEMBERSHIP).length < memberships);
        i++
    )
        await new Promise((r) => setTimeout(r, 20));
}

describe("ClusterRegistryAccess with accessGroups", function () {
    const declare = (accessGroups: ClusterRegistryAccessArgs["accessGroups"]) =>
        new ClusterRegistryAccess("prod", {
            cluster: "prod",
            kubeconfig: KUBECONFIG,
            accessGroups,
            sharedIdentities: { frontends: { regions: ["eu-de"] } },
            namespaces: {
                shop: { regions: ["de"] },
                web: { identity: "frontends" },
                ci: { role: "Writer", regions: ["us-south"], includeGlobal: false },
            },
        });

    it("declares one membership per scope, holding that scope's service IDs, and no policy", async function () {
        const access = declare({ namePrefix: "fleet" });
        await declared(access, 2);

        expect(ofType(POLICY)).to.deep.equal([]);
        const memberships = ofType(MEMBERSHIP)
            .map((r) => ({
                name: r.name,
                groupName: r.inputs.groupName,
                role: r.inputs.role,
                locations: r.inputs.locations,
                members: (r.inputs.members as unknown[]).length,
            }))
            .sort((a, b) => a.name.localeCompare(b.name));
        expect(memberships).to.deep.equal([
            {
                name: "prod-fleet-reader-eu-de_global-all-namespaces",
                groupName: "fleet-reader-eu-de_global-all-namespaces",
                role: "Reader",
                locations: ["eu-de", "global"],
                members: 2,
            },
            {
                name: "prod-fleet-writer-us-south-all-namespaces",
                groupName: "fleet-writer-us-south-all-namespaces",
                role: "Writer",
                locations: ["us-south"],
                members: 1,
            },
        ]);
        expect(ofType(SERVICE_ID)).to.have.length(3);
        for (const m of memberships) {
            expect(
                registeredUrns().some((u) =>
                    u.endsWith(`icr:index:ClusterRegistryAccess$${MEMBERSHIP}::${m.name}`),
                ),
            ).to.equal(true);
        }
    });

    it("declares policies per identity and no membership when off", async function () {
        const access = declare(undefined);
        await declared(access, 0);
        expect(ofType(MEMBERSHIP)).to.deep.equal([]);
        // shop: eu-de and global; frontends: eu-de and global; ci: us-south.
        expect(ofType(POLICY)).to.have.length(5);
    });
});
