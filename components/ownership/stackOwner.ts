// StackOwner: the stack's owner id, a random id the stack keeps in its own state (type
// `pulumi-nodejs:dynamic/ownership:StackOwner`, one per stack, made by the first component that
// needs it). Every object the library creates is marked with it (IAM objects through
// ../shared/ownership/ownerMark.ts, Kubernetes objects through the
// `pulumi-icr-access/created-by` annotation).
//
// Why an id in state rather than a hash of the organization, project and stack names: names are
// not unique (two file backends on two machines may both hold `icr-access/dev`), and they change
// (`pulumi stack rename`, a move to another backend), while state moves with the stack through
// rename, export/import and backend moves. Its provider (../host/ownership/stackOwnerProvider.ts)
// calls nobody: `create` draws the id, every other method keeps it.
import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../internal/providerShim";
import { withStoredProvider } from "../internal/storedProvider";

// The provider the SDK is handed; state stores the one-line text of withStoredProvider instead
// (../internal/storedProvider.ts), which loads the same implementation.
const stackOwnerProvider = providerShim("StackOwner");

/** The stack's owner id as a resource. @internal */
class StackOwner extends pulumi.dynamic.Resource {
    declare public readonly ownerId: pulumi.Output<string>;

    constructor(name: string) {
        super(
            stackOwnerProvider,
            name,
            { ownerId: undefined },
            withStoredProvider("StackOwner", { protect: false }),
            "ownership",
            "StackOwner",
        );
    }
}

/** The logical name of the one StackOwner of a stack. Part of the state format. */
export const STACK_OWNER_NAME = "pulumi-icr-access-stack-owner";

// One per program run. Keyed by the engine connection (the resource monitor object), so that
// Pulumi's test mocks, which install a new one per program, get a new owner too.
const owners = new WeakMap<object, StackOwner>();
let ownerWithoutMonitor: StackOwner | undefined;

/**
 * The stack's owner id: known from the stack's second run on (state holds it), unknown in the
 * first preview, when nothing of this stack can exist yet.
 * @internal
 */
export function stackOwnerId(): pulumi.Output<string> {
    const monitor = pulumi.runtime.getMonitor() as object | undefined;
    let owner = monitor ? owners.get(monitor) : ownerWithoutMonitor;
    if (!owner) {
        owner = new StackOwner(STACK_OWNER_NAME);
        if (monitor) owners.set(monitor, owner);
        else ownerWithoutMonitor = owner;
    }
    return owner.ownerId;
}

/**
 * The `owner` input of a resource: the stack's owner id and the resource's logical path (its
 * parent's URN without stack and project, its type and name), so the owner stays the same
 * across `pulumi stack rename` and backend moves, and differs between resources of one stack.
 * @internal
 */
export function resourceOwner(
    type: string,
    name: string,
    parent: pulumi.Resource | undefined,
): pulumi.Output<string> {
    // The parent's URN as a plain value, not as an Output of the parent: a resource input that
    // depends on a component makes the SDK wait for the component's children, this one included.
    const parentUrn = parent
        ? new Promise<string>((resolve) => parent.urn.apply((urn) => (resolve(urn), urn)))
        : Promise.resolve("");
    const parentPath = parentUrn.then((urn) => urn.split("::").slice(2).join("::"));
    return pulumi.all([stackOwnerId(), parentPath]).apply(([id, path]) => `${id}/${path}/${type}::${name}`);
}
