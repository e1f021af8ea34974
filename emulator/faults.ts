// Fault injection: the failure modes a client of IBM IAM must survive (IBM's IAM API documentation):
// rate limiting (429 + Retry-After), server errors, slow responses, and the eventual
// consistency of a globally replicated service (an object just created is not yet readable, or
// not yet listed), and lost responses: a write that IAM performed but whose answer never reached
// the client (a 5xx from a proxy, a reset connection, or an answer slower than the client waits).
// Status and latency faults act before the real handler, so a faulted write changes nothing; a
// lost-response fault acts after it, so the write is done and only its answer is lost.

/** Limits a fault to some requests. Both fields are optional; an empty scope matches every IBM request. */
export interface FaultScope {
    /** Only requests with this HTTP method (case-insensitive). */
    readonly method?: string;
    /** Only requests whose path starts with this, e.g. "/identity/token" or "/v1/policies". */
    readonly pathPrefix?: string;
}

/**
 * Answer the next `times` matching requests with `status` instead of handling them.
 * A 429 carries `Retry-After: <retryAfterSeconds>`; bodies use the family's error shape
 * (`too_many_requests` for Identity/Policy, `{errorCode, errorMessage, context}` for the token endpoint).
 */
export interface StatusFault extends FaultScope {
    readonly kind: "status";
    /** 429, or a 5xx such as 500, 502, 503, 504. */
    readonly status: number;
    /** How many requests fail. */
    readonly times: number;
    /** `Retry-After` seconds on 429 (and 503). @default 1 */
    readonly retryAfterSeconds?: number;
}

/** Delay matching requests by `ms` before handling them. */
export interface LatencyFault extends FaultScope {
    readonly kind: "latency";
    readonly ms: number;
    /** How many requests are delayed. @default - every matching request until cleared */
    readonly times?: number;
}

/**
 * Eventual consistency: while installed, each object created through the API answers
 * `GET` by id with its normal 404 for `forMs` milliseconds and/or the next `reads` reads
 * after its creation (whichever ends last; give at least one). The scope is matched against
 * the object's path (e.g. "/v1/serviceids/ServiceId-…").
 */
export interface EventualConsistencyFault extends FaultScope {
    readonly kind: "eventualConsistency";
    readonly forMs?: number;
    readonly reads?: number;
}

/**
 * Eventual consistency of listings: while installed, each object created through the API is
 * missing from list results (`GET /v1/serviceids/`, `/v1/apikeys`, `/v1/policies`) for
 * `forMs` milliseconds and/or the next `lists` listings that would show it (whichever ends
 * last; give at least one). Reading it by id is not affected. The scope is matched against the
 * object's path.
 */
export interface ListLagFault extends FaultScope {
    readonly kind: "listLag";
    readonly forMs?: number;
    readonly lists?: number;
}

/** How a lost response is lost. */
export type LostResponseMode =
    /** A 5xx in the family's error shape (as a gateway that lost the upstream answer sends). */
    | "status"
    /** The connection is destroyed without a byte of response. */
    | "reset"
    /** Nothing is sent for `stallMs`, then the connection is destroyed. */
    | "stall";

/**
 * The real handler runs (a write is committed) and then its response is lost, for the next
 * `times` matching requests after the first `skip` matching ones: `skip: k - 1, times: 1` loses
 * the k-th. The request log records what the handler did (its status), not what the client saw.
 */
export interface LostResponseFault extends FaultScope {
    readonly kind: "lostResponse";
    readonly mode: LostResponseMode;
    /** For `mode: "status"`: the 5xx sent instead of the handler's answer. @default 500 */
    readonly status?: number;
    /** For `mode: "stall"`: how long nothing is sent before the connection is closed. @default 60000 */
    readonly stallMs?: number;
    /** How many responses are lost. @default 1 */
    readonly times?: number;
    /** Matching requests to let through first. @default 0 */
    readonly skip?: number;
}

/** A fault to inject with `IamEmulator.injectFault` or `POST /_emulator/faults`. */
export type Fault = StatusFault | LatencyFault | EventualConsistencyFault | ListLagFault | LostResponseFault;

/** What the server must do before handling a request. @internal */
export interface FaultDecision {
    readonly delayMs: number;
    readonly status?: { status: number; retryAfterSeconds?: number };
}

/** How the server must lose a handled request's response. @internal */
export interface LostResponseDecision {
    readonly mode: LostResponseMode;
    readonly status: number;
    readonly stallMs: number;
}

interface Installed {
    fault: Fault;
    remaining: number;
    /** Matching requests still to let through (lost-response faults). */
    skip: number;
}

interface Hidden {
    until: number;
    readsLeft: number;
}

function scopeMatches(f: FaultScope, method: string, path: string): boolean {
    if (f.method && f.method.toUpperCase() !== method.toUpperCase()) return false;
    if (f.pathPrefix && !path.startsWith(f.pathPrefix)) return false;
    return true;
}

function isNonNegativeInt(n: unknown): n is number {
    return typeof n === "number" && Number.isInteger(n) && n >= 0;
}

/**
 * Checks a fault given over HTTP or programmatically; throws with a message naming the bad field.
 * @internal
 */
export function validateFault(f: unknown): Fault {
    const problems: string[] = [];
    if (f === null || typeof f !== "object") throw new Error("fault: must be an object with a 'kind'.");
    const o = f as Record<string, unknown>;
    if (o.method !== undefined && typeof o.method !== "string") problems.push("method: must be a string");
    if (o.pathPrefix !== undefined && (typeof o.pathPrefix !== "string" || !o.pathPrefix.startsWith("/"))) {
        problems.push("pathPrefix: must be a string starting with '/'");
    }
    switch (o.kind) {
        case "status":
            if (!isNonNegativeInt(o.status) || o.status < 400 || o.status > 599) {
                problems.push("status: must be an HTTP error status such as 429, 500 or 503");
            }
            if (!isNonNegativeInt(o.times) || o.times < 1) problems.push("times: must be an integer >= 1");
            if (o.retryAfterSeconds !== undefined && !isNonNegativeInt(o.retryAfterSeconds)) {
                problems.push("retryAfterSeconds: must be an integer >= 0");
            }
            break;
        case "latency":
            if (!isNonNegativeInt(o.ms)) problems.push("ms: must be an integer >= 0");
            if (o.times !== undefined && (!isNonNegativeInt(o.times) || o.times < 1)) {
                problems.push("times: must be an integer >= 1");
            }
            break;
        case "eventualConsistency":
            if (o.forMs === undefined && o.reads === undefined)
                problems.push("give 'forMs', 'reads' or both");
            if (o.forMs !== undefined && !isNonNegativeInt(o.forMs))
                problems.push("forMs: must be an integer >= 0");
            if (o.reads !== undefined && !isNonNegativeInt(o.reads))
                problems.push("reads: must be an integer >= 0");
            break;
        case "listLag":
            if (o.forMs === undefined && o.lists === undefined)
                problems.push("give 'forMs', 'lists' or both");
            if (o.forMs !== undefined && !isNonNegativeInt(o.forMs))
                problems.push("forMs: must be an integer >= 0");
            if (o.lists !== undefined && !isNonNegativeInt(o.lists))
                problems.push("lists: must be an integer >= 0");
            break;
        case "lostResponse":
            if (o.mode !== "status" && o.mode !== "reset" && o.mode !== "stall")
                problems.push(`mode: must be "status", "reset" or "stall"; got ${JSON.stringify(o.mode)}`);
            if (o.status !== undefined && (!isNonNegativeInt(o.status) || o.status < 500 || o.status > 599))
                problems.push("status: must be a 5xx status such as 500, 502 or 504");
            if (o.stallMs !== undefined && !isNonNegativeInt(o.stallMs))
                problems.push("stallMs: must be an integer >= 0");
            if (o.times !== undefined && (!isNonNegativeInt(o.times) || o.times < 1))
                problems.push("times: must be an integer >= 1");
            if (o.skip !== undefined && !isNonNegativeInt(o.skip))
                problems.push("skip: must be an integer >= 0");
            break;
        default:
            problems.push(
                `kind: unknown kind ${JSON.stringify(o.kind)}; use "status", "latency", "eventualConsistency", ` +
                    `"listLag" or "lostResponse"`,
            );
    }
    if (problems.length > 0) throw new Error(`invalid fault:\n - ${problems.join("\n - ")}`);
    return o as unknown as Fault;
}

/**
 * The installed faults of one emulator and the objects they currently hide.
 * @internal
 */
export class FaultInjector {
    private installed: Installed[] = [];
    private readonly hidden = new Map<string, Hidden>();
    private readonly unlisted = new Map<string, Hidden>();

    /** Installs `fault` (validated). */
    add(fault: Fault): void {
        const f = validateFault(fault);
        const remaining =
            f.kind === "eventualConsistency" || f.kind === "listLag"
                ? Infinity
                : f.kind === "lostResponse"
                  ? (f.times ?? 1)
                  : (f.times ?? Infinity);
        this.installed.push({ fault: f, remaining, skip: f.kind === "lostResponse" ? (f.skip ?? 0) : 0 });
    }

    /** Removes every fault and un-hides every object. */
    clear(): void {
        this.installed = [];
        this.hidden.clear();
        this.unlisted.clear();
    }

    /** The installed faults with what is left of each, for `GET /_emulator/faults`. */
    list(): (Fault & { remaining?: number })[] {
        return this.installed.map((i) => ({
            ...i.fault,
            ...(Number.isFinite(i.remaining) ? { remaining: i.remaining } : {}),
        }));
    }

    /** Decides the latency and injected status for one request, consuming the faults it uses. */
    beforeRequest(method: string, path: string): FaultDecision {
        let delayMs = 0;
        let status: FaultDecision["status"];
        for (const i of this.installed) {
            if (i.remaining <= 0 || !scopeMatches(i.fault, method, path)) continue;
            if (i.fault.kind === "latency") {
                delayMs += i.fault.ms;
                i.remaining--;
            } else if (i.fault.kind === "status" && !status) {
                status = { status: i.fault.status, retryAfterSeconds: i.fault.retryAfterSeconds ?? 1 };
                i.remaining--;
            }
        }
        this.installed = this.installed.filter((i) => i.remaining > 0);
        return { delayMs, status };
    }

    /**
     * After the handler of a request ran: whether its response must be lost, consuming the
     * fault that says so (the first matching one past its `skip`).
     */
    afterHandler(method: string, path: string): LostResponseDecision | undefined {
        let lost: LostResponseDecision | undefined;
        for (const i of this.installed) {
            const f = i.fault;
            if (f.kind !== "lostResponse" || i.remaining <= 0 || !scopeMatches(f, method, path)) continue;
            if (i.skip > 0) {
                i.skip--;
                continue;
            }
            if (lost) continue;
            lost = { mode: f.mode, status: f.status ?? 500, stallMs: f.stallMs ?? 60_000 };
            i.remaining--;
        }
        this.installed = this.installed.filter((i) => i.remaining > 0);
        return lost;
    }

    /** Records that the object at `objectPath` was just created, hiding it if a fault says so. */
    created(objectPath: string, nowMs: number): void {
        for (const i of this.installed) {
            const f = i.fault;
            if (
                (f.kind !== "eventualConsistency" && f.kind !== "listLag") ||
                !scopeMatches({ pathPrefix: f.pathPrefix }, "GET", objectPath)
            ) {
                continue;
            }
            if (f.kind === "eventualConsistency")
                this.hidden.set(objectPath, { until: nowMs + (f.forMs ?? 0), readsLeft: f.reads ?? 0 });
            else this.unlisted.set(objectPath, { until: nowMs + (f.forMs ?? 0), readsLeft: f.lists ?? 0 });
        }
    }

    /**
     * Whether a listing must leave out the object at `objectPath` now; counts the listing.
     * Call it once per listing for each object the listing would show.
     */
    unlists(objectPath: string, nowMs: number): boolean {
        return FaultInjector.consume(this.unlisted, objectPath, nowMs);
    }

    /** Whether a `GET` of `objectPath` must answer 404 now; counts the read. */
    hides(objectPath: string, nowMs: number): boolean {
        return FaultInjector.consume(this.hidden, objectPath, nowMs);
    }

    private static consume(map: Map<string, Hidden>, objectPath: string, nowMs: number): boolean {
        const h = map.get(objectPath);
        if (!h) return false;
        const byTime = nowMs < h.until;
        const byReads = h.readsLeft > 0;
        if (!byTime && !byReads) {
            map.delete(objectPath);
            return false;
        }
        if (byReads) h.readsLeft--;
        return true;
    }
}
