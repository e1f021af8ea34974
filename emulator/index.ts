// The IAM emulator's programmatic API: start an in-process emulator of IBM Cloud IAM
// (token exchange, IAM Identity service IDs, API keys and account limits, IAM Policy Management v1,
// IAM Access Groups v2) on loopback.
// Behaviour follows IBM's published API (SDKs, API docs, API Handbook); where IBM does
// not document a detail, the choice is an option here or a constant named in the emulator's files.
import { AddressInfo } from "net";
import { EmulatorClock, parseDuration, parseInstant } from "./clock";
import { FaultInjector, type Fault } from "./faults";
import { EmulatorConfig, HandlerEnv } from "./http";
import { ACCOUNT_ID_PATTERN } from "./ids";
import { type IamLimits, LimitsState, validateLimits } from "./limits";
import { type Counters, RequestLog, type RequestRecord } from "./requestLog";
import { createIamServer } from "./server";
import { Store } from "./store";
import { TokenService } from "./tokens";

export type {
    Fault,
    FaultScope,
    StatusFault,
    LatencyFault,
    EventualConsistencyFault,
    ListLagFault,
    LostResponseFault,
    LostResponseMode,
} from "./faults";
export type { RequestRecord, Counters } from "./requestLog";
export { CONTAINER_REGISTRY_REGIONS } from "./policies";
export { ACCOUNT_ID_PATTERN } from "./ids";
export { parseDuration } from "./clock";
export { DEFAULT_LIMITS, LIMIT_NAMES, type IamLimits } from "./limits";

/** An IBM Cloud account the emulator serves, and the admin (account owner) API key that works for it. */
export interface EmulatorAccount {
    /** 32 lowercase hex characters, like a real IBM Cloud account id. */
    accountId: string;
    /** Exchanged at /identity/token for a user token of the account owner ("IBMid-…", realm IBMid). */
    apiKey: string;
}

/** Options of {@link startIamEmulator}. */
export interface IamEmulatorOptions {
    /** TCP port. @default 0 - any free port */
    port?: number;
    /** Interface to listen on. @default "127.0.0.1" */
    host?: string;
    /** The accounts and their admin keys; at least one. Accounts are isolated from each other. */
    accounts: EmulatorAccount[];
    /**
     * A JSON file holding the world: loaded at start when it exists, rewritten (atomically) after
     * every mutation. Also keeps the token signing key, so tokens survive a restart.
     * @default - in memory only
     */
    stateFile?: string;
    /**
     * Serve HTTPS with this certificate and key (PEM), as IAM itself does: needed where the
     * emulator is an OpenID issuer, since kube-apiserver requires an https `--oidc-issuer-url`.
     * @default - plain HTTP on loopback
     */
    tls?: { cert: string; key: string };
    /** Access-token lifetime (`expires_in`). IBM's is at most 3600. @default 3600 */
    tokenTtlSeconds?: number;
    /**
     * Status of an Identity update (service ID, API key) whose `If-Match` is stale. IBM does not
     * document it (IBM does not document it); 409 is the recommended default. Policies always answer 412.
     * @default 409
     */
    staleEntityTagStatus?: 409 | 412;
    /**
     * Status when a locked service ID or API key is changed or deleted, or a policy on a locked
     * service ID is created, replaced or deleted (UNCONFIRMED at IBM).
     * @default 409
     */
    lockedEntityStatus?: 400 | 403 | 409;
    /**
     * What makes two policies "identical" for the 409 `policy_conflict_error`. IBM's message
     * ("…identical attributes already exists. Please update the roles in the existing policy…")
     * says subject and resource attributes, whatever the roles.
     * @default "attributes"
     */
    policyConflictOn?: "attributes" | "attributesAndRoles";
    /**
     * IAM's time at start (epoch milliseconds or ISO 8601); it ticks in real time from there and
     * can be moved later ({@link IamEmulator.clock}, `POST /_emulator/clock`).
     * @default - real time
     */
    clockStart?: number | string;
    /**
     * Per-account limits to enforce instead of IBM's defaults ({@link IamLimits}); set small ones to
     * reach a limit in a test. `POST /_emulator/limits` and {@link IamEmulator.setLimits} change them
     * later; `POST /_emulator/reset` returns to these.
     * @default - IBM's defaults (DEFAULT_LIMITS)
     */
    limits?: Partial<IamLimits>;
}

/** IAM's clock, which tests move instead of waiting (token, key expiry and purge follow it). */
export interface IamEmulatorClock {
    /** IAM's current time, epoch milliseconds. */
    now(): number;
    /** Sets IAM's current time (epoch milliseconds or ISO 8601); it keeps ticking from there. */
    set(at: number | string): void;
    /** Moves IAM's time forward (negative: back) by milliseconds or a duration such as "61d", "12h", "2w". */
    advance(by: number | string): void;
}

/** A running emulator. */
export interface IamEmulator {
    /** Base URL, e.g. "http://127.0.0.1:40123"; use it as the IAM URL of the client. */
    readonly url: string;
    /** Installs a fault (see {@link Fault}); throws on an invalid one. */
    injectFault(f: Fault): void;
    /** Removes every fault. */
    clearFaults(): void;
    /** IBM API requests since start or the last {@link resetLog}; never holds keys or tokens. */
    requests(): RequestRecord[];
    /** Counts by operation name, plus `writes` (POST/PUT/PATCH/DELETE except getToken) and `total`. */
    counters(): Counters;
    /** Forgets the request log and counters. */
    resetLog(): void;
    /** IAM's clock. */
    readonly clock: IamEmulatorClock;
    /** The per-account limits in force. */
    limits(): IamLimits;
    /** Changes some per-account limits (objects already beyond a lowered limit stay); throws on an invalid one. */
    setLimits(changes: Partial<IamLimits>): void;
    /** Stops listening and closes open connections. */
    close(): Promise<void>;
}

/**
 * Checks options and returns every problem at once.
 * @internal
 */
export function validateOptions(opts: IamEmulatorOptions): string[] {
    const problems: string[] = [];
    if (!Array.isArray(opts.accounts) || opts.accounts.length === 0) {
        problems.push("accounts: give at least one { accountId, apiKey }");
    }
    const ids = new Set<string>();
    const keys = new Set<string>();
    (opts.accounts ?? []).forEach((a, i) => {
        if (typeof a?.accountId !== "string" || !ACCOUNT_ID_PATTERN.test(a.accountId)) {
            problems.push(
                `accounts[${i}].accountId: ${JSON.stringify(a?.accountId)} is not an IBM Cloud account id ` +
                    "(32 lowercase hexadecimal characters, e.g. 0123456789abcdef0123456789abcdef)",
            );
        } else if (ids.has(a.accountId)) {
            problems.push(`accounts[${i}].accountId: account ${a.accountId} is given twice`);
        }
        if (typeof a?.apiKey !== "string" || a.apiKey.length === 0) {
            problems.push(`accounts[${i}].apiKey: must be a non-empty string`);
        } else if (keys.has(a.apiKey)) {
            // Never print the key itself.
            problems.push(`accounts[${i}].apiKey: the same API key is given for two accounts`);
        }
        ids.add(a?.accountId);
        keys.add(a?.apiKey);
    });
    if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535)) {
        problems.push(`port: ${opts.port} is not a port number (0-65535; 0 = any free port)`);
    }
    if (
        opts.tokenTtlSeconds !== undefined &&
        (!Number.isInteger(opts.tokenTtlSeconds) || opts.tokenTtlSeconds < 1)
    ) {
        problems.push(`tokenTtlSeconds: must be a positive integer; got ${opts.tokenTtlSeconds}`);
    }
    if (opts.staleEntityTagStatus !== undefined && ![409, 412].includes(opts.staleEntityTagStatus)) {
        problems.push(`staleEntityTagStatus: must be 409 or 412; got ${opts.staleEntityTagStatus}`);
    }
    if (opts.lockedEntityStatus !== undefined && ![400, 403, 409].includes(opts.lockedEntityStatus)) {
        problems.push(`lockedEntityStatus: must be 400, 403 or 409; got ${opts.lockedEntityStatus}`);
    }
    if (
        opts.policyConflictOn !== undefined &&
        opts.policyConflictOn !== "attributes" &&
        opts.policyConflictOn !== "attributesAndRoles"
    ) {
        problems.push(`policyConflictOn: must be "attributes" or "attributesAndRoles"`);
    }
    if (opts.limits !== undefined) problems.push(...validateLimits(opts.limits, "limits"));
    if (opts.clockStart !== undefined && parseInstant(opts.clockStart) === undefined) {
        problems.push(
            `clockStart: ${JSON.stringify(opts.clockStart)} is not a time (epoch milliseconds or ISO 8601)`,
        );
    }
    return problems;
}

/**
 * Starts an IAM emulator and resolves once it listens.
 * @example
 * const iam = await startIamEmulator({ accounts: [{ accountId: "0123…cdef", apiKey: "admin-key" }] });
 * // POST `${iam.url}/identity/token` with apikey=admin-key, then call /v1/serviceids with the token.
 * await iam.close();
 */
export async function startIamEmulator(opts: IamEmulatorOptions): Promise<IamEmulator> {
    const problems = validateOptions(opts);
    if (problems.length > 0)
        throw new Error(`IAM emulator options are invalid:\n - ${problems.join("\n - ")}`);

    const store = Store.open(opts.accounts, opts.stateFile);
    const config: EmulatorConfig = {
        staleEntityTagStatus: opts.staleEntityTagStatus ?? 409,
        lockedEntityStatus: opts.lockedEntityStatus ?? 409,
        policyConflictOn: opts.policyConflictOn ?? "attributes",
    };
    const faults = new FaultInjector();
    const limits = new LimitsState(opts.limits);
    const clock = new EmulatorClock(
        opts.clockStart === undefined ? undefined : parseInstant(opts.clockStart),
    );
    const env: HandlerEnv = {
        store,
        tokens: new TokenService(store.signingKey, opts.tokenTtlSeconds ?? 3600),
        faults,
        config,
        limits,
        now: () => clock.now(),
    };
    const log = new RequestLog();
    let url = "";
    const server = createIamServer({ env, log, clock, baseUrl: () => url }, opts.tls);
    const host = opts.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(opts.port ?? 0, host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const port = (server.address() as AddressInfo).port;
    url = `${opts.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`;

    return {
        url,
        injectFault: (f) => faults.add(f),
        clearFaults: () => faults.clear(),
        requests: () => log.all(),
        counters: () => log.counters(),
        resetLog: () => log.reset(),
        limits: () => ({ ...limits.get() }),
        setLimits: (changes) => {
            const problems = validateLimits(changes, "limits");
            if (problems.length > 0) throw new Error(`invalid limits:\n - ${problems.join("\n - ")}`);
            limits.set(changes);
        },
        clock: {
            now: () => clock.now(),
            set: (at) => {
                const ms = parseInstant(at);
                if (ms === undefined) throw new Error(`clock.set: ${JSON.stringify(at)} is not a time`);
                clock.set(ms);
            },
            advance: (by) => {
                const ms = parseDuration(by);
                if (ms === undefined)
                    throw new Error(`clock.advance: ${JSON.stringify(by)} is not a duration`);
                clock.advance(ms);
            },
        },
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.close((err) => (err ? reject(err) : resolve()));
                // Keep-alive connections (axios, node fetch) would otherwise hold close() open.
                server.closeAllConnections();
            }),
    };
}
