// The request log and per-operation counters. Tests use them to prove what a client did
// ("the second deploy made no writes"), so records hold the operation and outcome only:
// never an API key, a token, a header or a body.

/** One IBM API request as the emulator saw it. */
export interface RequestRecord {
    /** The IBM operation name, e.g. "createServiceId", "getToken"; "unknown" for unrouted paths. */
    readonly operation: string;
    readonly method: string;
    /** The URL path without the query string. */
    readonly path: string;
    readonly status: number;
    /** The account the request acted on, when known. */
    readonly accountId?: string;
}

/**
 * Counters by operation name, plus `writes` (POST/PUT/PATCH/DELETE except the token endpoint and
 * the limits query that IBM sends as a POST) and `total`.
 */
export type Counters = Record<string, number> & { writes: number; total: number };

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Operations that use a write method but change nothing. */
const READS_BY_POST = new Set(["getToken", "bulkListAccountEntityConsumption"]);

/** Accumulates {@link RequestRecord}s. @internal */
export class RequestLog {
    private records: RequestRecord[] = [];

    /** Appends one record. */
    add(record: RequestRecord): void {
        this.records.push(record);
    }

    /** A copy of every record since the last reset. */
    all(): RequestRecord[] {
        return this.records.map((r) => ({ ...r }));
    }

    /** Counts by operation, `writes` and `total`. */
    counters(): Counters {
        const c = { writes: 0, total: 0 } as Counters;
        for (const r of this.records) {
            c[r.operation] = (c[r.operation] ?? 0) + 1;
            c.total++;
            if (WRITE_METHODS.has(r.method) && !READS_BY_POST.has(r.operation)) c.writes++;
        }
        return c;
    }

    /** Forgets every record. */
    reset(): void {
        this.records = [];
    }
}
