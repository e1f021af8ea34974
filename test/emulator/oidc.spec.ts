// IAM as the OpenID issuer of IKS's tokens: discovery under /identity, the JWKS at
// /identity/keys, ID tokens for IBM's public clients, and the refresh_token grant that a
// kubeconfig's oidc auth-provider uses.
import { expect } from "chai";
import { createPublicKey, verify } from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import {
    ACCOUNT_A,
    ADMIN_KEY_A,
    APIKEY_GRANT,
    Harness,
    client,
    decodeJwt,
    startHarness,
    tokenRequest,
} from "./harness";
import { issueCert, makeCa } from "../bed/pki";

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

describe("IAM emulator: OpenID issuer", () => {
    let h: Harness;
    before(async () => {
        h = await startHarness();
    });
    after(async () => h.iam.close());

    const kubeLogin = () =>
        h.http.post(
            "/identity/token",
            new URLSearchParams({ grant_type: APIKEY_GRANT, apikey: ADMIN_KEY_A }).toString(),
            {
                headers: {
                    "Content-Type": "application/x-www-form-urlencoded",
                    Authorization: basic("kube", "kube"),
                },
            },
        );

    /** Verifies an RS256 JWT against the emulator's JWKS and returns its claims. */
    async function verified(token: string): Promise<Record<string, unknown>> {
        const keys = (await h.http.get("/identity/keys")).data.keys as { kid: string }[];
        const [header, payload, signature] = token.split(".");
        const { kid, alg } = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
        expect(alg).to.equal("RS256");
        const jwk = keys.find((k) => k.kid === kid);
        expect(jwk, "the token's kid is in the JWKS").not.to.equal(undefined);
        const ok = verify(
            "sha256",
            Buffer.from(`${header}.${payload}`),
            createPublicKey({ key: jwk as object as import("crypto").JsonWebKey, format: "jwk" }),
            Buffer.from(signature, "base64url"),
        );
        expect(ok, "signature verifies with the published key").to.equal(true);
        return decodeJwt(token).claims;
    }

    it("publishes a discovery document under /identity whose issuer is <base>/identity", async () => {
        const res = await h.http.get("/identity/.well-known/openid-configuration");
        expect(res.status).to.equal(200);
        expect(res.data).to.include({
            issuer: `${h.iam.url}/identity`,
            token_endpoint: `${h.iam.url}/identity/token`,
            jwks_uri: `${h.iam.url}/identity/keys`,
        });
        expect(res.data.grant_types_supported).to.include("refresh_token");
        expect(res.data.id_token_signing_alg_values_supported).to.deep.equal(["RS256"]);
    });

    it("gives an authenticated client a refresh token and an ID token for it, as in an IKS kubeconfig", async () => {
        const res = await kubeLogin();
        expect(res.status).to.equal(200);
        expect(res.data.refresh_token).to.be.a("string").and.not.equal("not_supported");
        const claims = await verified(res.data.id_token);
        expect(claims).to.include({ iss: `${h.iam.url}/identity`, aud: "kube" });
        expect(claims[`sub_${ACCOUNT_A}`]).to.be.a("string");
        expect(claims[`groups_${ACCOUNT_A}`]).to.deep.equal([]);
        expect((claims.exp as number) - (claims.iat as number)).to.equal(3600);
        // Without client credentials nothing changes: no refresh token, no ID token.
        const plain = await tokenRequest(h.http, { grant_type: APIKEY_GRANT, apikey: ADMIN_KEY_A });
        expect([plain.data.refresh_token, plain.data.id_token]).to.deep.equal(["not_supported", undefined]);
    });

    it("exchanges a refresh token for new tokens (refresh_token grant), and refuses a bad one or a wrong client", async () => {
        const first = (await kubeLogin()).data;
        const refresh = (token: string, auth = basic("kube", "kube")) =>
            h.http.post(
                "/identity/token",
                new URLSearchParams({ grant_type: "refresh_token", refresh_token: token }).toString(),
                {
                    headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: auth },
                },
            );
        const res = await refresh(first.refresh_token);
        expect(res.status).to.equal(200);
        const claims = await verified(res.data.id_token);
        expect(claims.aud).to.equal("kube");
        expect(claims.sub).to.equal(decodeJwt(first.id_token).claims.sub);
        expect(decodeJwt(res.data.access_token).claims.account).to.include({ bss: ACCOUNT_A });

        const bad = await refresh("not-a-refresh-token");
        expect([bad.status, bad.data.errorCode]).to.deep.equal([400, "BXNIM0407E"]);
        const wrongSecret = await refresh(first.refresh_token, basic("kube", "nope"));
        expect([wrongSecret.status, wrongSecret.data.errorCode]).to.deep.equal([400, "BXNIM0106E"]);
        const otherClient = await refresh(first.refresh_token, basic("bx", "bx"));
        expect([otherClient.status, otherClient.data.errorCode]).to.deep.equal([400, "BXNIM0407E"]);
    });

    it("serves HTTPS when given a certificate", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iam-tls-"));
        try {
            const ca = makeCa(dir, "iam-ca");
            const cert = issueCert(ca, dir, "iam", { cn: "iam", ips: ["127.0.0.1"], usage: "server" });
            const tls = await startHarness({ tls: { cert: cert.certPem, key: cert.keyPem } });
            try {
                expect(tls.iam.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
                const res = await client(tls.iam.url).get("/identity/.well-known/openid-configuration", {
                    httpsAgent: new https.Agent({ ca: ca.certPem }),
                });
                expect(res.data.issuer).to.equal(`${tls.iam.url}/identity`);
            } finally {
                await tls.iam.close();
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
