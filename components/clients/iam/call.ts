// One IAM request as the transport sends it, and the options of the read and create methods
// that tell it how long a 404 is replication lag.

/** An HTTP method the client sends. */
export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** An answer of IAM, with lower-case header names. */
export interface IamResponse {
    status: number;
    data: unknown;
    headers: Record<string, string>;
}

/** One request, with what the transport does about its failures. */
export interface Call {
    method: HttpMethod;
    path: string;
    query?: Record<string, string | number | boolean | undefined>;
    body?: unknown;
    headers?: Record<string, string>;
    /** Statuses returned to the caller instead of thrown. */
    ok: number[];
    /** The token exchange itself: no bearer token. */
    tokenRequest?: boolean;
    /** The object this call addresses: a 404 is waited out while it is newly created. */
    objectPath?: string;
    /** Wait out 404s until this time (ms), e.g. an object created by an earlier process. */
    notFoundUntil?: number;
    /** A create whose subject may still be replicating: retry its 404 until this time (ms). */
    subjectNotFoundUntil?: number;
    /**
     * Before retrying a create whose earlier attempt may have gone through (timeout, reset,
     * 5xx), look for what it made; a response returned here ends the call. Called with `final`
     * once more when the call gives up, so that what a lost attempt made is still returned
     * rather than left behind; a final look may wait out replication lag.
     */
    reconcile?: (final: boolean) => Promise<IamResponse | undefined>;
    /**
     * After such an attempt, a refusal (4xx) may be caused by what the lost attempt made, e.g. a
     * conflict with it; a response returned here ends the call instead of the error.
     */
    resolveRefusal?: (res: IamResponse) => Promise<IamResponse | undefined>;
    /** Set by `send`: whether an attempt of this call may have been done without us seeing the answer. */
    outcome?: { ambiguous: boolean };
    /** More secrets to keep out of errors (e.g. a key value we chose). */
    secrets?: string[];
}

/** Options of the read methods. */
export interface ReadOptions {
    /**
     * When the object was created (ms since the epoch), if known: a 404 until
     * `createdAt + notFoundGraceMs` is taken for replication lag and retried.
     */
    createdAt?: number;
}

/** Options of the create methods that reference another IAM object. */
export interface CreateOptions {
    /** When the referenced subject (service ID) was created, if known: its 404 is retried while it replicates. */
    subjectCreatedAt?: number;
}

/**
 * How long a create that gives up waits for what a lost attempt may have made to become
 * readable (IAM's replication lag is seconds), so a failing create is not held up for long.
 * @internal
 */
export const FINAL_LOOK_MS = 30_000;
