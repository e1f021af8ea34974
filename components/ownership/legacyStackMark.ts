// The mark releases before the stack owner id (./stackOwner.ts) wrote on the Namespaces and
// Secrets they created: a hash of organization, project and stack names. Still accepted as this
// stack's by the creation guard (../k8s/creationGuard.ts), so a stack made by such a release can
// be upgraded; never written any more, since names are neither unique nor stable.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** The old mark of a stack: a hash of organization, project and stack names. @internal */
export function stackMark(organization: string, project: string, stack: string): string {
    return crypto
        .createHash("sha256")
        .update(`${organization}\n${project}\n${stack}`)
        .digest("hex")
        .slice(0, 16);
}

/** The running program's old stack mark. @internal */
export function currentStackMark(): string {
    return stackMark(organizationName(), pulumi.getProject(), pulumi.getStack());
}

/**
 * The engine's organization; "organization" (the file backends' name) where the SDK has none,
 * as under Pulumi's test mocks without one.
 * @internal
 */
export function organizationName(): string {
    try {
        return pulumi.getOrganization();
    } catch {
        return "organization";
    }
}
