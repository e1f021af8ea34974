// IAM Identity's account limits: `GET /v1/accounts/{account_id}/limits/identity` (IBM's IAM
// Identity API reference, "Get account limits"; the platform-services SDK's iam-identity/v1.ts,
// `getAccountLimits`, model `IdentityLimitsUsageResponse`). IAM reports some identity limits
// there, such as `apikeys_per_identity`; it has no section for service IDs or policies, whose
// limits are IBM's documented defaults ("IAM account limits", ../../shared/iam/accountLimits.ts).
import type { IamTransport } from "./transport";

/** One reported limit: the account's limit and, where asked for, its current use. */
export interface ReportedLimit {
    readonly limit?: number;
    readonly count?: number;
}

/** The parts of IAM's answer this library reads. */
export interface IdentityLimits {
    readonly apikeys_per_identity?: ReportedLimit & {
        readonly identities?: { readonly iam_id: string; readonly count: number }[];
    };
}

/** Calls to IAM Identity's account limits. */
export class IamAccountLimits {
    constructor(private readonly transport: IamTransport) {}

    /**
     * `GET /v1/accounts/{account_id}/limits/identity`, with the API keys held by each of `iamIds`
     * (`apikeys_per_identity=<iam_id>,...`) when given.
     */
    async getIdentityLimits(req: { accountId?: string; iamIds?: string[] } = {}): Promise<IdentityLimits> {
        const accountId = req.accountId ?? (await this.transport.accountId());
        const res = await this.transport.send({
            method: "GET",
            path: `/v1/accounts/${encodeURIComponent(accountId)}/limits/identity`,
            query:
                req.iamIds !== undefined && req.iamIds.length > 0
                    ? { apikeys_per_identity: req.iamIds.join(",") }
                    : undefined,
            ok: [200],
        });
        return (res.data ?? {}) as IdentityLimits;
    }
}
