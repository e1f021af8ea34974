// Mocha root hooks for the construction tests: Pulumi mocks that record every resource
// registration (style.md §B.8). Loaded by test/mocks/.mocharc.json before any spec, in a
// mocha process of its own, because mocks are process-global.
import * as pulumi from "@pulumi/pulumi";

/** Every resource registered since the current test began, in registration order. */
export const seen: pulumi.runtime.MockResourceArgs[] = [];

/**
 * State returned for `Resource.get` reads, keyed `${type}::${id}` (e.g.
 * `kubernetes:core/v1:Secret::default/all-icr-io`). Tests fill it; a read of anything else
 * fails, as a real read of a missing object would.
 */
export const readStates = new Map<string, Record<string, unknown>>();

export const mochaHooks = {
    async beforeAll(): Promise<void> {
        await pulumi.runtime.setMocks(
            {
                newResource: (args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult => {
                    seen.push(args);
                    if (args.id !== undefined && args.id !== "") {
                        const state = readStates.get(`${args.type}::${args.id}`);
                        if (state === undefined) throw new Error(`no mock state for read of ${args.type} ${args.id}`);
                        return { id: args.id, state };
                    }
                    return { id: args.custom ? `${args.name}-id` : undefined, state: { ...args.inputs } };
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
        readStates.clear();
    },
};

/** The value of an Output (mocks run with preview = false, so every value is known). */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** True when an input, as the mock monitor received it, was a secret. */
export function holdsSecret(value: unknown): boolean {
    return pulumi.runtime.isRpcSecret(value);
}

/** The value inside a secret input as the mock monitor received it. */
export function reveal<T = unknown>(value: unknown): T {
    return pulumi.runtime.unwrapRpcSecret(value) as T;
}
