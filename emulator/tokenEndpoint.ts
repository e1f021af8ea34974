// POST /identity/token: exchanges an API key for an IAM access token (IBM's IAM API documentation).
// Two kinds of keys work: each account's admin key given at start-up (a user identity,
// IBMid realm) and API keys created through /v1/apikeys (service IDs, or the owner).
// Errors use the token endpoint's own `{errorCode, errorMessage, errorDetails?, context}` shape,
// and an unknown key is a 400, not a 401, as on the real service.
import { ApiError, MessageCode } from "./errors";
import { ApiRequest, ApiResponse, HandlerEnv } from "./http";
import { isExpired } from "./apiKeys";
import { hashApiKey } from "./ids";
import { clientOf, clientTokens, refreshTokenGrant } from "./oidc";
import { APIKEY_GRANT_TYPE, TokenSubject } from "./tokens";

function missing(property: string): ApiError {
    return new ApiError(400, MessageCode.PropertyMissing, "Property missing or empty.", {
        messageCode: MessageCode.PropertyMissing,
        details: `Property '${property}' either missing or empty.`,
    });
}

function invalid(property: string, valid: string): ApiError {
    return new ApiError(
        400,
        MessageCode.PropertyInvalid,
        `Validation of property '${property}' failed. Valid values: '${valid}'.`,
        { messageCode: MessageCode.PropertyInvalid },
    );
}

/** Finds who `apiKey` belongs to, or throws IBM's 400 BXNIM0415E. @internal */
export function resolveApiKey(env: HandlerEnv, apiKey: string): TokenSubject {
    const hash = hashApiKey(apiKey);
    const account = env.store.accountByAdminKeyHash(hash);
    if (account) {
        return {
            kind: "user",
            accountId: account.accountId,
            iamId: account.adminIamId,
            identifier: account.adminIamId.replace(/^IBMid-/, ""),
            name: account.adminName,
            email: account.adminEmail,
        };
    }
    const key = env.store.apiKeyByHash(hash);
    if (!key) {
        throw new ApiError(400, MessageCode.ApiKeyNotFound, "Provided API key could not be found.", {
            messageCode: MessageCode.ApiKeyNotFound,
        });
    }
    if (key.disabled) {
        throw new ApiError(400, MessageCode.ApiKeyUnusable, "Provided API key is disabled.", {
            messageCode: MessageCode.ApiKeyUnusable,
        });
    }
    if (isExpired(key, env.now())) {
        throw new ApiError(400, MessageCode.ApiKeyUnusable, "Provided API key is expired.", {
            messageCode: MessageCode.ApiKeyUnusable,
        });
    }
    const serviceId = env.store.serviceIdByIamId(key.iamId);
    if (serviceId) {
        return {
            kind: "serviceId",
            accountId: serviceId.accountId,
            iamId: serviceId.iamId,
            identifier: serviceId.id,
            name: serviceId.name,
        };
    }
    const owner = env.store.accounts.get(key.accountId);
    if (owner && owner.adminIamId === key.iamId) {
        return resolveApiKeyOwner(owner.accountId, env);
    }
    // The key's identity is gone (its service ID was deleted): IBM no longer finds the key.
    throw new ApiError(400, MessageCode.ApiKeyNotFound, "Provided API key could not be found.", {
        messageCode: MessageCode.ApiKeyNotFound,
    });
}

function resolveApiKeyOwner(accountId: string, env: HandlerEnv): TokenSubject {
    const a = env.store.accounts.get(accountId);
    if (!a) throw new Error(`unknown account ${accountId}`);
    return {
        kind: "user",
        accountId,
        iamId: a.adminIamId,
        identifier: a.adminIamId.replace(/^IBMid-/, ""),
        name: a.adminName,
        email: a.adminEmail,
    };
}

/** IBM operation `getToken` (API key grant). @internal */
export function getToken(req: ApiRequest, env: HandlerEnv): ApiResponse {
    // IBM reads the form body; anything else simply has no fields (→ BXNIM0109E).
    const contentType = String(req.headers["content-type"] ?? "");
    const form = contentType.includes("application/x-www-form-urlencoded")
        ? new URLSearchParams(req.rawBody)
        : new URLSearchParams();
    const grantType = form.get("grant_type");
    if (!grantType) throw missing("grant_type");
    if (grantType === "refresh_token") return refreshTokenGrant(req, env, form);
    if (grantType !== APIKEY_GRANT_TYPE) throw invalid("grant_type", `${APIKEY_GRANT_TYPE}, refresh_token`);
    const responseType = form.get("response_type");
    if (responseType !== null && responseType !== "cloud_iam") throw invalid("response_type", "cloud_iam");
    const apiKey = form.get("apikey");
    if (!apiKey) throw missing("apikey");

    const clientId = clientOf(req, form);
    const subject = resolveApiKey(env, apiKey);
    const issued = env.tokens.issue(subject, env.now());
    const body: Record<string, unknown> = {
        access_token: issued.accessToken,
        // The API-key grant without a client id gets no refresh token (IBM's IAM API documentation);
        // an authenticated client (e.g. bx:bx) gets one, and an ID token (./oidc.ts).
        refresh_token: "not_supported",
        ...(clientId !== undefined ? clientTokens(req, env, subject, clientId) : {}),
        token_type: "Bearer",
        expires_in: env.tokens.ttlSeconds,
        expiration: issued.claims.exp,
        scope: "ibm openid",
    };
    if (subject.kind === "user") {
        // A user-only field; omitted for service IDs (not documented by IBM).
        body.ims_user_id = Number.parseInt(subject.iamId.replace(/\D/g, "").slice(0, 8) || "1", 10);
        return { status: 200, body: reorder(body), accountId: subject.accountId };
    }
    return { status: 200, body, accountId: subject.accountId };
}

// IBM's sample lists ims_user_id right after refresh_token.
function reorder(b: Record<string, unknown>): Record<string, unknown> {
    const { access_token, refresh_token, ims_user_id, ...rest } = b;
    return { access_token, refresh_token, ims_user_id, ...rest };
}
