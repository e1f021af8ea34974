// The IAM client's pure parts: error shaping from IBM's three error bodies, redaction,
// retry arithmetic, page tokens, timestamps and token claims.
import { expect } from "chai";
import * as fc from "fast-check";
import { DEFAULT_TUNING, IamError, iamTuningFromEnv } from "../../../../components/clients/iam";
import { backoffDelay, isRetryableStatus, parseRetryAfter } from "../../../../components/clients/iam/retry";
import { decodeJwtClaims } from "../../../../components/clients/iam/token";
import { iamErrorFromResponse, redact } from "../../../../components/clients/iam/errors";
import { pageToken, parseIbmTime } from "../../../../components/clients/iam/wire";

const KEY = "Zk3l-9aQ2_test-api-key-value-0001";

describe("IAM client helpers", function () {
    describe("IamError", function () {
        it("reads the token endpoint's {errorCode, errorMessage, context.requestId}", function () {
            const e = iamErrorFromResponse({
                method: "POST",
                path: "/identity/token",
                status: 400,
                headers: {},
                data: {
                    errorCode: "BXNIM0415E",
                    errorMessage: "Provided API key could not be found.",
                    context: { requestId: "req-1" },
                },
                hint: "IAM refused the API key from the test.",
            });
            expect(e).to.be.instanceOf(IamError).and.instanceOf(Error);
            expect(e.message).to.equal(
                "IAM POST /identity/token failed: 400 BXNIM0415E: Provided API key could not be found. IAM refused the API key from the test. (transaction-id req-1)",
            );
            expect([e.status, e.code, e.transactionId]).to.deep.equal([400, "BXNIM0415E", "req-1"]);
        });

        it("reads Identity's {errors[{code, message_code, message}]} and the Transaction-Id header", function () {
            const e = iamErrorFromResponse({
                method: "PUT",
                path: "/v1/serviceids/ServiceId-1",
                status: 409,
                headers: { "transaction-id": "tx-9" },
                data: {
                    errors: [
                        { code: "conflict", message_code: "BXNIM0520E", message: "Entity tag mismatch." },
                    ],
                    trace: "trace-9",
                    status_code: 409,
                },
                attempts: 2,
            });
            expect(e.message).to.equal(
                "IAM PUT /v1/serviceids/ServiceId-1 failed: 409 conflict BXNIM0520E: Entity tag mismatch. (transaction-id tx-9, after 2 attempts)",
            );
            expect(e.messageCode).to.equal("BXNIM0520E");
        });

        it("reads Policy's conflict, keeping the existing policy's id and ETag", function () {
            const e = iamErrorFromResponse({
                method: "POST",
                path: "/v1/policies",
                status: 409,
                headers: {},
                data: {
                    errors: [
                        {
                            code: "policy_conflict_error",
                            message:
                                "The policy wasn't created because an access policy with identical attributes already exists. Please update the roles in the existing policy (abc-123), or …",
                            details: { conflicts_with: { etag: "1-ff", policy: { id: "abc-123" } } },
                        },
                    ],
                    trace: "t-1",
                },
            });
            expect(e.conflict).to.deep.equal({ policyId: "abc-123", etag: "1-ff" });
            expect(e.transactionId).to.equal("t-1");
            const fromMessageOnly = iamErrorFromResponse({
                method: "POST",
                path: "/v1/policies",
                status: 409,
                headers: {},
                data: {
                    errors: [
                        {
                            code: "policy_conflict_error",
                            message: "… in the existing policy (def-456), or …",
                        },
                    ],
                },
            });
            expect(fromMessageOnly.conflict).to.deep.equal({ policyId: "def-456", etag: undefined });
        });

        it("copes with bodies that are not IBM's", function () {
            expect(
                iamErrorFromResponse({
                    method: "GET",
                    path: "/x",
                    status: 502,
                    headers: {},
                    data: "<html>Bad gateway</html>",
                }).message,
            ).to.equal("IAM GET /x failed: 502: <html>Bad gateway</html>");
            expect(
                iamErrorFromResponse({ method: "GET", path: "/x", status: 500, headers: {}, data: undefined })
                    .message,
            ).to.equal("IAM GET /x failed: 500: HTTP 500");
        });

        it("never carries the API key or a token, whatever IAM echoes (property)", function () {
            const token = "eyJhbGciOi.eyJzdWIiOiJ4In0.c2ln";
            fc.assert(
                fc.property(
                    fc.string(),
                    fc.string(),
                    fc.constantFrom("errorMessage", "message"),
                    (before, after, field) => {
                        const echoed = `${before}apikey=${KEY}&x ${KEY} Bearer ${token}${after}`;
                        const data =
                            field === "errorMessage"
                                ? { errorCode: "BXNIM0415E", errorMessage: echoed }
                                : { errors: [{ code: "bad", message: echoed }] };
                        const e = iamErrorFromResponse({
                            method: "POST",
                            path: "/identity/token",
                            status: 400,
                            headers: {},
                            data,
                            secrets: [KEY, token],
                            hint: `hint ${KEY}`,
                        });
                        const everything = `${e.message} ${e.stack} ${JSON.stringify(e)} ${e.ibmMessage}`;
                        return !everything.includes(KEY) && !everything.includes(token);
                    },
                ),
            );
        });

        it("redacts form fields and bearer tokens even when the secret is not known", function () {
            expect(redact("apikey=abc&x=1 Authorization: Bearer abc.def", [])).to.equal(
                "apikey=[redacted]&x=1 Authorization: Bearer [redacted]",
            );
        });
    });

    describe("retry arithmetic", function () {
        it("reads Retry-After as seconds or an HTTP date", function () {
            const now = Date.parse("2026-11-28T12:00:00Z");
            expect(parseRetryAfter("3", now)).to.equal(3000);
            expect(parseRetryAfter("Sat, 28 Nov 2026 12:00:05 GMT", now)).to.equal(5000);
            expect(parseRetryAfter("Sat, 28 Nov 2026 11:00:00 GMT", now)).to.equal(0);
            expect(parseRetryAfter("soon", now)).to.equal(undefined);
            expect(parseRetryAfter(undefined, now)).to.equal(undefined);
        });

        it("retries 429 and 5xx except 501", function () {
            expect(
                [400, 401, 404, 409, 412, 429, 500, 501, 502, 503, 504].filter(isRetryableStatus),
            ).to.deep.equal([429, 500, 502, 503, 504]);
        });

        it("backs off exponentially with jitter, within [cap/2, cap] and never above maxDelayMs (property)", function () {
            fc.assert(
                fc.property(
                    fc.integer({ min: 1, max: 30 }),
                    fc.double({ min: 0, max: 1, noNaN: true }),
                    (attempt, r) => {
                        const d = backoffDelay(attempt, DEFAULT_TUNING, () => r);
                        const cap = Math.min(
                            DEFAULT_TUNING.maxDelayMs,
                            DEFAULT_TUNING.baseDelayMs * 2 ** (attempt - 1),
                        );
                        return (
                            d >= Math.floor(cap / 2) && d <= Math.ceil(cap) && d <= DEFAULT_TUNING.maxDelayMs
                        );
                    },
                ),
            );
            expect([1, 2, 3, 4].map((a) => backoffDelay(a, DEFAULT_TUNING, () => 1))).to.deep.equal([
                500, 1000, 2000, 4000,
            ]);
        });

        it("takes tuning from ICR_ACCESS_IAM_* variables, ignoring junk", function () {
            expect(
                iamTuningFromEnv({
                    ICR_ACCESS_IAM_TIMEOUT_MS: "1500",
                    ICR_ACCESS_IAM_MAX_ATTEMPTS: "0",
                    ICR_ACCESS_IAM_BASE_DELAY_MS: "fast",
                }),
            ).to.deep.equal({
                timeoutMs: 1500,
            });
        });
    });

    describe("wire formats", function () {
        it("finds the next page token in Identity's URL and Policy's {href, start}", function () {
            expect(
                pageToken(
                    "https://iam.cloud.ibm.com/v1/serviceids/?pagetoken=abc&pagesize=2",
                    "pagetoken",
                    "https://x",
                ),
            ).to.equal("abc");
            expect(pageToken("/v1/serviceids/?pagetoken=rel", "pagetoken", "https://x")).to.equal("rel");
            expect(
                pageToken({ href: "https://x/v1/policies?start=s1", start: "s2" }, "start", "https://x"),
            ).to.equal("s2");
            expect(pageToken({ href: "https://x/v1/policies?start=s1" }, "start", "https://x")).to.equal(
                "s1",
            );
            expect(pageToken(undefined, "start", "https://x")).to.equal(undefined);
        });

        it("reads Identity's minute-precision and Policy's millisecond timestamps", function () {
            expect(parseIbmTime("2020-10-16T10:36+0000")).to.equal(Date.parse("2020-10-16T10:36:00Z"));
            expect(parseIbmTime("2024-10-17T16:36:56.501Z")).to.equal(Date.parse("2024-10-17T16:36:56.501Z"));
            expect(parseIbmTime("yesterday")).to.equal(undefined);
        });

        it("decodes JWT claims (base64url) and tolerates garbage", function () {
            const claims = { account: { bss: "acc" }, iat: 1, exp: 3601, note: "ü?>" };
            const token = `h.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.s`;
            expect(decodeJwtClaims(token)).to.deep.equal(claims);
            expect(decodeJwtClaims("not-a-jwt")).to.deep.equal({});
            expect(decodeJwtClaims("a.!!!.c")).to.deep.equal({});
        });
    });
});
