// What the API server holds, as tests look at it: a namespace's image pull secrets decoded,
// and the names a service account pulls with.
import { expect } from "chai";
import { LocalCluster } from "./cluster";

/** One `auths` entry of a `.dockerconfigjson`. */
export interface DockerAuth {
    username: string;
    password: string;
    email?: string;
    auth: string;
}

/** A `kubernetes.io/dockerconfigjson` secret, decoded. */
export interface PullSecret {
    uid: string;
    annotations: Record<string, string>;
    auths: Record<string, DockerAuth>;
}

/** The namespace's `kubernetes.io/dockerconfigjson` secrets by name, decoded. */
export async function pullSecrets(
    cluster: LocalCluster,
    namespace: string,
): Promise<Map<string, PullSecret>> {
    const res = await cluster.api.get(`/api/v1/namespaces/${namespace}/secrets`);
    expect(res.status, `secrets of ${namespace}`).to.equal(200);
    const out = new Map<string, PullSecret>();
    for (const s of res.data.items) {
        if (s.type !== "kubernetes.io/dockerconfigjson") continue;
        const json = JSON.parse(Buffer.from(s.data[".dockerconfigjson"], "base64").toString("utf8"));
        out.set(s.metadata.name, {
            uid: s.metadata.uid,
            annotations: s.metadata.annotations ?? {},
            auths: json.auths,
        });
    }
    return out;
}

/** The names in a service account's `imagePullSecrets`, in order. */
export async function serviceAccountPullSecrets(
    cluster: LocalCluster,
    namespace: string,
    serviceAccount = "default",
): Promise<string[]> {
    const res = await cluster.api.get(`/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}`);
    expect(res.status, `${namespace}/${serviceAccount}`).to.equal(200);
    return ((res.data.imagePullSecrets ?? []) as { name: string }[]).map((e) => e.name);
}
