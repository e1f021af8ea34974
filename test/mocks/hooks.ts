// Mocha root hooks for the construction tests: Pulumi mocks that record every resource
// registration, so a test asserts what a component declares without an engine (Pulumi's
// "Unit testing Pulumi programs", https://www.pulumi.com/docs/iac/concepts/testing/unit/, and
// `pulumi.runtime.setMocks`). Loaded by test/mocks/.mocharc.json before any spec, in a mocha
// process of its own, because mocks are process-global.
import * as pulumi from "@pulumi/pulumi";

/** The owner id the mock StackOwner resource gets (../../components/ownership/stackOwner.ts). */
export const STACK_OWNER_ID = "6f1c0a52-0000-4000-8000-00000000abcd";

/** A kubeconfig the stack-settings checks accept; under mocks nothing connects to it. */
export const KUBECONFIG = [
    "apiVersion: v1",
    "kind: Config",
    "clusters: [{ name: k, cluster: { server: https://127.0.0.1:6443 } }]",
    "users: [{ name: k, user: { token: t } }]",
    "contexts: [{ name: k, context: { cluster: k, user: k } }]",
    "current-context: k",
    "",
].join("\n");

/** Every resource registered since the current test began, in registration order. */
export const seen: pulumi.runtime.MockResourceArgs[] = [];

/**
 * State returned for `Resource.get` reads, keyed `${type}::${id}` (e.g.
 * `kubernetes:core/v1:Secret::default/all-icr-io`). Tests fill it; a read of anything else
 * fails, as a real read of a missing object would.
 */
export const readStates = new Map<string, Record<string, unknown>>();

/**
 * Warnings the components logged with pulumi.log.warn since the current test began. Under
 * mocks there is no engine, so the SDK writes them with console.warn as
 * "warning: [runtime] <message>"; those lines are collected here instead of printed.
 */
export const warnings: string[] = [];
const consoleWarn = console.warn.bind(console);
const RUNTIME_WARNING = "warning: [runtime] ";
const API_KEY_TYPE = "pulumi-nodejs:dynamic/iam:ApiKey";

export const mochaHooks = {
    async beforeAll(): Promise<void> {
        console.warn = (...args: unknown[]) => {
            const text = args.map(String).join(" ");
            if (text.startsWith(RUNTIME_WARNING)) warnings.push(text.slice(RUNTIME_WARNING.length));
            else consoleWarn(...args);
        };
        await pulumi.runtime.setMocks(
            {
                newResource: (args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult => {
                    seen.push(args);
                    if (args.id !== undefined && args.id !== "") {
                        const state = readStates.get(`${args.type}::${args.id}`);
                        if (state === undefined)
                            throw new Error(`no mock state for read of ${args.type} ${args.id}`);
                        return { id: args.id, state };
                    }
                    // The stack's owner id, as its provider would draw it.
                    if (args.type === "pulumi-nodejs:dynamic/ownership:StackOwner")
                        return { id: STACK_OWNER_ID, state: { ownerId: STACK_OWNER_ID } };
                    // An API key's value exists only as IAM's answer to its create: made up here,
                    // so that what consumes NamespaceIdentity's apiKey gets a key.
                    const answer =
                        args.type === API_KEY_TYPE ? { apikey: `${args.name}-value-0123456789` } : {};
                    return {
                        id: args.custom ? `${args.name}-id` : undefined,
                        state: { ...args.inputs, ...answer },
                    };
                },
                // Strict, as awsx vpc.test.ts: an invoke nobody expected is a test failure.
                call: (args: pulumi.runtime.MockCallArgs) => {
                    throw new Error(`no mock for invoke ${args.token}`);
                },
            },
            "icr-test",
            "unit",
            false,
        );
    },
    beforeEach(): void {
        seen.length = 0;
        warnings.length = 0;
        readStates.clear();
    },
};

/**
 * The value of an Output (mocks run with preview = false, so every value is known). Uses the
 * Output's own promise so that a failure inside an `apply` rejects instead of hanging.
 */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

/** URNs of every resource the mock monitor has registered; a URN encodes its parents' types. */
export function registeredUrns(): string[] {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        getRegisteredResources(): Map<string, unknown>;
    };
    return [...monitor.getRegisteredResources().keys()];
}

/** True when an input, as the mock monitor received it, was a secret. */
export function holdsSecret(value: unknown): boolean {
    return pulumi.runtime.isRpcSecret(value);
}

/** The value inside a secret input as the mock monitor received it. */
export function reveal<T = unknown>(value: unknown): T {
    return pulumi.runtime.unwrapRpcSecret(value) as T;
}

/**
 * The unhandled rejections raised from now until `settleMs` after the first one: that is how
 * the SDK reports a resource whose inputs failed (runtime/resource.js: "triggers unhandled
 * rejection logic"; one per layer of the input), and under mocks that resource's outputs
 * never settle. Mocha's own handler is set aside meanwhile so the expected failures do not
 * fail the test.
 */
export async function unhandledRejections(settleMs = 300, timeoutMs = 10_000): Promise<Error[]> {
    const others = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const seenErrors: Error[] = [];
    try {
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
                () => reject(new Error("no unhandled rejection within the time limit")),
                timeoutMs,
            );
            process.on("unhandledRejection", (reason) => {
                if (seenErrors.push(reason as Error) === 1) {
                    clearTimeout(timer);
                    setTimeout(resolve, settleMs);
                }
            });
        });
        return seenErrors;
    } finally {
        process.removeAllListeners("unhandledRejection");
        for (const l of others) process.on("unhandledRejection", l);
    }
}
