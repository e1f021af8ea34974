// What the IAM client keeps per process rather than per client: cached tokens, and when this
// process created which object. State written before the provider shims holds by-value copies
// of the client, which may run in the same provider host as this one, so the state lives on
// `globalThis` under a `Symbol.for` key, in a shape every copy shares: never change either.

/** An access token and what the client derives from it. */
export interface CachedToken {
    accessToken: string;
    accountId?: string;
    refreshAt: number;
    expiresAt: number;
}

/** The token of one endpoint and key, and the exchange in flight for it. */
export interface TokenSlot {
    token?: CachedToken;
    inflight?: Promise<CachedToken>;
}

interface SharedState {
    tokens: Map<string, TokenSlot>;
    /** Object path ("/v1/serviceids/<id>") → when this process created it. */
    created: Map<string, number>;
}

/** The process-wide state. @internal */
export function shared(): SharedState {
    // Symbol.for is looked up at run time: a symbol captured at serialization time would not
    // be the process-wide registered one.
    const key = Symbol.for("pulumi-icr-access/iam-client/shared-state/v1");
    const g = globalThis as unknown as Record<symbol, SharedState | undefined>;
    let state = g[key];
    if (!state) {
        state = { tokens: new Map(), created: new Map() };
        g[key] = state;
    }
    return state;
}

/**
 * Forgets cached tokens and recently created objects of this process (tests).
 * @internal
 */
export function resetIamClientState(): void {
    const s = shared();
    s.tokens.clear();
    s.created.clear();
}
