// The IAM client the IAM providers use: one object per API key over the three parts of IBM
// Cloud IAM it calls, split as IBM's platform-services SDK splits them: the token exchange
// (./token.ts), IAM Identity (./serviceIds.ts, ./apiKeys.ts) and IAM Policy Management v1
// (./policies.ts) and IAM Access Groups v2 (./accessGroups.ts), all sent through one transport (./transport.ts) with its retries. Each
// method is the one of that part, documented there.
import type { IbmPolicy } from "../../shared/iam/policyModel";
import { AccessGroupMember, AccessGroupResource, IamAccessGroups } from "./accessGroups";
import { IamAccountLimits, IdentityLimits } from "./accountLimits";
import { ApiKeyAt, ApiKeyResource, IamApiKeys } from "./apiKeys";
import { IamPolicies, PolicyWithEtag } from "./policies";
import { IamServiceIds, ServiceIdResource } from "./serviceIds";
import { IamClientCredentials, IamTransport } from "./transport";
import type { IamClientTuning } from "./tuning";

/**
 * A client of IBM Cloud IAM (token, Identity, Policy Management v1) for one API key.
 * Cheap to construct: the token cache is per process, keyed by endpoint and key.
 */
export class IamClient {
    private readonly transport: IamTransport;
    private readonly serviceIds: IamServiceIds;
    private readonly apiKeys: IamApiKeys;
    private readonly policies: IamPolicies;
    private readonly accessGroups: IamAccessGroups;
    private readonly limits: IamAccountLimits;

    constructor(
        credentials: IamClientCredentials,
        tuning: Partial<IamClientTuning> = {},
        random: () => number = Math.random,
    ) {
        this.transport = new IamTransport(credentials, tuning, random);
        this.serviceIds = new IamServiceIds(this.transport);
        this.apiKeys = new IamApiKeys(this.transport);
        this.policies = new IamPolicies(this.transport);
        this.accessGroups = new IamAccessGroups(this.transport);
        this.limits = new IamAccountLimits(this.transport);
    }

    /** The IAM base URL, without a trailing slash. */
    get endpoint(): string {
        return this.transport.endpoint;
    }

    /** An access token for this key (cached). */
    getAccessToken(): Promise<string> {
        return this.transport.getAccessToken();
    }

    /** The account to act in: the one given, else the token's `account.bss` claim. */
    accountId(): Promise<string> {
        return this.transport.accountId();
    }

    /** See {@link IamTransport.untilListed}. */
    untilListed<T extends { id: string }>(
        list: () => Promise<T[]>,
        keptId: string,
        then: (all: T[]) => Promise<void>,
    ): Promise<void> {
        return this.transport.untilListed(list, keptId, then);
    }

    /** IAM's current time, as its last API-key answer to this client told it. */
    iamNow(): number {
        return this.apiKeys.iamNow();
    }

    // ----- IAM Identity service IDs (./serviceIds.ts)

    /** See {@link IamServiceIds.createServiceId}. */
    createServiceId(...args: Parameters<IamServiceIds["createServiceId"]>): Promise<ServiceIdResource> {
        return this.serviceIds.createServiceId(...args);
    }

    /** See {@link IamServiceIds.getServiceId}. */
    getServiceId(...args: Parameters<IamServiceIds["getServiceId"]>): Promise<ServiceIdResource | undefined> {
        return this.serviceIds.getServiceId(...args);
    }

    /** See {@link IamServiceIds.listServiceIds}. */
    listServiceIds(...args: Parameters<IamServiceIds["listServiceIds"]>): Promise<ServiceIdResource[]> {
        return this.serviceIds.listServiceIds(...args);
    }

    /** See {@link IamServiceIds.updateServiceId}. */
    updateServiceId(...args: Parameters<IamServiceIds["updateServiceId"]>): Promise<ServiceIdResource> {
        return this.serviceIds.updateServiceId(...args);
    }

    /** See {@link IamServiceIds.deleteServiceId}. */
    deleteServiceId(...args: Parameters<IamServiceIds["deleteServiceId"]>): Promise<boolean> {
        return this.serviceIds.deleteServiceId(...args);
    }

    /** See {@link IamServiceIds.lockServiceId}. */
    lockServiceId(...args: Parameters<IamServiceIds["lockServiceId"]>): Promise<void> {
        return this.serviceIds.lockServiceId(...args);
    }

    /** See {@link IamServiceIds.unlockServiceId}. */
    unlockServiceId(...args: Parameters<IamServiceIds["unlockServiceId"]>): Promise<void> {
        return this.serviceIds.unlockServiceId(...args);
    }

    // ----- IAM Identity API keys (./apiKeys.ts)

    /** See {@link IamApiKeys.createApiKey}. */
    createApiKey(...args: Parameters<IamApiKeys["createApiKey"]>): Promise<ApiKeyResource> {
        return this.apiKeys.createApiKey(...args);
    }

    /** See {@link IamApiKeys.getApiKey}. */
    getApiKey(...args: Parameters<IamApiKeys["getApiKey"]>): Promise<ApiKeyResource | undefined> {
        return this.apiKeys.getApiKey(...args);
    }

    /** See {@link IamApiKeys.readApiKey}. */
    readApiKey(...args: Parameters<IamApiKeys["readApiKey"]>): Promise<ApiKeyAt> {
        return this.apiKeys.readApiKey(...args);
    }

    /** See {@link IamApiKeys.listApiKeys}. */
    listApiKeys(...args: Parameters<IamApiKeys["listApiKeys"]>): Promise<ApiKeyResource[]> {
        return this.apiKeys.listApiKeys(...args);
    }

    /** See {@link IamApiKeys.updateApiKey}. */
    updateApiKey(...args: Parameters<IamApiKeys["updateApiKey"]>): Promise<ApiKeyResource> {
        return this.apiKeys.updateApiKey(...args);
    }

    /** See {@link IamApiKeys.deleteApiKey}. */
    deleteApiKey(...args: Parameters<IamApiKeys["deleteApiKey"]>): Promise<boolean> {
        return this.apiKeys.deleteApiKey(...args);
    }

    /** See {@link IamApiKeys.lockApiKey}. */
    lockApiKey(...args: Parameters<IamApiKeys["lockApiKey"]>): Promise<void> {
        return this.apiKeys.lockApiKey(...args);
    }

    /** See {@link IamApiKeys.unlockApiKey}. */
    unlockApiKey(...args: Parameters<IamApiKeys["unlockApiKey"]>): Promise<void> {
        return this.apiKeys.unlockApiKey(...args);
    }

    // ----- IAM Identity account limits (./accountLimits.ts)

    /** See {@link IamAccountLimits.getIdentityLimits}. */
    getIdentityLimits(...args: Parameters<IamAccountLimits["getIdentityLimits"]>): Promise<IdentityLimits> {
        return this.limits.getIdentityLimits(...args);
    }

    // ----- IAM Policy Management (./policies.ts)

    /** See {@link IamPolicies.createPolicy}. */
    createPolicy(...args: Parameters<IamPolicies["createPolicy"]>): Promise<PolicyWithEtag> {
        return this.policies.createPolicy(...args);
    }

    /** See {@link IamPolicies.getPolicy}. */
    getPolicy(...args: Parameters<IamPolicies["getPolicy"]>): Promise<PolicyWithEtag | undefined> {
        return this.policies.getPolicy(...args);
    }

    /** See {@link IamPolicies.listPolicies}. */
    listPolicies(...args: Parameters<IamPolicies["listPolicies"]>): Promise<IbmPolicy[]> {
        return this.policies.listPolicies(...args);
    }

    /** See {@link IamPolicies.replacePolicy}. */
    replacePolicy(...args: Parameters<IamPolicies["replacePolicy"]>): Promise<PolicyWithEtag> {
        return this.policies.replacePolicy(...args);
    }

    /** See {@link IamPolicies.deletePolicy}. */
    deletePolicy(...args: Parameters<IamPolicies["deletePolicy"]>): Promise<boolean> {
        return this.policies.deletePolicy(...args);
    }

    // ----- IAM Access Groups v2 (./accessGroups.ts)

    /** See {@link IamAccessGroups.createAccessGroup}. */
    createAccessGroup(
        ...args: Parameters<IamAccessGroups["createAccessGroup"]>
    ): Promise<AccessGroupResource> {
        return this.accessGroups.createAccessGroup(...args);
    }

    /** See {@link IamAccessGroups.getAccessGroup}. */
    getAccessGroup(
        ...args: Parameters<IamAccessGroups["getAccessGroup"]>
    ): Promise<AccessGroupResource | undefined> {
        return this.accessGroups.getAccessGroup(...args);
    }

    /** See {@link IamAccessGroups.findAccessGroupByName}. */
    findAccessGroupByName(
        ...args: Parameters<IamAccessGroups["findAccessGroupByName"]>
    ): Promise<AccessGroupResource | undefined> {
        return this.accessGroups.findAccessGroupByName(...args);
    }

    /** See {@link IamAccessGroups.deleteAccessGroup}. */
    deleteAccessGroup(...args: Parameters<IamAccessGroups["deleteAccessGroup"]>): Promise<boolean> {
        return this.accessGroups.deleteAccessGroup(...args);
    }

    /** See {@link IamAccessGroups.addMembersToAccessGroup}. */
    addMembersToAccessGroup(...args: Parameters<IamAccessGroups["addMembersToAccessGroup"]>): Promise<void> {
        return this.accessGroups.addMembersToAccessGroup(...args);
    }

    /** See {@link IamAccessGroups.removeMemberFromAccessGroup}. */
    removeMemberFromAccessGroup(
        ...args: Parameters<IamAccessGroups["removeMemberFromAccessGroup"]>
    ): Promise<boolean> {
        return this.accessGroups.removeMemberFromAccessGroup(...args);
    }

    /** See {@link IamAccessGroups.listAccessGroupMembers}. */
    listAccessGroupMembers(
        ...args: Parameters<IamAccessGroups["listAccessGroupMembers"]>
    ): Promise<AccessGroupMember[] | undefined> {
        return this.accessGroups.listAccessGroupMembers(...args);
    }
}
