// IAM access tokens: JWTs carrying IBM's claims (IBM IAM docs: Access-token JWT claims).
// IBM signs with RS256 and publishes keys at /identity/keys; the emulator signs with HS256 and
// an emulator-local secret, because nothing outside the emulator verifies the signature and a
// symmetric key is cheap to persist in the state file (so tokens survive a restart).
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "crypto";

/** The issuer IBM puts in `iss`. */
export const TOKEN_ISSUER = "https://iam.cloud.ibm.com/identity";
/** The API-key grant type, the only one the emulator supports. */
export const APIKEY_GRANT_TYPE = "urn:ibm:params:oauth:grant-type:apikey";

/** Who a token is issued to. */
export interface TokenSubject {
    /** "user" for the account's admin key given at start-up, "serviceId" for keys created through the API. */
    readonly kind: "user" | "serviceId";
    readonly accountId: string;
    /** "IBMid-…" for users, "iam-ServiceId-<uuid>" for service IDs. */
    readonly iamId: string;
    readonly name: string;
    /** "ServiceId-<uuid>" for service IDs; the IBMid without prefix for users. */
    readonly identifier: string;
    /** Users only. */
    readonly email?: string;
}

/** The claims the emulator issues; a subset of what IBM issues, with the same names and types. */
export interface AccessTokenClaims {
    iam_id: string;
    id: string;
    realmid: string;
    jti: string;
    identifier: string;
    name: string;
    sub: string;
    sub_type?: string;
    given_name?: string;
    family_name?: string;
    email?: string;
    authn: Record<string, unknown>;
    account: { valid: boolean; bss: string; frozen: boolean; ims_user_id?: string };
    iat: number;
    exp: number;
    iss: string;
    grant_type: string;
    scope: string;
    client_id: string;
    acr: number;
    amr: string[];
}

/** A token just issued. */
export interface IssuedToken {
    readonly accessToken: string;
    readonly claims: AccessTokenClaims;
}

/** Why a presented token was refused. */
export type TokenRejection = "malformed" | "signature" | "expired";

function b64url(value: unknown): string {
    return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

/** A random HS256 signing key, base64-encoded for the state file. @internal */
export function newSigningKey(): string {
    return randomBytes(32).toString("base64");
}

/**
 * Issues and verifies IAM access tokens for one emulator instance.
 * @internal
 */
export class TokenService {
    private readonly key: Buffer;
    /** IBM's `kid` is a date-like string such as "20170801…"; ours is the key's creation minute. */
    readonly kid: string;

    constructor(
        signingKeyBase64: string,
        readonly ttlSeconds: number,
        kid?: string,
    ) {
        this.key = Buffer.from(signingKeyBase64, "base64");
        this.kid = kid ?? new Date().toISOString().replace(/[-:T]/g, "").slice(0, 12);
    }

    /** Issues a token for `subject`, valid for `ttlSeconds` from `nowMs`. */
    issue(subject: TokenSubject, nowMs: number): IssuedToken {
        const iat = Math.floor(nowMs / 1000);
        const common = {
            jti: randomUUID(),
            iat,
            exp: iat + this.ttlSeconds,
            iss: TOKEN_ISSUER,
            grant_type: APIKEY_GRANT_TYPE,
            scope: "ibm openid",
            client_id: "default",
            acr: 1,
            amr: ["pwd"],
        };
        let claims: AccessTokenClaims;
        if (subject.kind === "serviceId") {
            claims = {
                iam_id: subject.iamId,
                id: subject.iamId,
                realmid: "iam",
                identifier: subject.identifier,
                name: subject.name,
                sub: subject.identifier,
                sub_type: "ServiceId",
                authn: {
                    sub: subject.identifier,
                    iam_id: subject.iamId,
                    sub_type: "ServiceId",
                    name: subject.name,
                },
                account: { valid: true, bss: subject.accountId, frozen: true },
                ...common,
            };
        } else {
            // User tokens carry the person's names and email, and `sub` is the email (IBM's IAM API documentation).
            const [given, family] = subject.name.split(" ");
            claims = {
                iam_id: subject.iamId,
                id: subject.iamId,
                realmid: "IBMid",
                identifier: subject.identifier,
                given_name: given,
                family_name: family ?? "",
                name: subject.name,
                email: subject.email,
                sub: subject.email ?? subject.identifier,
                authn: {
                    sub: subject.email ?? subject.identifier,
                    iam_id: subject.iamId,
                    name: subject.name,
                    given_name: given,
                    family_name: family ?? "",
                    email: subject.email,
                },
                account: { valid: true, bss: subject.accountId, frozen: true },
                ...common,
            };
        }
        const unsigned = `${b64url({ kid: this.kid, alg: "HS256" })}.${b64url(claims)}`;
        return { accessToken: `${unsigned}.${this.sign(unsigned)}`, claims };
    }

    /** Verifies signature and expiry; returns the claims or why the token is refused. */
    verify(
        token: string,
        nowMs: number,
    ): { ok: true; claims: AccessTokenClaims } | { ok: false; reason: TokenRejection } {
        const parts = token.split(".");
        if (parts.length !== 3) return { ok: false, reason: "malformed" };
        const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
        const actual = Buffer.from(parts[2]);
        if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
            return { ok: false, reason: "signature" };
        }
        let claims: AccessTokenClaims;
        try {
            const header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8")) as {
                alg?: string;
            };
            if (header.alg !== "HS256") return { ok: false, reason: "malformed" };
            claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as AccessTokenClaims;
        } catch {
            return { ok: false, reason: "malformed" };
        }
        if (typeof claims.exp !== "number" || claims.exp * 1000 <= nowMs)
            return { ok: false, reason: "expired" };
        if (typeof claims.account?.bss !== "string" || typeof claims.iam_id !== "string") {
            return { ok: false, reason: "malformed" };
        }
        return { ok: true, claims };
    }

    private sign(data: string): string {
        return createHmac("sha256", this.key).update(data).digest("base64url");
    }
}
