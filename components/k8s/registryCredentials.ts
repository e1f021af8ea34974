// A pull secret for any other private registry (Docker Hub private repositories, a company
// registry, IBM's entitled-software `cp.icr.io`): `kubectl create secret docker-registry` with server,
// username, password and email, in chosen namespaces, added to their service accounts
// (https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/,
// https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#add-imagepullsecrets-to-a-service-account).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { checkNamespaceName, checkObjectName, joinProblems } from "../shared/k8sNames";
import { describeSecretValue } from "../shared/secretShape";
import {
    buildDockerConfigJsonBase64,
    DOCKER_CONFIG_JSON_KEY,
    DOCKER_CONFIG_JSON_TYPE,
} from "../shared/k8s/dockerConfig";
import { defaultSecretNameFor, normalizeRegistryServer, RegistryServerError } from "./registryServer";
import { warnAboutKubernetesProvider } from "./providerChecks";
import { checkServiceAccounts, patchServiceAccounts, ServiceAccountOptions } from "./serviceAccountOptions";

/** Arguments for {@link RegistryCredentials}. */
export interface RegistryCredentialsArgs extends ServiceAccountOptions {
    /**
     * Registry server, as in `docker login <server>`: a host with an optional port and
     * repository path prefix (`registry.example.com:5000/team-a`). An `https://` or
     * `http://` scheme and trailing slashes are dropped; `docker.io` (and Docker Hub's other
     * names) becomes `https://index.docker.io/v1/`. Public Docker Hub images need no
     * credentials at all.
     */
    readonly server: string;
    /** Registry username (`cp` for `cp.icr.io`, `iamapikey` for an icr.io API key). */
    readonly username: pulumi.Input<string>;
    /** Registry password or access token. Treated as a secret whether or not you wrapped it. */
    readonly password: pulumi.Input<string>;
    /**
     * Email written into the `auths` entry, as `kubectl create secret docker-registry --docker-email`.
     * @default - omitted
     */
    readonly email?: pulumi.Input<string>;
    /** Namespaces to write the secret into. */
    readonly namespaces: string[];
    /**
     * Name of the secret in every namespace.
     * @default - derived from the server: `docker-hub`, or e.g. `registry-example-com-5000-team-a`
     */
    readonly secretName?: string;
    /**
     * Create the namespaces too. Destroying the component then deletes them and
     * everything in them.
     * @default false - the namespaces must exist
     */
    readonly createNamespaces?: boolean;
}

/**
 * A `kubernetes.io/dockerconfigjson` pull secret for a registry outside IBM Cloud Container
 * Registry, in each chosen namespace, added to their service accounts.
 *
 * Public images (e.g. Docker Hub's) need no pull secret. A new password is an in-place
 * update when the Kubernetes provider has `enableSecretMutable` (see
 * `NamespacePullSecrets` on key rotation).
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/
 */
export class RegistryCredentials extends pulumi.ComponentResource {
    /** The normalised server, the key of the `auths` entry. */
    public readonly server: string;
    /** The secret's name (the same in every namespace); resolves once every secret exists. */
    public readonly secretName: pulumi.Output<string>;
    /** `[{ name: secretName }]`, ready for `spec.imagePullSecrets`. */
    public readonly imagePullSecrets: pulumi.Output<
        {
            /** `secretName`. */
            name: string;
        }[]
    >;
    /** Patched service accounts as `namespace/name`; resolves once they list the secret. */
    public readonly serviceAccounts: pulumi.Output<string[]>;

    constructor(name: string, args: RegistryCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
        // {}: the password must not reach the component's inputs in state.
        super("icr:k8s:RegistryCredentials", name, {}, opts);

        const problems: string[] = [];
        let server = "";
        try {
            server = normalizeRegistryServer(args.server);
        } catch (err) {
            if (!(err instanceof RegistryServerError)) throw err;
            problems.push(err.message);
        }
        const secretName = args.secretName ?? (server === "" ? "" : defaultSecretNameFor(server));
        if (server !== "") {
            const p = checkObjectName("secretName", "Secret", secretName);
            if (p !== undefined) problems.push(p);
        }
        if (args.namespaces.length === 0)
            problems.push(
                `namespaces: the list is empty; name at least one namespace to write the secret into.`,
            );
        args.namespaces.forEach((ns, i) => {
            const p = checkNamespaceName(`namespaces[${i}]`, ns);
            if (p !== undefined) problems.push(p);
        });
        if (typeof args.username === "string" && args.username === "")
            problems.push(emptyMessage("username"));
        if (typeof args.password === "string" && args.password === "")
            problems.push(emptyMessage("password"));
        const accounts = checkServiceAccounts(args.serviceAccounts);
        problems.push(...accounts.problems);
        if (problems.length > 0) throw new pulumi.ResourceError(joinProblems(problems), this, true);
        warnAboutKubernetesProvider(this, name, "RegistryCredentials", args, accounts.names.length > 0);

        const nonEmpty = (field: "username" | "password") =>
            pulumi.output(args[field]).apply((v) => {
                if (typeof v !== "string") {
                    // Described, not shown: the password is a secret.
                    throw new pulumi.ResourceError(
                        `${field}: expected a string; got ${describeSecretValue(v)}.`,
                        this,
                        true,
                    );
                }
                if (v === "") throw new pulumi.ResourceError(emptyMessage(field), this, true);
                return v;
            });
        const data = pulumi.secret(
            pulumi
                .all([nonEmpty("username"), nonEmpty("password"), args.email])
                .apply(([username, password, email]) => ({
                    [DOCKER_CONFIG_JSON_KEY]: buildDockerConfigJsonBase64([server], {
                        username,
                        password,
                        email,
                    }),
                })),
        );

        const namespaces = [...new Set(args.namespaces)];
        const names: pulumi.Output<string>[] = [];
        const patches = namespaces.flatMap((ns) => {
            const namespace = args.createNamespaces
                ? new k8s.core.v1.Namespace(
                      `${name}-${ns}-namespace`,
                      { metadata: { name: ns } },
                      { parent: this },
                  ).metadata.name
                : pulumi.output(ns);
            const secret = new k8s.core.v1.Secret(
                `${name}-${ns}`,
                { metadata: { name: secretName, namespace }, type: DOCKER_CONFIG_JSON_TYPE, data },
                { parent: this },
            );
            names.push(secret.metadata.name);
            return patchServiceAccounts(
                this,
                `${name}-${ns}`,
                namespace,
                accounts.names,
                pulumi.all([secret.metadata.name]),
                args,
            );
        });

        this.server = server;
        this.secretName = pulumi.all(names).apply((all) => all[0]);
        this.imagePullSecrets = this.secretName.apply((n) => [{ name: n }]);
        this.serviceAccounts = pulumi.all(
            patches.map((p) => pulumi.interpolate`${p.namespace}/${p.serviceAccount}`),
        );
        this.registerOutputs({
            server: this.server,
            secretName: this.secretName,
            imagePullSecrets: this.imagePullSecrets,
            serviceAccounts: this.serviceAccounts,
        });
    }
}

function emptyMessage(field: "username" | "password"): string {
    return `${field}: the registry ${field} is empty. Give the ${field} the registry expects (for cp.icr.io: username "cp", password your entitlement key).`;
}
