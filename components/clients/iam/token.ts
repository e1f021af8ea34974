// The IAM access token of one API key: exchanged at `<endpoint>/identity/token` (grant type
// `urn:ibm:params:oauth:grant-type:apikey`, IBM's IAM Identity API reference, "Create an IAM
// access token for a user or service ID using an API key"), cached per process by endpoint and
// key, refreshed at 80 % of its lifetime as IBM's node-sdk-core does (`jwt-token-manager.ts`),
// with one exchange in flight at a time.
import { createHash } from "crypto";
import type { Call, IamResponse } from "./call";
import { IamError } from "./errors";
import { CachedToken, shared } from "./processState";
import { str } from "./wire";

/** The claims of a JWT, without verifying it (IAM's own TLS response is the trust anchor). @internal */
export function decodeJwtClaims(token: string): Record<string, unknown> {
    const part = token.split(".")[1];
    if (!part) return {};
    try {
        const json = Buffer.from(part.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
        const claims = JSON.parse(json);
        return claims !== null && typeof claims === "object" ? claims : {};
    } catch {
        return {};
    }
}

/** The token cache of one endpoint and API key. */
export class IamTokenManager {
    // Not enumerable: a logged or JSON-serialized client must not show the key.
    declare private readonly apiKey: string;

    /** `request` sends the exchange through the client's transport (its retries, its errors). */
    constructor(
        private readonly endpoint: string,
        apiKey: string,
        private readonly request: (call: Call) => Promise<IamResponse>,
    ) {
        Object.defineProperty(this, "apiKey", { value: apiKey, enumerable: false });
    }

    private cacheKey(): string {
        return `${this.endpoint}\n${createHash("sha256").update(this.apiKey).digest("hex")}`;
    }

    /** The cached token, exchanged anew from 80 % of its lifetime on. */
    async token(): Promise<CachedToken> {
        const tokens = shared().tokens;
        const key = this.cacheKey();
        let slot = tokens.get(key);
        if (!slot) {
            slot = {};
            tokens.set(key, slot);
        }
        const cached = slot.token;
        if (cached && Date.now() < cached.refreshAt) return cached;
        if (slot.inflight) return slot.inflight;
        const s = slot;
        const p = this.exchange()
            .then(
                (t) => {
                    s.token = t;
                    return t;
                },
                (err) => {
                    // Refresh failed but the old token is still good: use it; the next call retries.
                    if (cached && Date.now() < cached.expiresAt) return cached;
                    throw err;
                },
            )
            .finally(() => {
                if (s.inflight === p) s.inflight = undefined;
            });
        s.inflight = p;
        return p;
    }

    /** Drops a token IAM refused (401), unless a newer one already replaced it. */
    invalidate(accessToken: string): void {
        const slot = shared().tokens.get(this.cacheKey());
        if (slot?.token?.accessToken === accessToken) slot.token = undefined;
    }

    private async exchange(): Promise<CachedToken> {
        const form = new URLSearchParams({
            grant_type: "urn:ibm:params:oauth:grant-type:apikey",
            apikey: this.apiKey,
            response_type: "cloud_iam",
        }).toString();
        const res = await this.request({
            method: "POST",
            path: "/identity/token",
            body: form,
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            ok: [200],
            tokenRequest: true,
        });
        const data = (res.data ?? {}) as Record<string, unknown>;
        const accessToken = str(data.access_token);
        if (!accessToken) {
            throw new IamError({
                method: "POST",
                path: "/identity/token",
                status: res.status,
                message: "the response has no access_token",
            });
        }
        const claims = decodeJwtClaims(accessToken);
        const exp = typeof claims.exp === "number" ? claims.exp : undefined;
        const iat = typeof claims.iat === "number" ? claims.iat : undefined;
        const ttlSeconds =
            exp !== undefined && iat !== undefined && exp > iat
                ? exp - iat
                : typeof data.expires_in === "number" && data.expires_in > 0
                  ? data.expires_in
                  : 3600;
        // Anchored on our clock (TTL from the claims), so a skewed client clock does not matter.
        const received = Date.now();
        const ttlMs = ttlSeconds * 1000;
        const account = (claims.account ?? {}) as Record<string, unknown>;
        return {
            accessToken,
            accountId: str(account.bss),
            refreshAt: received + 0.8 * ttlMs,
            expiresAt: received + ttlMs - Math.min(10_000, 0.1 * ttlMs),
        };
    }
}
