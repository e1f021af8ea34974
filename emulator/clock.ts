// The emulator's clock. Everything time-dependent that IAM decides (access-token expiry, API
// key expiry at `expires_at`, the 90-day purge of expired keys, `created_at`/`modified_at`)
// reads this clock, so a test moves IAM's time forward instead of waiting: through
// `POST /_emulator/clock`, `IamEmulator.clock`, or `--clock` at start. It keeps ticking in real
// time from wherever it was set. It is not kept in the state file: a restarted emulator starts
// from real time again (or from `--clock`).

/** Units of a duration: `s`, `m`, `h`, `d`, `w`. */
const UNIT_MS: Record<string, number> = {
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 7 * 86_400_000,
};

/**
 * A duration as milliseconds: `"61d"`, `"12h"`, `"2w"`, `"90m"`, `"30s"`, a sum such as
 * `"1d12h"`, or a number of milliseconds. A leading `-` goes back. Undefined when unreadable.
 * @internal
 */
export function parseDuration(value: unknown): number | undefined {
    if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
    if (typeof value !== "string") return undefined;
    const text = value.trim();
    if (/^-?\d+$/.test(text)) return Number(text);
    const m = /^(-?)((?:\d+[smhdw])+)$/.exec(text);
    if (!m) return undefined;
    let total = 0;
    for (const part of m[2].matchAll(/(\d+)([smhdw])/g)) total += Number(part[1]) * UNIT_MS[part[2]];
    return m[1] === "-" ? -total : total;
}

/** A point in time as epoch milliseconds: an ISO 8601 string or a number. @internal */
export function parseInstant(value: unknown): number | undefined {
    if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
    if (typeof value !== "string" || value.trim() === "") return undefined;
    // IAM Identity's own format ("2026-08-01T10:00+0000") too.
    const t = Date.parse(value.trim().replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
    return Number.isNaN(t) ? undefined : t;
}

/** IAM's clock: real time plus an offset that tests set. */
export class EmulatorClock {
    private offsetMs = 0;

    constructor(startAtMs?: number) {
        if (startAtMs !== undefined) this.set(startAtMs);
    }

    /** IAM's current time, epoch milliseconds. */
    now(): number {
        return Date.now() + this.offsetMs;
    }

    /** How far IAM's time is ahead of real time (negative: behind). */
    offset(): number {
        return this.offsetMs;
    }

    /** Sets IAM's current time; it keeps ticking from there. */
    set(atMs: number): void {
        this.offsetMs = atMs - Date.now();
    }

    /** Moves IAM's time by `ms` (negative: back). */
    advance(ms: number): void {
        this.offsetMs += ms;
    }

    /** What `GET /_emulator/clock` answers. */
    describe(): { now: string; nowMs: number; offsetMs: number } {
        const nowMs = this.now();
        return { now: new Date(nowMs).toISOString(), nowMs, offsetMs: this.offsetMs };
    }
}
