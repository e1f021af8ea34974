// What the IAM emulator holds, per account, read through its control path: what tests
// and the demo show as "what is in IAM now". Key values are never part of it.
import axios from "axios";

/** The IAM objects of one account. */
export interface IamWorld {
    serviceIds: { id: string; name: string; description?: string; iamId?: string }[];
    apiKeys: { id: string; name: string; iamId: string }[];
    policies: { id: string; subjects: { attributes: { name: string; value: string }[] }[] }[];
    accessGroups: { id: string; name: string; description: string; members: { iamId: string }[] }[];
}

/** Reads the emulator's world and keeps the objects of `accountId`. */
export async function iamWorld(emulatorUrl: string, accountId: string): Promise<IamWorld> {
    const { data } = await axios.get<Record<string, { accountId: string }[]>>(
        `${emulatorUrl}/_emulator/state`,
    );
    const mine = <T>(list: unknown): T[] =>
        ((list ?? []) as { accountId: string }[]).filter((o) => o.accountId === accountId) as T[];
    return {
        serviceIds: mine(data.serviceIds),
        apiKeys: mine(data.apiKeys),
        policies: mine(data.policies),
        accessGroups: mine(data.accessGroups),
    };
}

/**
 * Whom an API key (a registry password) logs in as at the emulator's token endpoint:
 * `"<iam_id> in <account>"`, or `"<status> <errorCode>"` when IAM refuses it.
 */
export async function loginAs(emulatorUrl: string, apiKey: string): Promise<string> {
    const res = await axios.post(
        `${emulatorUrl}/identity/token`,
        new URLSearchParams({ grant_type: "urn:ibm:params:oauth:grant-type:apikey", apikey: apiKey }),
        { validateStatus: () => true },
    );
    if (res.status !== 200) return `${res.status} ${res.data.errorCode}`;
    const claims = JSON.parse(Buffer.from(res.data.access_token.split(".")[1], "base64url").toString("utf8"));
    return `${claims.iam_id} in ${claims.account.bss}`;
}
