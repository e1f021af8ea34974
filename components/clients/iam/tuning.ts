// Timeouts and retry bounds of the IAM client, and their overrides from the environment of the
// provider host (`ICR_ACCESS_IAM_*`).

/** Timeouts and retry bounds of an IAM client. */
export interface IamClientTuning {
    /** Timeout of one HTTP request. @default 30000 */
    timeoutMs: number;
    /** Attempts per operation, the first included. @default 6 */
    maxAttempts: number;
    /** Give up retrying when the next wait would pass this much time since the first attempt. @default 120000 */
    maxElapsedMs: number;
    /** First backoff step; it doubles per attempt (with jitter). @default 500 */
    baseDelayMs: number;
    /** Longest backoff step. @default 20000 */
    maxDelayMs: number;
    /** Longest `Retry-After` honoured; longer hints are cut to this. @default 60000 */
    maxRetryAfterMs: number;
    /** How long after its creation an object's 404 is taken for replication lag and retried. @default 120000 */
    notFoundGraceMs: number;
    /** Pause between reads while waiting out that lag. @default 1000 */
    notFoundPollMs: number;
}

/** The defaults of {@link IamClientTuning}. */
export const DEFAULT_TUNING: IamClientTuning = {
    timeoutMs: 30_000,
    maxAttempts: 6,
    maxElapsedMs: 120_000,
    baseDelayMs: 500,
    maxDelayMs: 20_000,
    maxRetryAfterMs: 60_000,
    notFoundGraceMs: 120_000,
    notFoundPollMs: 1_000,
};

/** Environment variables that override {@link DEFAULT_TUNING} in the provider host. */
export const TUNING_ENV_VARS: Record<keyof IamClientTuning, string> = {
    timeoutMs: "ICR_ACCESS_IAM_TIMEOUT_MS",
    maxAttempts: "ICR_ACCESS_IAM_MAX_ATTEMPTS",
    maxElapsedMs: "ICR_ACCESS_IAM_MAX_ELAPSED_MS",
    baseDelayMs: "ICR_ACCESS_IAM_BASE_DELAY_MS",
    maxDelayMs: "ICR_ACCESS_IAM_MAX_DELAY_MS",
    maxRetryAfterMs: "ICR_ACCESS_IAM_MAX_RETRY_AFTER_MS",
    notFoundGraceMs: "ICR_ACCESS_IAM_NOT_FOUND_GRACE_MS",
    notFoundPollMs: "ICR_ACCESS_IAM_NOT_FOUND_POLL_MS",
};

/** Tuning from `ICR_ACCESS_IAM_*` variables; malformed values are ignored. */
export function iamTuningFromEnv(env: Record<string, string | undefined>): Partial<IamClientTuning> {
    const out: Partial<IamClientTuning> = {};
    for (const [field, name] of Object.entries(TUNING_ENV_VARS) as [keyof IamClientTuning, string][]) {
        const raw = env[name];
        if (raw === undefined || !/^\d+$/.test(raw.trim())) continue;
        const n = Number(raw.trim());
        if (field === "maxAttempts" && n < 1) continue;
        out[field] = n;
    }
    return out;
}
