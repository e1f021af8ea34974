// Shared set-up for the IAM client and provider specs: an IAM emulator with two accounts on
// loopback, fast client timings, providers configured the way the dynamic-provider host does
// it, and an environment without ambient IBM Cloud credentials.
import { Config } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import { IamEmulator, IamEmulatorOptions, startIamEmulator } from "../../emulator";
import { IamClient, IamClientTuning } from "../../components/clients/iam";
import { resetIamClientState } from "../../components/clients/iam/processState";
import { IAM_ENV_VARS } from "../../components/shared/iam/credentialInputs";

/** Two IBM-style accounts and their admin API keys. */
export const ACCOUNT_A = "5c1e2a3b4c5d6e7f8091a2b3c4d5e6f7";
export const ACCOUNT_B = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
export const KEY_A = "test-admin-key-account-a-3b8e1f0c6d2a4e9b";
export const KEY_B = "test-admin-key-account-b-8d1c5a7e0f3b2d6c";

/** Client timings small enough for a fast suite, large enough to show the behaviour. */
export const FAST: Partial<IamClientTuning> = {
    timeoutMs: 2_000,
    maxAttempts: 8,
    maxElapsedMs: 10_000,
    baseDelayMs: 5,
    maxDelayMs: 40,
    maxRetryAfterMs: 50,
    notFoundGraceMs: 500,
    notFoundPollMs: 20,
};

/** Starts an emulator serving accounts A and B. */
export function startEmulator(extra: Partial<IamEmulatorOptions> = {}): Promise<IamEmulator> {
    return startIamEmulator({
        port: 0,
        accounts: [
            { accountId: ACCOUNT_A, apiKey: KEY_A },
            { accountId: ACCOUNT_B, apiKey: KEY_B },
        ],
        ...extra,
    });
}

/** A client for account A (or the given key) on the emulator. */
export function clientFor(
    iam: IamEmulator,
    apiKey = KEY_A,
    tuning: Partial<IamClientTuning> = FAST,
): IamClient {
    return new IamClient({ apiKey, iamEndpoint: iam.url, source: "the test" }, tuning);
}

/**
 * The config object a provider's `configure` receives, built with the dynamic-provider host's
 * own class (`@pulumi/pulumi/cmd/dynamic-provider/config`): the engine hands over the whole
 * stack config, keyed `<namespace>:<key>`.
 */
export function hostConfig(values: Record<string, string>, project = "icr-test"): { config: Config } {
    return { config: new Config(values, project) };
}

/** Stack config pointing the providers at the emulator with account A's key. */
export function stackConfigFor(iam: IamEmulator, apiKey = KEY_A): { config: Config } {
    return hostConfig({
        "ibmcloud:apiKey": apiKey,
        "ibmcloud:iamEndpoint": iam.url,
        "icr-test:unrelated": "x",
    });
}

/**
 * Removes ambient IBMCLOUD_* variables for the duration of a suite and forgets cached tokens
 * between tests. Call at the top of a `describe`.
 */
export function isolateCredentials(): void {
    const saved: Record<string, string | undefined> = {};
    before(function () {
        for (const name of Object.values(IAM_ENV_VARS)) {
            saved[name] = process.env[name];
            delete process.env[name];
        }
    });
    after(function () {
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
    });
    beforeEach(function () {
        resetIamClientState();
    });
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
    try {
        await p;
    } catch (err) {
        return err as Error;
    }
    throw new Error("expected the call to fail, but it succeeded");
}
