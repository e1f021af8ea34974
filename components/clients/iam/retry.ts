// When the IAM client tries a request again, and how long it waits: exponential backoff with
// jitter, IAM's `Retry-After`, and which answers and network errors are worth another attempt.
import type { IamClientTuning } from "./tuning";

/**
 * Milliseconds a `Retry-After` header asks for: delta-seconds or an HTTP-date. Undefined when
 * absent or unreadable.
 * @internal
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
    if (value === undefined) return undefined;
    const v = value.trim();
    if (/^\d+$/.test(v)) return Number(v) * 1000;
    const at = Date.parse(v);
    return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The wait before retry number `attempt` (1 = the first retry): exponential from
 * `baseDelayMs`, capped at `maxDelayMs`, with "equal jitter" (half fixed, half random).
 * @internal
 */
export function backoffDelay(attempt: number, tuning: IamClientTuning, random: () => number): number {
    const cap = Math.min(tuning.maxDelayMs, tuning.baseDelayMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(cap / 2 + (random() * cap) / 2);
}

/** HTTP statuses worth another attempt: 429 and 5xx except 501 Not Implemented. @internal */
export function isRetryableStatus(status: number): boolean {
    return status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

const RETRYABLE_NETWORK_CODES = [
    "ECONNRESET",
    "ETIMEDOUT",
    "ECONNABORTED",
    "EPIPE",
    "EAI_AGAIN",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "ERR_SOCKET_CONNECTION_TIMEOUT",
];

/** Whether a network error code (no response) is worth another attempt. @internal */
export function isRetryableNetworkCode(code: string | undefined): boolean {
    return code !== undefined && RETRYABLE_NETWORK_CODES.includes(code);
}

/** A pause of `ms` (none for a negative value). @internal */
export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
