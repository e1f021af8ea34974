// The `oidc` auth-provider of a kubeconfig, as client-go's oidc plugin runs it: the `id-token`
// while it is valid (its `exp` more than 10 s away), else a new one from the issuer's token
// endpoint with the `refresh-token` grant (client-id/client-secret as HTTP Basic), the endpoint
// found through `<idp-issuer-url>/.well-known/openid-configuration`. IKS kubeconfigs made by
// `ibmcloud ks cluster config` carry IAM ID tokens of well under an hour, so a kubeconfig kept
// in stack config is usually expired by the next run and must be refreshed.
//
// client-go writes the new tokens back into the kubeconfig file. Here the kubeconfig is a
// stack input stored in state, so nothing is written back: the new tokens live in this process
// only (on globalThis, never in a closure that could be serialized), and a later run refreshes
// again with the same refresh token. The tokens never reach state, outputs or messages.
import axios from "axios";
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import { NamedError } from "../../shared/namedError";
import { axiosProxy, chooseProxy, tunnelingAgent } from "./proxy";

/** The `auth-provider.config` of an `oidc` user, resolved. */
export interface OidcConfig {
    readonly issuerUrl?: string;
    readonly clientId?: string;
    readonly clientSecret?: string;
    readonly idToken?: string;
    readonly refreshToken?: string;
    /** CA bundle for the issuer: PEM text, or a file to read. */
    readonly issuerCa?: { readonly data?: string; readonly file?: string };
    readonly extraScopes: readonly string[];
}

/** Failure to get an ID token; the message names the user and never holds a token. */
export class OidcTokenError extends NamedError {
    constructor(message: string) {
        super("OidcTokenError", message);
    }
}

interface CachedIdToken {
    idToken: string;
    refreshToken: string;
}

function cache(): Map<string, CachedIdToken> {
    const g = globalThis as { __icrAccessOidcTokens?: Map<string, CachedIdToken> };
    g.__icrAccessOidcTokens ??= new Map();
    return g.__icrAccessOidcTokens;
}

/** client-go's margin: a token that expires within 10 s counts as expired. */
const EXPIRY_MARGIN_MS = 10_000;

/** Whether a JWT's `exp` is past (with the margin). A token that is not a JWT is taken as valid. */
export function idTokenExpired(token: string, nowMs: number = Date.now()): boolean {
    const payload = token.split(".")[1];
    if (payload === undefined) return false;
    try {
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
        return typeof claims.exp === "number" && claims.exp * 1000 <= nowMs + EXPIRY_MARGIN_MS;
    } catch {
        return false;
    }
}

/**
 * The ID token to send: the kubeconfig's while valid and `force` is not set, else one
 * refreshed at the issuer (cached per process until it expires).
 * @param who e.g. `kubeconfig user "u"`, for messages
 */
export async function oidcIdToken(
    cfg: OidcConfig,
    who: string,
    opts: { force?: boolean; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
    if (!opts.force && cfg.idToken !== undefined && !idTokenExpired(cfg.idToken)) return cfg.idToken;
    if (cfg.refreshToken === undefined) {
        throw new OidcTokenError(
            `${who}: the oidc id-token has expired and there is no refresh-token to renew it; ` +
                `write a new kubeconfig (for IBM Cloud: \`ibmcloud ks cluster config --cluster <name>\`)`,
        );
    }
    const key = crypto
        .createHash("sha256")
        .update(JSON.stringify([cfg.issuerUrl, cfg.clientId, cfg.refreshToken]))
        .digest("hex");
    const hit = cache().get(key);
    if (!opts.force && hit !== undefined && !idTokenExpired(hit.idToken)) return hit.idToken;
    const fresh = await refresh(cfg, hit?.refreshToken ?? cfg.refreshToken, who, opts);
    cache().set(key, fresh);
    return fresh.idToken;
}

async function refresh(
    cfg: OidcConfig,
    refreshToken: string,
    who: string,
    opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CachedIdToken> {
    const issuer = cfg.issuerUrl!.replace(/\/+$/, "");
    let ca: string | undefined;
    if (cfg.issuerCa?.data !== undefined) ca = cfg.issuerCa.data;
    else if (cfg.issuerCa?.file !== undefined) {
        try {
            ca = fs.readFileSync(cfg.issuerCa.file, "utf8");
        } catch (err) {
            throw new OidcTokenError(
                `${who}: cannot read idp-certificate-authority file ${cfg.issuerCa.file}: ${(err as Error).message}`,
            );
        }
    }
    const env = opts.env ?? process.env;
    // Like client-go's oidc plugin: the environment's proxy, not the cluster's proxy-url.
    const http = (url: string) => {
        const target = new URL(url);
        const proxy = chooseProxy(target, undefined, env, "");
        const tlsOptions = { ca, keepAlive: false };
        return {
            httpsAgent:
                target.protocol === "https:"
                    ? proxy !== undefined
                        ? tunnelingAgent(proxy, tlsOptions)
                        : new https.Agent(tlsOptions)
                    : undefined,
            proxy: proxy !== undefined && target.protocol === "http:" ? axiosProxy(proxy) : (false as const),
            timeout: opts.timeoutMs ?? 30_000,
            validateStatus: () => true,
        };
    };
    const fail = (what: string) =>
        new OidcTokenError(`${who}: refreshing the oidc id-token at ${issuer} failed: ${what}`);

    let tokenEndpoint: string;
    try {
        const discoveryUrl = `${issuer}/.well-known/openid-configuration`;
        const res = await axios.get<{ issuer?: unknown; token_endpoint?: unknown }>(
            discoveryUrl,
            http(discoveryUrl),
        );
        if (res.status !== 200 || typeof res.data?.token_endpoint !== "string") {
            throw fail(
                `GET /.well-known/openid-configuration answered ${res.status} without a token_endpoint`,
            );
        }
        tokenEndpoint = res.data.token_endpoint;
    } catch (err) {
        if (err instanceof OidcTokenError) throw err;
        throw fail(`${(err as NodeJS.ErrnoException).code ?? "error"}: ${(err as Error).message}`);
    }

    const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken });
    if (cfg.extraScopes.length > 0) form.set("scope", ["openid", ...cfg.extraScopes].join(" "));
    const basic = Buffer.from(
        `${encodeURIComponent(cfg.clientId ?? "")}:${encodeURIComponent(cfg.clientSecret ?? "")}`,
    ).toString("base64");
    let data: Record<string, unknown>;
    let status: number;
    try {
        const res = await axios.post<Record<string, unknown>>(tokenEndpoint, form.toString(), {
            ...http(tokenEndpoint),
            headers: {
                "Content-Type": "application/x-www-form-urlencoded",
                Accept: "application/json",
                Authorization: `Basic ${basic}`,
            },
        });
        status = res.status;
        data = typeof res.data === "object" && res.data !== null ? res.data : {};
    } catch (err) {
        throw fail(`${(err as NodeJS.ErrnoException).code ?? "error"}: ${(err as Error).message}`);
    }
    if (status !== 200) {
        // OAuth's {error, error_description} or IBM's {errorCode, errorMessage}: codes and
        // messages, never the request's tokens.
        const code = [data.error, data.errorCode].find((v) => typeof v === "string");
        const text = [data.error_description, data.errorMessage].find((v) => typeof v === "string");
        throw fail(
            `HTTP ${status}${code ? ` ${String(code)}` : ""}${text ? `: ${String(text).slice(0, 200)}` : ""}; ` +
                `the refresh-token may have expired: write a new kubeconfig (for IBM Cloud: \`ibmcloud ks cluster config --cluster <name>\`)`,
        );
    }
    if (typeof data.id_token !== "string" || data.id_token === "") {
        throw fail(`the token response holds no id_token`);
    }
    return {
        idToken: data.id_token,
        refreshToken:
            typeof data.refresh_token === "string" &&
            data.refresh_token !== "" &&
            data.refresh_token !== "not_supported"
                ? data.refresh_token
                : refreshToken,
    };
}
