// IAM Policy Management v1's access policies (IBM's IAM Policy Management API reference,
// "Policies"), with method names as IBM's platform-services SDK (`iam-policy-management/v1.ts`)
// has them. IAM keeps one policy per subject and resource attributes, so a create whose answer
// was lost meets its own policy as a 409; it is found again by the owner mark the request wrote.
import type { IbmPolicy, PolicyBody } from "../../shared/iam/policyModel";
import { CreateOptions, IamResponse, ReadOptions } from "./call";
import { iamErrorFromResponse } from "./errors";
import type { IamTransport } from "./transport";
import { pageToken, str } from "./wire";

/** A policy with its revision (`ETag` header). */
export interface PolicyWithEtag {
    policy: IbmPolicy;
    /** The `ETag` header as IAM sent it; undefined when IAM sent none. */
    etag?: string;
}

/** The policy calls of IAM Policy Management. */
export class IamPolicies {
    constructor(private readonly transport: IamTransport) {}

    /**
     * `POST /v1/policies` → 201. A 409 `policy_conflict_error` throws an {@link IamError} whose
     * `conflict` names the existing policy. A 404 for a subject created moments ago is retried.
     *
     * IAM keeps one policy per subject and resource attributes, so a lost create cannot leave a
     * twin, but its retry meets the lost attempt's policy as a 409. So, after an ambiguous
     * attempt, the policy `made` recognises (the owner mark's call token in its description,
     * ../../shared/ownership/ownerMark.ts) is ours: found in the listing before a retry, or
     * named by the retry's 409 when the listing lags. Nothing else is taken for ours.
     */
    async createPolicy(
        body: PolicyBody,
        opts?: CreateOptions & { made?: (p: IbmPolicy) => boolean },
    ): Promise<PolicyWithEtag> {
        const subject = body.subjects[0]?.attributes.find((a) => a.name === "iam_id")?.value ?? "";
        const accountId = body.resources[0]?.attributes.find((a) => a.name === "accountId")?.value;
        const made = opts?.made;
        const ours = (p: IbmPolicy): boolean => made !== undefined && p.state !== "deleted" && made(p);
        const adopt = async (id: string): Promise<IamResponse | undefined> => {
            // Made moments ago: its 404 is replication lag.
            const got = await this.getPolicy(id, { createdAt: Date.now() });
            if (!got || !ours(got.policy)) return undefined;
            return { status: 201, data: got.policy, headers: got.etag ? { etag: got.etag } : {} };
        };
        const res = await this.transport.send({
            method: "POST",
            path: "/v1/policies",
            body,
            ok: [201, 200],
            objectPath: subject.startsWith("iam-ServiceId-")
                ? `/v1/serviceids/${subject.slice(4)}`
                : undefined,
            subjectNotFoundUntil: this.transport.subjectNotFoundUntil(opts),
            reconcile: made
                ? async () => {
                      const mine = (await this.listPolicies({ accountId, iamId: subject })).filter(ours);
                      return mine.length === 1 ? adopt(mine[0].id) : undefined;
                  }
                : undefined,
            resolveRefusal: async (r) => {
                if (r.status !== 409) return undefined;
                const conflict = iamErrorFromResponse({
                    ...r,
                    method: "POST",
                    path: "/v1/policies",
                }).conflict;
                return conflict ? adopt(conflict.policyId) : undefined;
            },
        });
        const policy = res.data as IbmPolicy;
        this.transport.remember(`/v1/policies/${policy.id}`);
        return { policy, etag: str(res.headers.etag) };
    }

    /** `GET /v1/policies/{id}` with its `ETag`; undefined on 404. */
    async getPolicy(id: string, opts?: ReadOptions): Promise<PolicyWithEtag | undefined> {
        const path = `/v1/policies/${encodeURIComponent(id)}`;
        const res = await this.transport.send({
            method: "GET",
            path,
            ok: [200, 404],
            objectPath: path,
            notFoundUntil: this.transport.notFoundUntil(opts),
        });
        return res.status === 404
            ? undefined
            : { policy: res.data as IbmPolicy, etag: str(res.headers.etag) };
    }

    /**
     * `GET /v1/policies?type=access` of an account, optionally for one subject (`iam_id`, or an
     * access group's `access_group_id`), following
     * `next.start`; `serviceName` filters on the `serviceName` resource attribute (client side).
     */
    async listPolicies(
        req: { accountId?: string; iamId?: string; accessGroupId?: string; serviceName?: string } = {},
    ): Promise<IbmPolicy[]> {
        const accountId = req.accountId ?? (await this.transport.accountId());
        const out: IbmPolicy[] = [];
        let start: string | undefined;
        for (let page = 0; page < 1000; page++) {
            const res = await this.transport.send({
                method: "GET",
                path: "/v1/policies",
                query: {
                    account_id: accountId,
                    iam_id: req.iamId,
                    access_group_id: req.accessGroupId,
                    type: "access",
                    start,
                },
                ok: [200],
            });
            const data = (res.data ?? {}) as { policies?: IbmPolicy[]; next?: unknown };
            out.push(...(data.policies ?? []));
            start = pageToken(data.next, "start", this.transport.endpoint);
            if (!start) break;
        }
        if (req.serviceName === undefined) return out;
        return out.filter((p) =>
            (p.resources ?? []).some((r) =>
                (r.attributes ?? []).some((a) => a.name === "serviceName" && a.value === req.serviceName),
            ),
        );
    }

    /** `PUT /v1/policies/{id}` with `If-Match: <ETag>`; returns the new revision. */
    async replacePolicy(id: string, body: PolicyBody, etag: string): Promise<PolicyWithEtag> {
        const path = `/v1/policies/${encodeURIComponent(id)}`;
        const res = await this.transport.send({
            method: "PUT",
            path,
            body,
            headers: { "If-Match": etag },
            ok: [200],
            objectPath: path,
        });
        return { policy: res.data as IbmPolicy, etag: str(res.headers.etag) };
    }

    /** `DELETE /v1/policies/{id}`. False when it was already gone. */
    async deletePolicy(id: string, opts?: ReadOptions): Promise<boolean> {
        const path = `/v1/policies/${encodeURIComponent(id)}`;
        const res = await this.transport.send({
            method: "DELETE",
            path,
            ok: [204, 200, 404],
            objectPath: path,
            notFoundUntil: this.transport.notFoundUntil(opts),
        });

        this.transport.forget(path);
        return res.status !== 404;
    }
}
