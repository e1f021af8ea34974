// The StackOwner provider (`pulumi-nodejs:dynamic/ownership:StackOwner`), as the provider host
// runs it: `create` draws the stack's owner id, every other method keeps it, and nothing outside
// state is called. Why the id exists: ../../ownership/stackOwner.ts.
import type * as pulumi from "@pulumi/pulumi";
import { randomUUID } from "crypto";

/** What the provider stores. @internal */
export interface StackOwnerState {
    ownerId: string;
}

/** The StackOwner provider: draws the id once. @internal */
export class StackOwnerProvider implements pulumi.dynamic.ResourceProvider<
    Record<string, never>,
    StackOwnerState
> {
    async configure(): Promise<void> {
        // Reads no configuration.
    }

    async check(
        _olds: Record<string, never>,
        news: Record<string, never>,
    ): Promise<pulumi.dynamic.CheckResult<Record<string, never>>> {
        return { inputs: news };
    }

    async diff(): Promise<pulumi.dynamic.DiffResult> {
        return { changes: false };
    }

    async create(): Promise<pulumi.dynamic.CreateResult<StackOwnerState>> {
        const ownerId = randomUUID();
        return { id: ownerId, outs: { ownerId } };
    }

    async read(id: string, props?: StackOwnerState): Promise<pulumi.dynamic.ReadResult<StackOwnerState>> {
        return { id, props: { ownerId: props?.ownerId ?? id } };
    }

    async update(_id: string, olds: StackOwnerState): Promise<pulumi.dynamic.UpdateResult<StackOwnerState>> {
        return { outs: { ownerId: olds.ownerId } };
    }

    async delete(): Promise<void> {
        // Nothing outside state to remove.
    }
}
