// IAM Identity's account limits: GET and POST /v1/accounts/{account_id}/limits/identity (the SDK's
// iam-identity/v1.ts, `getAccountLimits` and `bulkListAccountEntityConsumption`, model
// `IdentityLimitsUsageResponse`). The response has no service-ID section (IBM's model has none);
// the emulator fills `apikeys_per_identity` (always its limit; usage for the iam_ids asked for)
// and, when asked, `profiles` and `idps` (IBM's table limits, count 0: trusted profiles and
// identity providers are not emulated). The other sections (service ID groups, templates, claim
// rules, compute-resource links and rules) are left out.
import { ApiRequest, ApiResponse, HandlerEnv, badRequest, bodyObject, requireOwnAccount } from "./http";

/** "Trusted profiles per account" and "IdPs per account" in IBM's "IBM Cloud IAM limits". */
const PROFILES_PER_ACCOUNT = 2000;
const IDPS_PER_ACCOUNT = 5;

/** What a limits request asks for. */
interface LimitsQuery {
    readonly apikeysPerIdentity: string[];
    readonly profiles: boolean;
    readonly idps: boolean;
}

function flag(req: ApiRequest, name: string, value: unknown): boolean {
    if (value === undefined || value === null || value === "" || value === false || value === "false")
        return false;
    if (value === true || value === "true") return true;
    throw badRequest(req.family, "invalid_parameter", `'${name}' must be true or false.`);
}

function answer(req: ApiRequest, env: HandlerEnv, q: LimitsQuery): ApiResponse {
    const accountId = req.params.id;
    requireOwnAccount(req, accountId);
    const limits = env.limits.get();
    const body: Record<string, unknown> = {};
    if (q.profiles) body.profiles = { limit: PROFILES_PER_ACCOUNT, count: 0 };
    const identities = q.apikeysPerIdentity.map((iamId) => ({
        iam_id: iamId,
        count: [...env.store.apiKeys.values()].filter((k) => k.accountId === accountId && k.iamId === iamId)
            .length,
    }));
    body.apikeys_per_identity = {
        limit: limits.apiKeysPerIdentity,
        ...(identities.length > 0 ? { identities } : {}),
    };
    if (q.idps) body.idps = { limit: IDPS_PER_ACCOUNT, count: 0 };
    return { status: 200, body, accountId };
}

/** IBM operation `getAccountLimits`: GET /v1/accounts/{account_id}/limits/identity → 200. @internal */
export function getAccountLimits(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const list = req.query.get("apikeys_per_identity");
    return answer(req, env, {
        apikeysPerIdentity: list
            ? list
                  .split(",")
                  .map((s) => s.trim())
                  .filter((s) => s !== "")
            : [],
        profiles: flag(req, "profiles", req.query.get("profiles") ?? undefined),
        idps: flag(req, "idps", req.query.get("idps") ?? undefined),
    });
}

/**
 * IBM operation `bulkListAccountEntityConsumption`: POST /v1/accounts/{account_id}/limits/identity
 * with the same questions in a JSON body (lists as arrays) → 200.
 * @internal
 */
export function bulkListAccountEntityConsumption(req: ApiRequest, env: HandlerEnv): ApiResponse {
    const body = bodyObject(req);
    const list = body.apikeys_per_identity;
    if (
        list !== undefined &&
        list !== null &&
        (!Array.isArray(list) || list.some((x) => typeof x !== "string"))
    ) {
        throw badRequest(
            req.family,
            "invalid_body",
            "Property 'apikeys_per_identity' must be an array of iam_ids.",
        );
    }
    return answer(req, env, {
        apikeysPerIdentity: (list as string[] | undefined | null) ?? [],
        profiles: flag(req, "profiles", body.profiles),
        idps: flag(req, "idps", body.idps),
    });
}
