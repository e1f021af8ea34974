// IAM as an OpenID Connect issuer: IBM IAM is the issuer of the ID tokens that IKS clusters
// accept (their kube-apiserver runs with `--oidc-issuer-url=https://iam.cloud.ibm.com/identity`
// and `--oidc-client-id=kube`; `ibmcloud ks cluster config` wrote kubeconfigs with the `oidc`
// auth-provider, client-id/secret `kube`, an id-token and a refresh-token).
//
//   GET /identity/.well-known/openid-configuration   the discovery document (issuer = <base>/identity)
//   GET /identity/keys                               the JWKS (IBM's published key path)
//   POST /identity/token grant_type=refresh_token    new access, refresh and ID tokens
//
// From IBM's published material: the issuer `https://iam.cloud.ibm.com/identity`, the discovery
// path under it, the keys at /identity/keys, the refresh_token grant among the advertised grant
// types, and the ID token's claims (an IKS kubeconfig's id-token: RS256 with a date-like `kid`,
// `aud: "kube"`, `iam_id`, `sub`, names, `email`, `scope`, `authn`, and per-account
// `sub_<account>`, `iam_id_<account>`, `realmed_sub_<account>`, `groups_<account>`).
// Emulator choices where IBM is silent: the clients are IBM's two public ones, `bx`/`bx`
// (the CLI) and `kube`/`kube` (kubeconfigs); a client authenticated with HTTP Basic (or
// client_id/client_secret in the form) gets a refresh token with the API-key grant (as `bx:bx`
// does at IBM) and an ID token whose `aud` is that client; refresh tokens are opaque, kept only
// as hashes, valid 30 days and reusable until then; the RSA signing key lives in memory only,
// so ID tokens do not survive a restart (access tokens do). `groups_<account>` lists the ids of
// the access groups the identity is a member of at the time of the login or refresh (./access.ts),
// so a kube-apiserver run with `--oidc-groups-claim=groups_<account>` sees a group's members;
// IBM shows the claim (empty for an identity in no group) but not what a member's holds.
import { accessGroupIdsOf } from "./access";
import { createHash, generateKeyPairSync, KeyObject, randomBytes, sign } from "crypto";
import { ApiError, MessageCode } from "./errors";
import { ApiRequest, ApiResponse, HandlerEnv } from "./http";
import { TokenSubject } from "./tokens";

/** IBM's public OAuth clients and their (public) secrets. */
const CLIENTS: Readonly<Record<string, string>> = { bx: "bx", kube: "kube" };

const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

interface RefreshGrant {
    readonly subject: TokenSubject;
    readonly clientId: string;
    readonly expiresAt: number;
}

/** One emulator's issuer state: the signing key and the refresh tokens issued. */
class Issuer {
    private key?: { privateKey: KeyObject; publicKey: KeyObject; kid: string };
    readonly refreshGrants = new Map<string, RefreshGrant>();

    signingKey(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
        // Made on first use: most emulator runs never issue an ID token.
        this.key ??= {
            ...generateKeyPairSync("rsa", { modulusLength: 2048 }),
            kid: new Date().toISOString().replace(/[-:T]/g, "").slice(0, 12),
        };
        return this.key;
    }
}

// Per emulator instance, keyed by its TokenService, without adding a field to HandlerEnv.
const issuers = new WeakMap<object, Issuer>();
function issuerOf(env: HandlerEnv): Issuer {
    let i = issuers.get(env.tokens);
    if (i === undefined) {
        i = new Issuer();
        issuers.set(env.tokens, i);
    }
    return i;
}

const hash = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

/** The issuer URL, as the `iss` of every ID token: the emulator's base URL + `/identity`. */
export function issuerUrl(req: ApiRequest): string {
    return `${req.baseUrl}/identity`;
}

/** IBM operation: the OpenID discovery document. @internal */
export function getOpenIdConfiguration(req: ApiRequest): ApiResponse {
    const iss = issuerUrl(req);
    return {
        status: 200,
        body: {
            issuer: iss,
            authorization_endpoint: `${iss}/authorize`,
            token_endpoint: `${iss}/token`,
            jwks_uri: `${iss}/keys`,
            response_types_supported: ["code", "token", "id_token", "code id_token", "token id_token"],
            subject_types_supported: ["public"],
            id_token_signing_alg_values_supported: ["RS256"],
            token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
            grant_types_supported: [
                "authorization_code",
                "refresh_token",
                "password",
                "implicit",
                "urn:ibm:params:oauth:grant-type:apikey",
                "urn:ibm:params:oauth:grant-type:delegated-refresh-token",
                "urn:ibm:params:oauth:grant-type:iam-authz",
            ],
            scopes_supported: [
                "openid",
                "email",
                "profile",
                "ibm",
                "roles",
                "containers-kubernetes",
                "containers-openshift",
            ],
            claims_supported: [
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "iam_id",
                "name",
                "given_name",
                "family_name",
                "email",
            ],
        },
    };
}

/** IBM operation: the public signing keys (JWKS). @internal */
export function getKeys(_req: ApiRequest, env: HandlerEnv): ApiResponse {
    const { publicKey, kid } = issuerOf(env).signingKey();
    const jwk = publicKey.export({ format: "jwk" }) as { kty: string; n: string; e: string };
    return { status: 200, body: { keys: [{ kty: jwk.kty, n: jwk.n, e: jwk.e, alg: "RS256", kid }] } };
}

/**
 * The OAuth client a token request authenticates as (HTTP Basic, else client_id/client_secret
 * in the form), undefined when none is given; a wrong secret or unknown client is a 400.
 * @internal
 */
export function clientOf(req: ApiRequest, form: URLSearchParams): string | undefined {
    const header = String(req.headers.authorization ?? "");
    let id: string | undefined;
    let secret: string | undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic) {
        const text = Buffer.from(basic[1], "base64").toString("utf8");
        const colon = text.indexOf(":");
        id = decodeURIComponent(colon < 0 ? text : text.slice(0, colon));
        secret = colon < 0 ? "" : decodeURIComponent(text.slice(colon + 1));
    } else if (form.get("client_id") !== null) {
        id = form.get("client_id")!;
        secret = form.get("client_secret") ?? "";
    }
    if (id === undefined) return undefined;
    if (CLIENTS[id] === undefined || CLIENTS[id] !== secret) {
        throw new ApiError(400, MessageCode.PropertyInvalid, "Validation of property 'client_id' failed.", {
            messageCode: MessageCode.PropertyInvalid,
            details: "The client id or client secret is not valid.",
        });
    }
    return id;
}

/** The ID token for `subject`, for `clientId`, valid as long as access tokens are. */
function idToken(req: ApiRequest, env: HandlerEnv, subject: TokenSubject, clientId: string): string {
    const { privateKey, kid } = issuerOf(env).signingKey();
    const iat = Math.floor(env.now() / 1000);
    const account = subject.accountId;
    const sub = subject.email ?? subject.identifier;
    const [given, family] = subject.name.split(" ");
    const claims: Record<string, unknown> = {
        iam_id: subject.iamId,
        iss: issuerUrl(req),
        sub,
        aud: clientId,
        ...(subject.kind === "user" ? { given_name: given, family_name: family ?? "" } : {}),
        name: subject.name,
        ...(subject.email !== undefined ? { email: subject.email } : {}),
        exp: iat + env.tokens.ttlSeconds,
        scope: "ibm openid containers-kubernetes",
        iat,
        authn: { sub, iam_id: subject.iamId, name: subject.name },
        [`sub_${account}`]: sub.toLowerCase(),
        [`iam_id_${account}`]: subject.iamId,
        [`realmed_sub_${account}`]: subject.kind === "user" ? `IBMid-${sub.toLowerCase()}` : subject.iamId,
        [`groups_${account}`]: accessGroupIdsOf(env.store, account, subject.iamId),
    };
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), "utf8").toString("base64url");
    const unsigned = `${b64({ kid, alg: "RS256" })}.${b64(claims)}`;
    return `${unsigned}.${sign("sha256", Buffer.from(unsigned), privateKey).toString("base64url")}`;
}

/**
 * What an authenticated client gets besides the access token: a refresh token and an ID token.
 * @internal
 */
export function clientTokens(
    req: ApiRequest,
    env: HandlerEnv,
    subject: TokenSubject,
    clientId: string,
): { refresh_token: string; refresh_token_expiration: number; id_token: string } {
    const refreshToken = randomBytes(48).toString("base64url");
    const expiresAt = Math.floor(env.now() / 1000) + REFRESH_TOKEN_TTL_SECONDS;
    issuerOf(env).refreshGrants.set(hash(refreshToken), { subject, clientId, expiresAt });
    return {
        refresh_token: refreshToken,
        refresh_token_expiration: expiresAt,
        id_token: idToken(req, env, subject, clientId),
    };
}

/** IBM operation `getToken` with `grant_type=refresh_token`. @internal */
export function refreshTokenGrant(req: ApiRequest, env: HandlerEnv, form: URLSearchParams): ApiResponse {
    const presented = form.get("refresh_token");
    if (!presented) {
        throw new ApiError(400, MessageCode.PropertyMissing, "Property missing or empty.", {
            messageCode: MessageCode.PropertyMissing,
            details: "Property 'refresh_token' either missing or empty.",
        });
    }
    const clientId = clientOf(req, form);
    const grant = issuerOf(env).refreshGrants.get(hash(presented));
    const now = Math.floor(env.now() / 1000);
    if (
        grant === undefined ||
        grant.expiresAt <= now ||
        (clientId !== undefined && clientId !== grant.clientId)
    ) {
        throw new ApiError(400, MessageCode.InvalidToken, "Provided refresh token is invalid.", {
            messageCode: MessageCode.InvalidToken,
        });
    }
    const issued = env.tokens.issue(grant.subject, env.now());
    return {
        status: 200,
        body: {
            access_token: issued.accessToken,
            ...clientTokens(req, env, grant.subject, grant.clientId),
            token_type: "Bearer",
            expires_in: env.tokens.ttlSeconds,
            expiration: issued.claims.exp,
            scope: "ibm openid",
        },
        accountId: grant.subject.accountId,
    };
}
