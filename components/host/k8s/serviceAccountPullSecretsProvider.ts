// The dynamic provider behind ServiceAccountPullSecrets (components/k8s/serviceAccountPullSecrets.ts):
// adds image pull secrets to a Kubernetes ServiceAccount without taking over its list.
//
// A dynamic provider, because the list is `+listType=atomic` (ServiceAccount v1,
// https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/service-account-v1/):
// a server-side-apply patch would own the whole list
// (https://kubernetes.io/docs/reference/using-api/server-side-apply/#merge-strategy), conflict
// with IKS's `all-icr-io`, and remove every entry on destroy. Instead every method here reads
// the ServiceAccount, changes only this resource's entries (components/shared/imagePullSecretList.ts),
// and writes it back with PUT guarded by the resourceVersion it read, retrying on 409 Conflict.
//
// Kubernetes API calls, all on /api/v1/namespaces/{ns}/serviceaccounts/{sa}:
//   create/update: GET (polling while the SA does not exist yet, up to waitTimeoutSeconds), PUT
//   read: GET · delete: GET, PUT (404 is done)
// The methods run in the engine's dynamic-provider host process, loaded from the installed
// package by the `__provider` shim. They use only the Kubernetes client (../../clients/kube)
// and pure helpers, plus Node built-ins, axios and yaml; `@pulumi/pulumi` for its types only.
// Credentials come from the `kubeconfig` input (a secret), or at run time from the
// kubernetes:kubeconfig stack setting, KUBECONFIG or ~/.kube/config; they are never captured
// in the dynamic provider's closure.
import type * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import {
    CLAIMS_ANNOTATION,
    CLAIMS_UID_ANNOTATION,
    entryNames,
    formatClaims,
    ManagedFieldsEntry,
    newClaimId,
    PullSecretEntry,
    reconcilePullSecrets,
    serviceAccountView,
    ServiceAccountView,
    uniqueNames,
} from "../../shared/imagePullSecretList";
import { checkNamespaceName, checkObjectName } from "../../shared/k8sNames";
import { describeSecretValue } from "../../shared/secretShape";
import { isUnknown } from "../../shared/unknown";
import { KubeApiError, KubeClient, KubeClientOptions } from "../../clients/kube/client";
import { KubeconfigError } from "../../clients/kube/config";
import {
    blameSetting,
    KubeconfigSource,
    kubeconfigSourceNames,
    loadKubeconfig,
} from "../../clients/kube/config_sources";

/** Field manager recorded in the ServiceAccount's managedFields for our writes. */
export const FIELD_MANAGER = "pulumi-icr-access";
/** Default of the resource's `waitTimeoutSeconds`. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 60;

/** What the dynamic provider receives: resolved values, defaults applied by `check`. */
export interface ServiceAccountPullSecretsInputs {
    namespace: string;
    serviceAccount: string;
    secretNames: string[];
    kubeconfig?: string;
    context?: string;
    waitTimeoutSeconds: number;
    /**
     * Hash of the resource's identity, the first part of the claim id of a new create, so that
     * a claim left by a create whose response was lost is absorbed by the next one (rules in
     * components/shared/imagePullSecretList.ts). Absent in state written before it existed.
     */
    claimOrigin?: string;
}

/** What the dynamic provider stores. */
export interface ServiceAccountPullSecretsState extends ServiceAccountPullSecretsInputs {
    /** This resource's key in the account's claims annotation. */
    claimId: string;
    /** The names this resource added (or shares with another claim), which it will remove. */
    managedNames: string[];
    /**
     * UID of the service account when last written or read. `managedNames` are ours only on
     * the object with this UID: a re-created account (new UID) holds none of ours.
     */
    serviceAccountUid: string;
}

const isKnown = (v: unknown): boolean => !isUnknown(v);
const MAX_CONFLICT_RETRIES = 10;
const POLL_MS = 500;
/** Per request of the API server probe in `check`; with one retry, a server that never answers is reported in 20 s. */
const PROBE_TIMEOUT_MS = 10_000;

interface ServiceAccountObject {
    metadata: {
        uid?: string;
        resourceVersion?: string;
        annotations?: Record<string, string>;
        managedFields?: ManagedFieldsEntry[];
    } & Record<string, unknown>;
    imagePullSecrets?: PullSecretEntry[];
    [key: string]: unknown;
}

interface ApplyResult {
    owned: string[];
    uid: string;
}

/** Options of the dynamic provider itself (tests only; the module-level instance uses the defaults). */
export interface ServiceAccountPullSecretsProviderOptions {
    /** Kubernetes client retries, backoff and timeouts. */
    readonly client?: KubeClientOptions;
    /** Poll interval while waiting for a missing service account. @default 500 */
    readonly pollMs?: number;
}

/**
 * The dynamic provider behind {@link ServiceAccountPullSecrets}. Exported for direct
 * dynamic-provider tests; programs use the resource class.
 */
export class ServiceAccountPullSecretsProvider implements pulumi.dynamic.ResourceProvider<
    ServiceAccountPullSecretsInputs,
    ServiceAccountPullSecretsState
> {
    private stackKubeconfig?: string;
    private stackContext?: string;
    /** Set by `configure`, which the engine always calls: `check` then also probes the API server. */
    private configured = false;
    /** The program's own `<project>:kubeconfig` and `<project>:context`, to name them in messages. */
    private projectSettings: { project?: string; kubeconfig?: string; context?: string } = {};

    constructor(private readonly options: ServiceAccountPullSecretsProviderOptions = {}) {}

    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        // Same settings the default Kubernetes provider reads, so both reach the same cluster.
        this.stackKubeconfig = req.config.get("kubernetes:kubeconfig");
        this.stackContext = req.config.get("kubernetes:context");
        // The engine hands dynamic providers the whole stack config; a key without a namespace
        // is the project's. A `kubeconfig` input equal to `<project>:kubeconfig` came from there
        // (as in the per-cluster stack), and messages then name that setting.
        this.projectSettings = {
            project: (req.config as { projectName?: string }).projectName,
            kubeconfig: req.config.get("kubeconfig"),
            context: req.config.get("context"),
        };
        this.configured = true;
    }

    async check(
        _olds: ServiceAccountPullSecretsInputs,
        news: ServiceAccountPullSecretsInputs,
    ): Promise<pulumi.dynamic.CheckResult<ServiceAccountPullSecretsInputs>> {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        const fail = (property: string, reason: string | undefined) => {
            if (reason !== undefined) failures.push({ property, reason });
        };
        if (isKnown(news.namespace)) fail("namespace", checkNamespaceName("namespace", news.namespace));
        const serviceAccount = news.serviceAccount ?? "default";
        if (isKnown(serviceAccount))
            fail("serviceAccount", checkObjectName("serviceAccount", "ServiceAccount", serviceAccount));

        let secretNames = news.secretNames;
        if (isKnown(secretNames)) {
            if (!Array.isArray(secretNames)) {
                fail(
                    "secretNames",
                    `secretNames: expected a list of Secret names; got ${JSON.stringify(secretNames)}.`,
                );
            } else {
                secretNames.forEach((n, i) => {
                    if (isKnown(n))
                        fail(`secretNames[${i}]`, checkObjectName(`secretNames[${i}]`, "Secret", n));
                });
                if (secretNames.length === 0) {
                    fail(
                        "secretNames",
                        `secretNames: the list is empty; name at least one Secret to add to the service account.`,
                    );
                }
                secretNames = uniqueNames(secretNames);
            }
        }

        const waitTimeoutSeconds = news.waitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS;
        if (
            isKnown(waitTimeoutSeconds) &&
            !(typeof waitTimeoutSeconds === "number" && waitTimeoutSeconds >= 0 && waitTimeoutSeconds <= 3600)
        ) {
            fail(
                "waitTimeoutSeconds",
                `waitTimeoutSeconds: expected a number of seconds from 0 to 3600; got ${JSON.stringify(waitTimeoutSeconds)}.`,
            );
        }

        // Parse an explicit kubeconfig now, so that a broken one fails the preview, not the update.
        // It is a secret: reasons describe it (KubeconfigError messages never quote its text).
        if (
            news.kubeconfig !== undefined &&
            isKnown(news.kubeconfig) &&
            typeof news.kubeconfig !== "string"
        ) {
            fail(
                "kubeconfig",
                `kubeconfig: expected the kubeconfig's YAML text; got ${describeSecretValue(news.kubeconfig)}.`,
            );
        } else if (
            typeof news.kubeconfig === "string" &&
            news.kubeconfig !== "" &&
            isKnown(news.kubeconfig) &&
            isKnown(news.context)
        ) {
            try {
                loadKubeconfig({ kubeconfig: news.kubeconfig, context: news.context });
            } catch (err) {
                if (!(err instanceof KubeconfigError)) throw err;
                fail("kubeconfig", err.message);
            }
        }

        const inputs: ServiceAccountPullSecretsInputs = {
            namespace: news.namespace,
            serviceAccount,
            secretNames,
            waitTimeoutSeconds,
        };
        if (news.kubeconfig !== undefined && news.kubeconfig !== "") inputs.kubeconfig = news.kubeconfig;
        if (news.context !== undefined && news.context !== "") inputs.context = news.context;
        if (typeof news.claimOrigin === "string" && /^[0-9a-f]{1,64}$/.test(news.claimOrigin))
            inputs.claimOrigin = news.claimOrigin;
        // Under the engine (preview and up alike), what `create` would meet first: the kubeconfig
        // from wherever it comes, the API server answering, and it accepting the credentials.
        // A preview then fails where `up` would, naming the setting, instead of planning writes.
        if (
            failures.length === 0 &&
            this.configured &&
            isKnown(inputs.kubeconfig) &&
            isKnown(inputs.context)
        ) {
            const problem = await this.clusterProblem(inputs);
            if (problem !== undefined) failures.push(problem);
        }
        return { inputs, failures };
    }

    /**
     * Why `create` could not reach the service account: the kubeconfig cannot be loaded, the API
     * server does not answer, or it refuses the credentials (401) or the read (403). One GET of
     * the account (404 is fine: a new namespace, an account to come), one retry, short timeouts.
     */
    private async clusterProblem(
        inputs: ServiceAccountPullSecretsInputs,
    ): Promise<pulumi.dynamic.CheckFailure | undefined> {
        const source: KubeconfigSource = {
            kubeconfig: inputs.kubeconfig,
            stackKubeconfig: this.stackKubeconfig,
            context: inputs.context,
            stackContext: this.stackContext,
        };
        const own = this.projectSettings;
        const names = kubeconfigSourceNames(source, {
            kubeconfig:
                own.project !== undefined &&
                inputs.kubeconfig !== undefined &&
                inputs.kubeconfig === own.kubeconfig
                    ? `${own.project}:kubeconfig`
                    : undefined,
            context:
                own.project !== undefined && inputs.context !== undefined && inputs.context === own.context
                    ? `${own.project}:context`
                    : undefined,
        });
        let client: KubeClient;
        try {
            client = await KubeClient.connect(loadKubeconfig(source), {
                ...this.options.client,
                retries: 1,
                timeoutMs: PROBE_TIMEOUT_MS,
            });
        } catch (err) {
            if (!(err instanceof KubeconfigError)) throw err;
            const reason = blameSetting(err.message, names);
            return { property: reason.startsWith(`${names.context}:`) ? "context" : "kubeconfig", reason };
        }
        const known = isKnown(inputs.namespace) && isKnown(inputs.serviceAccount);
        try {
            await client.get(known ? saPath(inputs.namespace, inputs.serviceAccount) : "/api");
            return undefined;
        } catch (err) {
            if (!(err instanceof KubeApiError)) throw err;
            const setting = names.context.startsWith("the current-context")
                ? names.kubeconfig
                : `${names.kubeconfig} (with ${names.context})`;
            const what =
                err.status === undefined
                    ? `the API server ${client.config.server} does not answer`
                    : err.status === 401
                      ? `the API server ${client.config.server} refuses the credentials`
                      : err.status === 403
                        ? `the API server ${client.config.server} refuses to let the user read the service account`
                        : `the API server ${client.config.server} fails`;
            return {
                property: "kubeconfig",
                reason: `${setting}: ${what}, so the service-account patch cannot run: ${err.message}`,
            };
        }
    }

    async diff(
        _id: string,
        olds: ServiceAccountPullSecretsState,
        news: ServiceAccountPullSecretsInputs,
    ): Promise<pulumi.dynamic.DiffResult> {
        const replaces: string[] = [];
        if (olds.namespace !== news.namespace) replaces.push("namespace");
        if ((olds.serviceAccount ?? "default") !== news.serviceAccount) replaces.push("serviceAccount");
        const credentialsChanged =
            (olds.kubeconfig ?? "") !== (news.kubeconfig ?? "") ||
            (olds.context ?? "") !== (news.context ?? "");
        // Another cluster is another object: replace, so that delete cleans the old one.
        // (Create-before-delete is safe even on the same account: claims are per resource.)
        if (credentialsChanged && isKnown(news.kubeconfig) && isKnown(news.context)) {
            const before = this.serverOf(olds);
            const after = this.serverOf(news);
            if (before !== undefined && after !== undefined && before !== after) {
                replaces.push(news.kubeconfig !== olds.kubeconfig ? "kubeconfig" : "context");
            }
        }
        const namesChanged =
            !isKnown(news.secretNames) ||
            !Array.isArray(news.secretNames) ||
            news.secretNames.some((n) => !isKnown(n)) ||
            [...new Set(olds.secretNames ?? [])].sort().join("\n") !==
                [...new Set(news.secretNames)].sort().join("\n");
        return { changes: replaces.length > 0 || namesChanged || credentialsChanged, replaces };
    }

    async create(
        inputs: ServiceAccountPullSecretsInputs,
    ): Promise<pulumi.dynamic.CreateResult<ServiceAccountPullSecretsState>> {
        const client = await this.connect(inputs);
        const claimId = newClaimId(inputs.claimOrigin, crypto.randomBytes(6).toString("hex"));
        const r = await this.apply(client, inputs, claimId, inputs.secretNames, { owned: [], uid: "" }, true);
        return {
            id: `${inputs.namespace}/${inputs.serviceAccount}/${claimId}`,
            outs: { ...inputs, claimId, managedNames: r.owned, serviceAccountUid: r.uid },
        };
    }

    async read(
        id: string,
        props?: ServiceAccountPullSecretsState,
    ): Promise<pulumi.dynamic.ReadResult<ServiceAccountPullSecretsState>> {
        if (props === undefined || props.namespace === undefined) {
            throw new Error(
                `ServiceAccountPullSecrets "${id}" cannot be imported: declare it in the program and run \`pulumi up\`; ` +
                    `entries already on the service account are kept and shared.`,
            );
        }
        const client = await this.connect(props);
        const res = await client.get<ServiceAccountObject>(
            saPath(props.namespace, props.serviceAccount ?? "default"),
        );
        if (res.status === 404) return { id: "" }; // the account is gone, and our entries with it
        const present = new Set(entryNames(res.data.imagePullSecrets ?? []));
        // What is ours now, by the same rules a write would apply: on a re-created account
        // (another UID) nothing is, even names it lists that we once added.
        const ours = reconcilePullSecrets({
            ...viewOf(res.data),
            claimId: props.claimId ?? claimIdOf(id),
            wanted: props.secretNames ?? [],
            owned: props.managedNames ?? [],
            ownedUid: props.serviceAccountUid ?? "",
            absorb: false,
        }).owned.filter((n) => present.has(n));
        // Report only what is really there: a missing entry shows up as a diff on secretNames,
        // so the next `up` adds it back.
        return {
            id,
            props: {
                ...props,
                secretNames: (props.secretNames ?? []).filter((n) => present.has(n)),
                managedNames: ours,
                serviceAccountUid: res.data.metadata.uid ?? "",
            },
        };
    }

    async update(
        id: string,
        olds: ServiceAccountPullSecretsState,
        news: ServiceAccountPullSecretsInputs,
    ): Promise<pulumi.dynamic.UpdateResult<ServiceAccountPullSecretsState>> {
        const client = await this.connect(news);
        const claimId = olds.claimId ?? claimIdOf(id);
        const r = await this.apply(client, news, claimId, news.secretNames, stateOf(olds), true);
        return { outs: { ...news, claimId, managedNames: r.owned, serviceAccountUid: r.uid } };
    }

    async delete(id: string, props: ServiceAccountPullSecretsState): Promise<void> {
        const client = await this.connect(props);
        await this.apply(client, props, props.claimId ?? claimIdOf(id), [], stateOf(props), false);
    }

    private serverOf(target: { kubeconfig?: string; context?: string }): string | undefined {
        try {
            return this.kubeconfigOf(target).server;
        } catch {
            return undefined;
        }
    }

    private kubeconfigOf(target: { kubeconfig?: string; context?: string }) {
        return loadKubeconfig({
            kubeconfig: target.kubeconfig,
            stackKubeconfig: this.stackKubeconfig,
            context: target.context,
            stackContext: this.stackContext,
        });
    }

    private connect(target: { kubeconfig?: string; context?: string }): Promise<KubeClient> {
        return KubeClient.connect(this.kubeconfigOf(target), this.options.client);
    }

    /**
     * Reads the account, reconciles this claim's entries, and writes back if anything
     * changed, retrying on 409. With `wait`, a missing account is polled for up to
     * waitTimeoutSeconds; without (delete), a missing account means nothing to remove.
     */
    private async apply(
        client: KubeClient,
        target: { namespace: string; serviceAccount?: string; waitTimeoutSeconds?: number },
        claimId: string,
        wanted: readonly string[],
        state: { owned: readonly string[]; uid: string },
        wait: boolean,
    ): Promise<ApplyResult> {
        const ns = target.namespace;
        const sa = target.serviceAccount ?? "default";
        const path = saPath(ns, sa);
        const timeoutSeconds = target.waitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS;
        const deadline = Date.now() + timeoutSeconds * 1000;
        for (let attempt = 1; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
            let res = await client.get<ServiceAccountObject>(path);
            while (res.status === 404) {
                if (!wait) return { owned: [], uid: "" };
                if (Date.now() >= deadline) throw await missingAccountError(client, ns, sa, timeoutSeconds);
                await sleep(Math.min(this.options.pollMs ?? POLL_MS, Math.max(0, deadline - Date.now())));
                res = await client.get<ServiceAccountObject>(path);
            }
            const current = res.data;
            const annotations = current.metadata.annotations ?? {};
            const r = reconcilePullSecrets({
                ...viewOf(current),
                claimId,
                wanted,
                owned: state.owned,
                ownedUid: state.uid,
                absorb: wait, // create and update; a delete leaves a successor's claim alone (rule 7)
            });
            if (!r.changed) return { owned: r.owned, uid: current.metadata.uid ?? "" };

            // PUT the object as read, with only our changes: its resourceVersion makes the
            // API server refuse the write (409) if anyone changed the account since the GET.
            const body: ServiceAccountObject = { ...current, metadata: { ...current.metadata } };
            delete body.metadata.managedFields; // omitted: the API server keeps and updates them itself
            if (r.entries.length > 0) body.imagePullSecrets = r.entries;
            else delete body.imagePullSecrets;
            const claimsText = formatClaims(r.claims);
            const nextAnnotations = { ...annotations };
            if (claimsText === undefined) delete nextAnnotations[CLAIMS_ANNOTATION];
            else nextAnnotations[CLAIMS_ANNOTATION] = claimsText;
            if (r.claimsUid === undefined) delete nextAnnotations[CLAIMS_UID_ANNOTATION];
            else nextAnnotations[CLAIMS_UID_ANNOTATION] = r.claimsUid;
            if (Object.keys(nextAnnotations).length > 0) body.metadata.annotations = nextAnnotations;
            else delete body.metadata.annotations;

            const put = await client.put<ServiceAccountObject>(`${path}?fieldManager=${FIELD_MANAGER}`, body);
            if (put.status === 409 || (put.status === 404 && wait)) {
                await sleep(25 * attempt + Math.floor(Math.random() * 50 * attempt)); // jitter: racing writers spread out
                continue;
            }
            if (put.status === 404) return { owned: [], uid: "" };
            return { owned: r.owned, uid: put.data.metadata.uid ?? "" };
        }
        throw new Error(
            `ServiceAccount "${ns}/${sa}": gave up after ${MAX_CONFLICT_RETRIES} attempts, each refused with 409 Conflict ` +
                `because another writer changed the account between our read and our write. Nothing of ours was lost; run the update again.`,
        );
    }
}

function saPath(namespace: string, serviceAccount: string): string {
    return `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}`;
}

/** The account as the claim rules read it. */
function viewOf(sa: ServiceAccountObject): ServiceAccountView {
    return serviceAccountView(sa, FIELD_MANAGER);
}

/** What a resource's state says it owns, and on which incarnation of the account. */
function stateOf(props: ServiceAccountPullSecretsState): { owned: string[]; uid: string } {
    return { owned: props.managedNames ?? [], uid: props.serviceAccountUid ?? "" };
}

function claimIdOf(id: string): string {
    return id.split("/").pop() ?? id;
}

function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

async function missingAccountError(
    client: KubeClient,
    ns: string,
    sa: string,
    seconds: number,
): Promise<Error> {
    const nsRes = await client.get(`/api/v1/namespaces/${encodeURIComponent(ns)}`);
    if (nsRes.status === 404) {
        return new Error(
            `ServiceAccount "${ns}/${sa}": namespace "${ns}" does not exist (waited ${seconds} s). ` +
                `Create the namespace first: set createNamespace, or declare a k8s.core.v1.Namespace and pass it in dependsOn.`,
        );
    }
    if (sa === "default") {
        return new Error(
            `ServiceAccount "${ns}/default" was not found after waiting ${seconds} s. kube-controller-manager's ` +
                `serviceaccount controller creates it shortly after the namespace; check that the controller manager is ` +
                `running (kubectl get serviceaccount default -n ${ns}), or raise waitTimeoutSeconds.`,
        );
    }
    return new Error(
        `ServiceAccount "${ns}/${sa}" was not found after waiting ${seconds} s. Only the "default" account is created ` +
            `automatically; create this one first (declare a k8s.core.v1.ServiceAccount and pass it in dependsOn), ` +
            `or raise waitTimeoutSeconds if another tool creates it.`,
    );
}
