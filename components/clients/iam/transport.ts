// How the IAM client talks to IAM, like IBM's node-sdk-core `BaseService`: one place that
// sends every request (token exchange, IAM Identity, IAM Policy Management) with the behaviour
// a client of IBM IAM needs to survive:
//  - retries with exponential backoff and jitter on 429 (honouring `Retry-After`), 5xx except
//    501, connection resets and timeouts, bounded in attempts and total time;
//  - a bounded wait when an object created moments ago still answers 404 (IAM is eventually
//    consistent: terraform-provider-ibm #3573, #4413);
//  - a create whose answer was lost (timeout, reset, 5xx) may have been done: before it is sent
//    again, and once more when it gives up, the call's own `reconcile` looks for what it made;
//  - errors as `IamError` (./errors.ts), never the AxiosError (its `config` holds the API key
//    and the bearer token).
import axios from "axios";
import type { Call, CreateOptions, IamResponse, ReadOptions } from "./call";
import { IamError, iamErrorFromResponse, redact } from "./errors";
import { CachedToken, shared } from "./processState";
import { backoffDelay, isRetryableNetworkCode, isRetryableStatus, parseRetryAfter, sleep } from "./retry";
import { IamTokenManager } from "./token";
import { DEFAULT_TUNING, IamClientTuning } from "./tuning";
import { plainHeaders } from "./wire";

/** What an IAM client authenticates with. */
export interface IamClientCredentials {
    /** IBM Cloud API key, exchanged at `<iamEndpoint>/identity/token`. */
    apiKey: string;
    /** @default "https://iam.cloud.ibm.com" */
    iamEndpoint?: string;
    /** @default - the `account.bss` claim of the access token */
    accountId?: string;
    /** Where the key came from, named in authentication errors (never the key). */
    source?: string;
}

/** The connection to IAM of one API key. */
export class IamTransport {
    readonly endpoint: string;
    readonly tuning: IamClientTuning;
    // Not enumerable: a logged or JSON-serialized client must not show the key.
    declare private readonly apiKey: string;
    private readonly givenAccountId?: string;
    private readonly source: string;
    private readonly random: () => number;
    private readonly tokens: IamTokenManager;

    constructor(
        credentials: IamClientCredentials,
        tuning: Partial<IamClientTuning> = {},
        random: () => number = Math.random,
    ) {
        this.endpoint = (credentials.iamEndpoint ?? "https://iam.cloud.ibm.com").replace(/\/+$/, "");
        Object.defineProperty(this, "apiKey", { value: credentials.apiKey, enumerable: false });
        this.givenAccountId = credentials.accountId;
        this.source = credentials.source ?? "the API key";
        this.tuning = { ...DEFAULT_TUNING, ...tuning };
        this.random = random;
        this.tokens = new IamTokenManager(this.endpoint, credentials.apiKey, (call) => this.send(call));
    }

    /** An access token for this key (cached). */
    async getAccessToken(): Promise<string> {
        return (await this.tokens.token()).accessToken;
    }

    /** The account to act in: the one given, else the token's `account.bss` claim. */
    async accountId(): Promise<string> {
        if (this.givenAccountId) return this.givenAccountId;
        const t = await this.tokens.token();
        if (t.accountId) return t.accountId;
        throw new IamError({
            method: "POST",
            path: "/identity/token",
            status: 200,
            message: "the access token names no account (claim account.bss)",
            hint: "Set the account id: `accountId`, `credentials.accountId`, config ibmcloud:accountId or IBMCLOUD_ACCOUNT_ID.",
        });
    }

    /**
     * Sends one call: the bearer token, retries with backoff (429, 5xx but 501, connection
     * resets, timeouts; bounded in attempts and time), one new token after a 401, 404s of new
     * objects waited out, and a create's lost answers looked for (see {@link Call}).
     */
    async send(call: Call): Promise<IamResponse> {
        const http = axios.create({
            baseURL: this.endpoint,
            timeout: this.tuning.timeoutMs,
            validateStatus: () => true,
            maxRedirects: 0,
        });
        const start = Date.now();
        const created = call.objectPath ? shared().created.get(call.objectPath) : undefined;
        const notFoundUntil = Math.max(
            call.notFoundUntil ?? 0,
            created !== undefined ? created + this.tuning.notFoundGraceMs : 0,
            call.subjectNotFoundUntil ?? 0,
        );
        let attempt = 0;
        let authRetried = false;
        let ambiguous = false;
        for (;;) {
            attempt++;
            let token: CachedToken | undefined;
            if (!call.tokenRequest) token = await this.tokens.token();
            if (ambiguous && call.reconcile) {
                const found = await call.reconcile(false);
                if (found) return found;
            }
            let res: IamResponse;
            try {
                const r = await http.request({
                    method: call.method,
                    url: call.path,
                    params: call.query,
                    data: call.body,
                    headers: {
                        Accept: "application/json",
                        "User-Agent": "pulumi-icr-access",
                        ...(call.body !== undefined && !call.tokenRequest
                            ? { "Content-Type": "application/json" }
                            : {}),
                        ...call.headers,
                        ...(token ? { Authorization: `Bearer ${token.accessToken}` } : {}),
                    },
                });
                res = { status: r.status, data: r.data, headers: plainHeaders(r.headers) };
            } catch (err) {
                // Never rethrow the AxiosError: its `config` holds the key and the token.
                const e = err as { code?: unknown; message?: unknown };
                const code = typeof e?.code === "string" ? e.code : undefined;
                const delay = backoffDelay(attempt, this.tuning, this.random);
                // A POST that timed out or was cut off may have been done: it is ambiguous
                // even when no retry follows, so the caller knows to look for its object.
                if (call.method === "POST" && isRetryableNetworkCode(code))
                    ambiguous = this.markAmbiguous(call);
                if (isRetryableNetworkCode(code) && this.mayRetry(attempt, start, delay)) {
                    await sleep(delay);
                    continue;
                }
                const found = ambiguous ? await this.lastLook(call) : undefined;
                if (found) return found;
                throw new IamError({
                    method: call.method,
                    path: call.path,
                    code,
                    message: redact(typeof e?.message === "string" ? e.message : "request failed", [
                        this.apiKey,
                        token?.accessToken,
                        ...(call.secrets ?? []),
                    ]),
                    attempts: attempt,
                    hint: `Is the IAM endpoint ${this.endpoint} right and reachable?`,
                });
            }
            if (
                res.status === 404 &&
                notFoundUntil > 0 &&
                Date.now() + this.tuning.notFoundPollMs <= notFoundUntil
            ) {
                // Created moments ago: IAM has not replicated it everywhere yet.
                await sleep(this.tuning.notFoundPollMs);
                attempt--;
                continue;
            }
            if (call.ok.includes(res.status)) return res;
            if (res.status === 401 && token && !authRetried) {
                // The token may have been revoked or expired early: exchange the key again, once.
                authRetried = true;
                this.tokens.invalidate(token.accessToken);
                attempt--;
                continue;
            }
            if (
                ambiguous &&
                call.resolveRefusal &&
                res.status >= 400 &&
                res.status < 500 &&
                res.status !== 429
            ) {
                const resolved = await call.resolveRefusal(res);
                if (resolved) return resolved;
            }
            // A 5xx to a POST may come from a gateway after IAM did the work: not to be trusted.
            if (call.method === "POST" && res.status >= 500 && !call.tokenRequest)
                ambiguous = this.markAmbiguous(call);
            if (isRetryableStatus(res.status)) {
                const hinted =
                    res.status === 429 || res.status === 503
                        ? parseRetryAfter(res.headers["retry-after"], Date.now())
                        : undefined;
                const delay =
                    hinted !== undefined
                        ? Math.min(hinted, this.tuning.maxRetryAfterMs) +
                          Math.round(this.random() * Math.min(100, this.tuning.baseDelayMs))
                        : backoffDelay(attempt, this.tuning, this.random);
                if (this.mayRetry(attempt, start, delay)) {
                    await sleep(delay);
                    continue;
                }
                const found = ambiguous ? await this.lastLook(call) : undefined;
                if (found) return found;
            }
            throw iamErrorFromResponse({
                method: call.method,
                path: call.path,
                status: res.status,
                headers: res.headers,
                data: res.data,
                attempts: attempt,
                secrets: [this.apiKey, token?.accessToken, ...(call.secrets ?? [])],
                hint:
                    call.tokenRequest && (res.status === 400 || res.status === 401)
                        ? `IAM refused the API key from ${this.source}.`
                        : undefined,
            });
        }
    }

    /** The final look of a giving-up create for what a lost attempt made; a failing look changes nothing. */
    private async lastLook(call: Call): Promise<IamResponse | undefined> {
        if (!call.reconcile) return undefined;
        try {
            return await call.reconcile(true);
        } catch {
            // IAM is still failing: the create's own error says more than the look's.
            return undefined;
        }
    }

    private markAmbiguous(call: Call): true {
        if (call.outcome) call.outcome.ambiguous = true;
        return true;
    }

    private mayRetry(attempt: number, start: number, delay: number): boolean {
        return attempt < this.tuning.maxAttempts && Date.now() - start + delay <= this.tuning.maxElapsedMs;
    }

    /** Notes that this process created the object at `path`: its 404s are lag for a while. */
    remember(path: string): void {
        const created = shared().created;
        const now = Date.now();
        created.set(path, now);
        // Keep the map small in long runs: forget objects past the grace period.
        for (const [p, t] of created) if (now - t > this.tuning.notFoundGraceMs) created.delete(p);
    }

    /** Forgets a deleted object. */
    forget(path: string): void {
        shared().created.delete(path);
    }

    /** Until when a read's 404 is waited out, from the object's creation time. */
    notFoundUntil(opts?: ReadOptions): number | undefined {
        return opts?.createdAt !== undefined ? opts.createdAt + this.tuning.notFoundGraceMs : undefined;
    }

    /** Until when a create's 404 for its subject is waited out, from the subject's creation time. */
    subjectNotFoundUntil(opts?: CreateOptions): number | undefined {
        return opts?.subjectCreatedAt !== undefined
            ? opts.subjectCreatedAt + this.tuning.notFoundGraceMs
            : undefined;
    }

    /**
     * Lists with `list` until the object `keptId` shows (IAM's listings may lag behind a create;
     * within the not-found grace), then hands the listing to `then`: a listing that shows an
     * object shows what was made before it. Past the grace, `then` is not called.
     */
    async untilListed<T extends { id: string }>(
        list: () => Promise<T[]>,
        keptId: string,
        then: (all: T[]) => Promise<void>,
    ): Promise<void> {
        const deadline = Date.now() + this.tuning.notFoundGraceMs;
        for (;;) {
            const all = await list();
            if (all.some((s) => s.id === keptId)) return then(all);
            if (Date.now() + this.tuning.notFoundPollMs > deadline) return;
            await sleep(this.tuning.notFoundPollMs);
        }
    }
}
