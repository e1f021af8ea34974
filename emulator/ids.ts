// Identifier, timestamp and secret formats that IBM IAM uses, in one place so every
// handler renders them the same way (IBM Identity and Policy API models).
import { createHash, randomBytes, randomUUID } from "crypto";

/**
 * An IBM Cloud account id: 32 lowercase hexadecimal characters.
 * @see https://cloud.ibm.com/docs/account?topic=account-accountfaqs
 */
export const ACCOUNT_ID_PATTERN = /^[0-9a-f]{32}$/;

/** A random RFC 4122 v4 uuid; IBM ids are "<Kind>-<uuid>". @internal */
export function newUuid(): string {
    return randomUUID();
}

/**
 * IAM Identity timestamps have minute precision and a "+0000" offset, e.g. "2020-10-16T10:36+0000".
 * @internal
 */
export function identityTimestamp(ms: number): string {
    return new Date(ms).toISOString().slice(0, 16) + "+0000";
}

/** IAM Policy timestamps are ISO 8601 with milliseconds and "Z", e.g. "2024-10-17T16:36:56.501Z". @internal */
export function policyTimestamp(ms: number): string {
    return new Date(ms).toISOString();
}

/**
 * An entity tag / policy revision: "<revision>-<32 hex>", e.g. "3-c46d2fd21b701adf7eb67cfd1a498fde".
 * The counter makes tags readable in tests; the random part makes a tag unguessable, so a client
 * cannot pass a check by computing "revision + 1".
 * @internal
 */
export function newEntityTag(revision: number): string {
    return `${revision}-${randomBytes(16).toString("hex")}`;
}

/** A generated API key value: 44 URL-safe characters, like the values IBM hands out. @internal */
export function newApiKeyValue(): string {
    return randomBytes(33).toString("base64url");
}

/**
 * The emulator keeps only a hash of API key values (like IBM, which cannot show a value again),
 * so neither the state file nor `/_emulator/state` holds a usable key.
 * @internal
 */
export function hashApiKey(value: string): string {
    return createHash("sha256").update(value, "utf8").digest("hex");
}

/**
 * A transaction id shaped like IBM's, e.g. "YnA4N2o-238821a41f6f40c48ef98917a695fe7c":
 * base64 of five lowercase letters/digits, a dash and 32 hex characters.
 * @internal
 */
export function newTransactionId(): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    const bytes = randomBytes(5);
    let prefix = "";
    for (const b of bytes) prefix += alphabet[b % alphabet.length];
    return `${Buffer.from(prefix).toString("base64").replace(/=+$/, "")}-${randomBytes(16).toString("hex")}`;
}

/**
 * The account owner's IBMid, derived from the account id so it is stable across restarts
 * (tokens and `created_by` values stay meaningful with a state file). Real ones look like "IBMid-270003GUSX".
 * @internal
 */
export function adminIamId(accountId: string): string {
    return "IBMid-" + createHash("sha256").update(accountId).digest("hex").slice(0, 10).toUpperCase();
}

/** IAM Access Groups timestamps: ISO 8601 to the second with "Z", e.g. "2020-10-05T14:59:49Z". @internal */
export function groupTimestamp(ms: number): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
