// The IAM client's tuning for specs that hold IAM's answers back: short timeouts and backoff
// (read by components/clients/iam/tuning.ts from the provider host's environment), so a
// held-back answer fails a run in seconds rather than minutes.
export const FAST_IAM_CLIENT_ENV = {
    ICR_ACCESS_IAM_TIMEOUT_MS: "2000",
    ICR_ACCESS_IAM_BASE_DELAY_MS: "100",
    ICR_ACCESS_IAM_MAX_DELAY_MS: "400",
    ICR_ACCESS_IAM_NOT_FOUND_POLL_MS: "200",
    ICR_ACCESS_IAM_NOT_FOUND_GRACE_MS: "5000",
} as const;
