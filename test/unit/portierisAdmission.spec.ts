// The enforcement preview against Portieris v0.14.2's own decision path, case by case. Each case
// names the file and lines of the source it follows: Portieris v0.14.2 (github.com/IBM/portieris,
// tag v0.14.2), distribution/reference v0.6.0 and opencontainers/go-digest v1.0.0 (the versions
// in Portieris's go.mod). Written from reading that source; no code is taken from it.
import { expect } from "chai";
import {
    ContainerImage,
    predictImage,
    predictWorkload,
} from "../../components/portieris/admissionPrediction";
import {
    buildEnforcementReport,
    denialRefusal,
    formatEnforcementReport,
} from "../../components/portieris/enforcementReport";
import { portierisImage, PortierisImage } from "../../components/portieris/imageReference";
import { PolicyObject, RepositoryPolicy } from "../../components/portieris/types";
import {
    ADMITTED_WORKLOAD_LISTS,
    AdmittedKind,
    workloadsOf,
} from "../../components/portieris/admittedWorkloads";

const PORTIERIS = "Portieris v0.14.2";
const REFERENCE = "distribution/reference v0.6.0";
const DIGEST = "opencontainers/go-digest v1.0.0";

const HEX64 = "0123456789abcdef".repeat(4);
const HEX96 = "0123456789abcdef".repeat(6);
const HEX128 = "0123456789abcdef".repeat(8);

// --- 1. Parsing: what Portieris files each image under, or why it cannot --------------------------

/** The expected parse, compactly: `key@hostname[:port]`, or the kind for the others. */
type Parsed = string | "blank" | "invalid" | "request-fails";
const compact = (p: PortierisImage): Parsed =>
    p.kind === "valid" ? `${p.key}@${p.hostname}${p.port !== "" ? `:${p.port}` : ""}` : p.kind;

const PARSE_CASES: readonly { image: string; parsed: Parsed; source: string }[] = [
    // Docker Hub short names, `library/`, the default tag.
    {
        image: "nginx",
        parsed: "docker.io/library/nginx:latest@docker.io",
        source: `${REFERENCE} normalize.go:127-137; ${PORTIERIS} helpers/image/image.go:66-68`,
    },
    {
        image: "nginx:1.25",
        parsed: "docker.io/library/nginx:1.25@docker.io",
        source: `${REFERENCE} normalize.go:127-137; ${PORTIERIS} helpers/image/image.go:69-70`,
    },
    {
        image: "docker.io/library/nginx:1.25",
        parsed: "docker.io/library/nginx:1.25@docker.io",
        source: `${REFERENCE} normalize.go:146-151`,
    },
    {
        image: "library/nginx:1.25",
        parsed: "docker.io/library/nginx:1.25@docker.io",
        source: `${REFERENCE} normalize.go:156-159`,
    },
    {
        image: "docker.io/nginx",
        parsed: "docker.io/library/nginx:latest@docker.io",
        source: `${REFERENCE} normalize.go:162-168`,
    },
    {
        image: "index.docker.io/nginx:1",
        parsed: "docker.io/library/nginx:1@docker.io",
        source: `${REFERENCE} normalize.go:143-145`,
    },
    {
        image: "myorg/app:2",
        parsed: "docker.io/myorg/app:2@docker.io",
        source: `${REFERENCE} normalize.go:156-159`,
    },
    {
        image: "myorg/team/app",
        parsed: "docker.io/myorg/team/app:latest@docker.io",
        source: `${REFERENCE} normalize.go:156-168`,
    },
    // Host detection: `.`, `:`, localhost, a capital letter.
    {
        image: "de.icr.io/team-a/app:1.0",
        parsed: "de.icr.io/team-a/app:1.0@de.icr.io",
        source: `${REFERENCE} normalize.go:146-151; ${PORTIERIS} helpers/image/image.go:55-62`,
    },
    {
        image: "localhost/app",
        parsed: "localhost/app:latest@localhost",
        source: `${REFERENCE} normalize.go:140-142`,
    },
    {
        image: "localhost:5000/app",
        parsed: "localhost:5000/app:latest@localhost:5000",
        source: `${PORTIERIS} helpers/image/image.go:58-68 (the host and port taken out, no ":" left)`,
    },
    {
        image: "registry:5000/app:1",
        parsed: "registry:5000/app:1@registry:5000",
        source: `${REFERENCE} normalize.go:146-151`,
    },
    {
        image: "Registry/app",
        parsed: "Registry/app:latest@Registry",
        source: `${REFERENCE} normalize.go:152-155; regexp.go:61`,
    },
    {
        image: "example.com:5000",
        parsed: "docker.io/library/example.com:5000@docker.io",
        source: `${REFERENCE} normalize.go:127-137 (no "/": a tag, not a port)`,
    },
    {
        image: "[::1]:5000/app:1",
        parsed: "[::1]:5000/app:1@::1:5000",
        source: `${REFERENCE} regexp.go:91,106-110; ${PORTIERIS} helpers/image/image.go:58-63`,
    },
    {
        image: "[1:2]/app",
        parsed: "invalid",
        source: `${PORTIERIS} helpers/image/image.go:58-61 (Go net/url, since Go 1.25.2, refuses a bracketed host that is not an IPv6 address)`,
    },
    {
        image: "foo_bar.com/x",
        parsed: "foo_bar.com/x:latest@",
        source: `${REFERENCE} reference.go:200-207 (no domain matches "foo_bar.com": it is a path component); regexp.go:53,61`,
    },
    // Path components.
    {
        image: "my--app",
        parsed: "docker.io/library/my--app:latest@docker.io",
        source: `${REFERENCE} regexp.go:53 (any run of dashes)`,
    },
    {
        image: "my__app",
        parsed: "docker.io/library/my__app:latest@docker.io",
        source: `${REFERENCE} regexp.go:53 (two underscores)`,
    },
    { image: "my___app", parsed: "invalid", source: `${REFERENCE} regexp.go:53 (three underscores)` },
    { image: "my..app", parsed: "invalid", source: `${REFERENCE} regexp.go:53 (one period only)` },
    {
        image: "-app",
        parsed: "invalid",
        source: `${REFERENCE} regexp.go:44,123 (a component starts alphanumeric)`,
    },
    { image: "Nginx", parsed: "invalid", source: `${REFERENCE} normalize.go:62-69` },
    { image: "de.icr.io/Team/app", parsed: "invalid", source: `${REFERENCE} normalize.go:62-69` },
    { image: "a b", parsed: "invalid", source: `${REFERENCE} reference.go:187-196` },
    { image: "nginx:", parsed: "invalid", source: `${REFERENCE} regexp.go:68` },
    {
        image: `nginx:${"t".repeat(128)}`,
        parsed: `docker.io/library/nginx:${"t".repeat(128)}@docker.io`,
        source: `${REFERENCE} regexp.go:68 (128 characters)`,
    },
    {
        image: `nginx:${"t".repeat(129)}`,
        parsed: "invalid",
        source: `${REFERENCE} regexp.go:68 (129 characters)`,
    },
    { image: HEX64, parsed: "invalid", source: `${REFERENCE} normalize.go:57-59` },
    // The 255 limit is on the repository path, not on the whole reference.
    {
        image: `de.icr.io/${"a".repeat(255)}:1.0`,
        parsed: `de.icr.io/${"a".repeat(255)}:1.0@de.icr.io`,
        source: `${REFERENCE} reference.go:209-211 (path of 255, reference of 269)`,
    },
    {
        image: `de.icr.io/${"a".repeat(256)}`,
        parsed: "invalid",
        source: `${REFERENCE} reference.go:209-211 (path of 256)`,
    },
    {
        image: "a".repeat(247),
        parsed: `docker.io/library/${"a".repeat(247)}:latest@docker.io`,
        source: `${REFERENCE} normalize.go:136, reference.go:209 ("library/" counts: 255)`,
    },
    {
        image: "a".repeat(248),
        parsed: "invalid",
        source: `${REFERENCE} normalize.go:136, reference.go:209 ("library/" counts: 256)`,
    },
    // Digests.
    {
        image: "nginx@sha256:abc",
        parsed: "docker.io/library/nginx:abc@docker.io",
        source: `${PORTIERIS} helpers/image/image.go:41-45 (cut before parsing: a short digest passes); pkg/controller/multi/controller.go:168-173`,
    },
    {
        image: `nginx:1.25@sha256:${HEX64}`,
        parsed: `docker.io/library/nginx:${HEX64}@docker.io`,
        source: `${PORTIERIS} pkg/controller/multi/controller.go:168-173 (the digest, not the tag, in the key)`,
    },
    {
        image: `nginx@sha512:${HEX128}`,
        parsed: "request-fails",
        source: `${PORTIERIS} helpers/image/image.go:66-71 with ${REFERENCE} reference.go:337-343 (a digest without a tag is not Tagged)`,
    },
    {
        image: `nginx@sha384:${HEX96}`,
        parsed: "request-fails",
        source: `${PORTIERIS} helpers/image/image.go:66-71; ${DIGEST} algorithm.go:50-54`,
    },
    {
        image: `localhost:5000/app@sha512:${HEX128}`,
        parsed: "request-fails",
        source: `${PORTIERIS} helpers/image/image.go:66-71 (the ":" of the digest is left once the host is out)`,
    },
    {
        image: `nginx:1.25@sha512:${HEX128}`,
        parsed: "docker.io/library/nginx:1.25@docker.io",
        source: `${REFERENCE} reference.go:353 (tag and digest: Tagged); ${PORTIERIS} helpers/image/image.go:41 (only "@sha256:" is cut)`,
    },
    {
        image: `nginx@sha512:${HEX128.slice(1)}`,
        parsed: "invalid",
        source: `${DIGEST} algorithm.go:186-188 (127 hex characters)`,
    },
    {
        image: `nginx@sha512:${HEX128.toUpperCase()}`,
        parsed: "invalid",
        source: `${DIGEST} algorithm.go:59-61,189-192 (lower case only)`,
    },
    {
        image: `nginx@md5:${HEX64.slice(0, 32)}`,
        parsed: "invalid",
        source: `${DIGEST} digest.go:110-115 (unsupported algorithm)`,
    },
    {
        image: `nginx@SHA256:${HEX64}`,
        parsed: "invalid",
        source: `${DIGEST} digest.go:110-115 ("@sha256:" is cut case-sensitively; "SHA256" is no algorithm)`,
    },
    // Blank images.
    { image: "", parsed: "blank", source: `${PORTIERIS} pkg/controller/multi/controller.go:155-158` },
    {
        image: " \t",
        parsed: "blank",
        source: `${PORTIERIS} pkg/controller/multi/controller.go:156 (strings.TrimSpace)`,
    },
    {
        image: "\u00a0\u0085",
        parsed: "blank",
        source: `${PORTIERIS} pkg/controller/multi/controller.go:156 (Go's TrimSpace trims U+00A0 and U+0085)`,
    },
    {
        image: "\ufeff",
        parsed: "invalid",
        source: `${PORTIERIS} pkg/controller/multi/controller.go:156 (Go's TrimSpace keeps U+FEFF)`,
    },
];

// --- 2. The policy that decides one image --------------------------------------------------------

const repo = (name: string, policy?: RepositoryPolicy) => ({ name, ...(policy ? { policy } : {}) });
const cluster = (name: string, ...repositories: ReturnType<typeof repo>[]): PolicyObject => ({
    kind: "ClusterImagePolicy",
    name,
    spec: { repositories },
});
const namespaced = (name: string, ...repositories: ReturnType<typeof repo>[]): PolicyObject => ({
    kind: "ImagePolicy",
    name,
    namespace: "app",
    spec: { repositories },
});

/** `admitted <pattern>`, `admitted <pattern> + at admission`, `denied <reason>` or `skipped`. */
const verdict = (policies: readonly PolicyObject[], image: string): string => {
    const d = predictImage(policies, "app", image);
    if (d.verdict === "denied") return `denied ${d.reason}`;
    if (d.verdict === "skipped") return "skipped";
    return `admitted ${d.pattern}${d.atAdmission.length > 0 ? " + at admission" : ""}`;
};

const MATCH_CASES: readonly {
    title: string;
    policies: PolicyObject[];
    image: string;
    expected: string;
    source: string;
}[] = [
    {
        title: "no policy anywhere",
        policies: [],
        image: "de.icr.io/a/b:1",
        expected: "denied no-policy",
        source: `${PORTIERIS} pkg/policy/policy.go:76-79`,
    },
    {
        title: "the chart's permissive cluster policy",
        policies: [cluster("default", repo("*"))],
        image: "quay.io/x/y:1",
        expected: "admitted *",
        source: `${PORTIERIS} helpers/wildcard/wildcard.go:75-78; helm/portieris/values.yaml:118-122`,
    },
    {
        title: "an ImagePolicy shadows every cluster policy",
        policies: [cluster("c", repo("us.icr.io/shared/*")), namespaced("p", repo("de.icr.io/a/*"))],
        image: "us.icr.io/shared/tool:1",
        expected: "denied shadowed",
        source: `${PORTIERIS} pkg/policy/policy.go:69,92-97`,
    },
    {
        title: "no ImagePolicy: the cluster policies decide",
        policies: [cluster("c", repo("us.icr.io/shared/*"))],
        image: "us.icr.io/shared/tool:1",
        expected: "admitted us.icr.io/shared/*",
        source: `${PORTIERIS} pkg/policy/policy.go:69-87`,
    },
    {
        title: "cluster policies match nothing",
        policies: [cluster("c", repo("us.icr.io/shared/*"))],
        image: "quay.io/x/y",
        expected: "denied no-match",
        source: `${PORTIERIS} pkg/policy/policy.go:82-86`,
    },
    {
        title: "the image as written: a short name is not its normalized name",
        policies: [cluster("c", repo("docker.io/library/*"))],
        image: "nginx:1.25",
        expected: "denied no-match",
        source: `${PORTIERIS} pkg/controller/multi/controller.go:177 (img.String()); helpers/image/image.go:141-144`,
    },
    {
        title: "the normalized name written out matches",
        policies: [cluster("c", repo("docker.io/library/*"))],
        image: "docker.io/library/nginx:1.25",
        expected: "admitted docker.io/library/*",
        source: `${PORTIERIS} helpers/wildcard/wildcard.go:35-62`,
    },
    {
        title: "a pattern without / matches the whole image",
        policies: [cluster("c", repo("nginx"))],
        image: "nginx:1.25",
        expected: "admitted nginx",
        source: `${PORTIERIS} helpers/wildcard/wildcard.go:36-40,125-130`,
    },
    {
        title: "a pattern with / never matches an image without /",
        policies: [cluster("c", repo("docker.io/*"))],
        image: "nginx",
        expected: "denied no-match",
        source: `${PORTIERIS} helpers/wildcard/wildcard.go:49-52`,
    },
    {
        title: "the host part matches only the host",
        policies: [cluster("c", repo("*.icr.io/team/*"))],
        image: "evil.example/x.icr.io/team/app",
        expected: "denied no-match",
        source: `${PORTIERIS} helpers/wildcard/wildcard.go:42-61`,
    },
    {
        title: "a wildcard host matches a host",
        policies: [cluster("c", repo("*.icr.io/team/*"))],
        image: "de.icr.io/team/app:1",
        expected: "admitted *.icr.io/team/*",
        source: `${PORTIERIS} helpers/wildcard/wildcard.go:61`,
    },
    {
        title: "a pattern without a tag admits any tag",
        policies: [cluster("c", repo("de.icr.io/a/app"))],
        image: "de.icr.io/a/app:1.2",
        expected: "admitted de.icr.io/a/app",
        source: `${PORTIERIS} helpers/wildcard/wildcard.go:125-130`,
    },
    {
        title: "a digest is part of the string: a tagless pattern does not admit it",
        policies: [cluster("c", repo("de.icr.io/a/app"))],
        image: `de.icr.io/a/app@sha256:${HEX64}`,
        expected: "denied no-match",
        source: `${PORTIERIS} helpers/wildcard/wildcard.go:125-130 (":*" is appended, "@" is not ":")`,
    },
    {
        title: "a trailing * admits the digest",
        policies: [cluster("c", repo("de.icr.io/a/*"))],
        image: `de.icr.io/a/app@sha256:${HEX64}`,
        expected: "admitted de.icr.io/a/*",
        source: `${PORTIERIS} helpers/wildcard/wildcard.go:117-118`,
    },
    {
        title: "an exact name beats a longer wildcard",
        policies: [cluster("c", repo("de.icr.io/a/app:1-long-*"), repo("de.icr.io/a/app:1"))],
        image: "de.icr.io/a/app:1",
        expected: "admitted de.icr.io/a/app:1",
        source: `${PORTIERIS} pkg/apis/portieris.cloud.ibm.com/v1/types.go:218-222`,
    },
    {
        title: "the most bytes other than * win",
        policies: [cluster("c", repo("de.icr.io/*"), repo("de.icr.io/team-a/*"))],
        image: "de.icr.io/team-a/app",
        expected: "admitted de.icr.io/team-a/*",
        source: `${PORTIERIS} pkg/apis/portieris.cloud.ibm.com/v1/types.go:224-234`,
    },
    {
        title: "on a tie the first pattern in name order wins",
        policies: [cluster("b", repo("de.icr.io/*/app")), cluster("a", repo("de.icr.io/team/*"))],
        image: "de.icr.io/team/app",
        expected: "admitted de.icr.io/team/*",
        source: `${PORTIERIS} pkg/apis/portieris.cloud.ibm.com/v1/types.go:230 (strictly greater); the API server lists by name`,
    },
    {
        title: "an empty pattern matches nothing",
        policies: [cluster("c", repo(""))],
        image: "nginx",
        expected: "denied no-match",
        source: `${PORTIERIS} helpers/wildcard/wildcard.go:70-73`,
    },
    {
        title: "a reject requirement denies",
        policies: [cluster("c", repo("de.icr.io/*", { simple: { requirements: [{ type: "reject" }] } }))],
        image: "de.icr.io/a/b",
        expected: "denied rejected",
        source: `${PORTIERIS} pkg/verifier/simple/policy.go:38-39; pkg/controller/multi/enforcer.go:89-91`,
    },
    {
        title: "an unknown requirement type fails the check",
        policies: [
            cluster(
                "c",
                repo("de.icr.io/*", { simple: { requirements: [{ type: "signedby" as "signedBy" }] } }),
            ),
        ],
        image: "de.icr.io/a/b",
        expected: "denied policy-error",
        source: `${PORTIERIS} pkg/verifier/simple/policy.go:71-72; pkg/controller/multi/controller.go:198-200`,
    },
    {
        title: "signedBy without keySecret fails the check",
        policies: [cluster("c", repo("de.icr.io/*", { simple: { requirements: [{ type: "signedBy" }] } }))],
        image: "de.icr.io/a/b",
        expected: "denied policy-error",
        source: `${PORTIERIS} pkg/verifier/simple/policy.go:42-44`,
    },
    {
        title: "a signature is left to admission",
        policies: [
            cluster(
                "c",
                repo("de.icr.io/*", { simple: { requirements: [{ type: "signedBy", keySecret: "k" }] } }),
            ),
        ],
        image: "de.icr.io/a/b",
        expected: "admitted de.icr.io/* + at admission",
        source: `${PORTIERIS} pkg/controller/multi/enforcer.go:67-91`,
    },
    {
        title: "insecureAcceptAnything still reads the registry",
        policies: [
            cluster(
                "c",
                repo("de.icr.io/*", { simple: { requirements: [{ type: "insecureAcceptAnything" }] } }),
            ),
        ],
        image: "de.icr.io/a/b",
        expected: "admitted de.icr.io/* + at admission",
        source: `${PORTIERIS} pkg/controller/multi/enforcer.go:67-81; pkg/verifier/simple/imagePolicy.go:53-82`,
    },
    {
        title: "an unparsable image is denied whatever the policies",
        policies: [cluster("c", repo("*"))],
        image: "Nginx",
        expected: "denied invalid-image",
        source: `${PORTIERIS} pkg/controller/multi/controller.go:161-165`,
    },
    {
        title: "a sha512 digest without a tag fails the request whatever the policies",
        policies: [cluster("c", repo("*"))],
        image: `nginx@sha512:${HEX128}`,
        expected: "denied request-fails",
        source: `${PORTIERIS} helpers/image/image.go:70; helm/portieris/values.yaml:30-31 (failurePolicy: Fail)`,
    },
    {
        title: "a 269-character reference with a 255-character path is admitted",
        policies: [cluster("c", repo("de.icr.io/*"))],
        image: `de.icr.io/${"a".repeat(255)}:1.0`,
        expected: "admitted de.icr.io/*",
        source: `${REFERENCE} reference.go:209-211`,
    },
    {
        title: "a blank image is not checked",
        policies: [],
        image: "  ",
        expected: "skipped",
        source: `${PORTIERIS} pkg/controller/multi/controller.go:155-158`,
    },
];

// --- 3. Which objects are judged, and the pod-level decision --------------------------------------

const owner = (kind: string, controller?: boolean) => ({
    ownerReferences: [{ kind, name: "parent", ...(controller !== undefined ? { controller } : {}) }],
});
const podSpec = { containers: [{ name: "c", image: "quay.io/x/y:1" }] };
const objectOf = (kind: AdmittedKind, metadata: Record<string, unknown>) => {
    const meta = { name: "w", namespace: "app", ...metadata };
    if (kind === "Pod") return { metadata: meta, spec: podSpec };
    if (kind === "CronJob")
        return { metadata: meta, spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } };
    return { metadata: meta, spec: { template: { spec: podSpec } } };
};

const OWNER_CASES: readonly {
    title: string;
    kind: AdmittedKind;
    metadata: Record<string, unknown>;
    judged: boolean;
    source: string;
}[] = [
    {
        title: "a Pod with a non-controller owner StatefulSet is its owner's",
        kind: "Pod",
        metadata: owner("StatefulSet"),
        judged: false,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:221-225 (any owner of a handled kind, controller or not)`,
    },
    {
        title: "a Pod controlled by a ReplicaSet",
        kind: "Pod",
        metadata: owner("ReplicaSet", true),
        judged: false,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:48-57,221-225`,
    },
    {
        title: "a Pod of a ReplicationController",
        kind: "Pod",
        metadata: owner("ReplicationController", true),
        judged: false,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:53,221-225`,
    },
    {
        title: "a Pod of a Job",
        kind: "Pod",
        metadata: owner("Job", true),
        judged: false,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:56,221-225`,
    },
    {
        title: "a mirror Pod (owner Node) is judged itself",
        kind: "Pod",
        metadata: owner("Node", true),
        judged: true,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:226 (not a handled kind: top level)`,
    },
    {
        title: "a Pod of an operator's custom kind is judged itself",
        kind: "Pod",
        metadata: owner("Rollout", true),
        judged: true,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:226`,
    },
    {
        title: "a bare Pod",
        kind: "Pod",
        metadata: {},
        judged: true,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:65-71`,
    },
    {
        title: "a ReplicaSet of a Deployment",
        kind: "ReplicaSet",
        metadata: owner("Deployment", true),
        judged: false,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:112-119,221-225`,
    },
    {
        title: "a bare ReplicaSet",
        kind: "ReplicaSet",
        metadata: {},
        judged: true,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:112-119; helm/portieris/templates/webhooks.yaml:66`,
    },
    {
        title: "a bare ReplicationController",
        kind: "ReplicationController",
        metadata: {},
        judged: true,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:72-79; helm/portieris/templates/webhooks.yaml:66`,
    },
    {
        title: "a Job of a CronJob",
        kind: "Job",
        metadata: owner("CronJob", true),
        judged: false,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:55,221-225`,
    },
    {
        title: "a CronJob",
        kind: "CronJob",
        metadata: {},
        judged: true,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:192-199`,
    },
    {
        title: "a Deployment",
        kind: "Deployment",
        metadata: {},
        judged: true,
        source: `${PORTIERIS} pkg/kubernetes/podspec.go:104-111`,
    },
];

const c = (name: string, image: string, init = false): ContainerImage => ({ name, image, init });
/** Only the normalized Docker Hub names are admitted. */
const HUB = [cluster("hub", repo("docker.io/library/*"))];

const POD_CASES: readonly {
    title: string;
    containers: ContainerImage[];
    denied: boolean;
    superseded: string[];
    source: string;
}[] = [
    {
        title: "the later of two same-named images replaces the earlier's denial (admitted)",
        containers: [c("a", "nginx:1.25"), c("b", "docker.io/library/nginx:1.25")],
        denied: false,
        superseded: ["a"],
        source: `${PORTIERIS} pkg/controller/multi/controller.go:168-174 (the entry of the key is reset), 117`,
    },
    {
        title: "the later of two same-named images denies",
        containers: [c("a", "docker.io/library/nginx:1.25"), c("b", "nginx:1.25")],
        denied: true,
        superseded: ["a"],
        source: `${PORTIERIS} pkg/controller/multi/controller.go:174-185`,
    },
    {
        title: "no tag and :latest are one key",
        containers: [c("a", "nginx"), c("b", "docker.io/library/nginx:latest")],
        denied: false,
        superseded: ["a"],
        source: `${PORTIERIS} helpers/image/image.go:66-68,132-134`,
    },
    {
        title: "a short sha256 digest and a tag of the same text are one key",
        containers: [c("a", "nginx@sha256:abc"), c("b", "docker.io/library/nginx:abc")],
        denied: false,
        superseded: ["a"],
        source: `${PORTIERIS} pkg/controller/multi/controller.go:168-173`,
    },
    {
        title: "different tags are different keys",
        containers: [c("a", "nginx:1.25"), c("b", "docker.io/library/nginx:1.26")],
        denied: true,
        superseded: [],
        source: `${PORTIERIS} pkg/controller/multi/controller.go:170`,
    },
    {
        title: "init containers and containers keep separate keys",
        containers: [c("a", "nginx:1.25", true), c("b", "docker.io/library/nginx:1.25")],
        denied: true,
        superseded: [],
        source: `${PORTIERIS} pkg/controller/multi/controller.go:89-102 (one map per list, every list's denials count)`,
    },
    {
        title: "two unparsable images: the later is kept, still a denial",
        containers: [c("a", "Bad"), c("b", "Worse")],
        denied: true,
        superseded: ["a"],
        source: `${PORTIERIS} pkg/controller/multi/controller.go:164 (key "invalidimagename")`,
    },
    {
        title: "a sha512 digest fails the whole request, other containers admitted",
        containers: [
            c("a", "docker.io/library/nginx:1.25"),
            c("b", `docker.io/library/nginx@sha512:${HEX128}`),
        ],
        denied: true,
        superseded: [],
        source: `${PORTIERIS} helpers/image/image.go:70; helm/portieris/templates/webhooks.yaml:67`,
    },
    {
        title: "a blank image is skipped",
        containers: [c("a", " "), c("b", "docker.io/library/nginx:1.25")],
        denied: false,
        superseded: [],
        source: `${PORTIERIS} pkg/controller/multi/controller.go:155-158`,
    },
    {
        title: "one denied container denies the pod",
        containers: [c("a", "docker.io/library/nginx:1.25"), c("b", "quay.io/x/y")],
        denied: true,
        superseded: [],
        source: `${PORTIERIS} pkg/controller/multi/controller.go:117-127; pkg/webhook/responder.go:36-54`,
    },
];

describe("Portieris v0.14.2 admission, case by case", function () {
    describe("image references (helpers/image/image.go over distribution/reference)", function () {
        for (const k of PARSE_CASES) {
            const shown = k.image.length > 40 ? `${k.image.slice(0, 30)}…(${k.image.length})` : k.image;
            it(`${JSON.stringify(shown)} → ${k.parsed.length > 60 ? `${k.parsed.slice(0, 50)}…` : k.parsed} [${k.source}]`, function () {
                expect(compact(portierisImage(k.image))).to.equal(k.parsed);
            });
        }
    });

    describe("the deciding policy (pkg/policy/policy.go, types.go, helpers/wildcard)", function () {
        for (const k of MATCH_CASES) {
            it(`${k.title}: ${k.expected} [${k.source}]`, function () {
                expect(verdict(k.policies, k.image)).to.equal(k.expected);
            });
        }
    });

    describe("which objects are judged (pkg/kubernetes/podspec.go)", function () {
        for (const k of OWNER_CASES) {
            it(`${k.title}: ${k.judged ? "judged" : "admitted as a child"} [${k.source}]`, function () {
                const listed = workloadsOf(k.kind, [objectOf(k.kind, k.metadata)]);
                expect(
                    listed.map((w) => `${w.kind} ${w.name} ${w.containers.map((x) => x.image).join(",")}`),
                ).to.deep.equal(k.judged ? [`${k.kind} w quay.io/x/y:1`] : []);
            });
        }
        it(`lists every kind the chart sends to Portieris, with its cluster-wide path [${PORTIERIS} helm/portieris/templates/webhooks.yaml:62-66]`, function () {
            expect(ADMITTED_WORKLOAD_LISTS.map((k) => `${k.kind} ${k.path}`).sort()).to.deep.equal([
                "CronJob /apis/batch/v1/cronjobs",
                "DaemonSet /apis/apps/v1/daemonsets",
                "Deployment /apis/apps/v1/deployments",
                "Job /apis/batch/v1/jobs",
                "Pod /api/v1/pods",
                "ReplicaSet /apis/apps/v1/replicasets",
                "ReplicationController /api/v1/replicationcontrollers",
                "StatefulSet /apis/apps/v1/statefulsets",
            ]);
        });
    });

    describe("the pod-level decision (pkg/controller/multi/controller.go admitPod)", function () {
        for (const k of POD_CASES) {
            it(`${k.title}: ${k.denied ? "denied" : "admitted"} [${k.source}]`, function () {
                const p = predictWorkload(HUB, "app", k.containers);
                expect(p.denied).to.equal(k.denied);
                expect(
                    k.containers
                        .filter((_, i) => p.containers[i].supersededBy !== undefined)
                        .map((x) => x.name),
                ).to.deep.equal(k.superseded);
            });
        }
    });

    describe("the report and the refusal", function () {
        const snapshot = (kind: AdmittedKind, name: string, containers: ContainerImage[]) => ({
            kind,
            namespace: "app",
            name,
            containers,
        });
        const declared: PolicyObject[] = [namespaced("trusted", repo("docker.io/library/*"))];
        const report = buildEnforcementReport(
            {
                portierisServed: true,
                policies: [],
                workloads: [
                    snapshot("Deployment", "web", [
                        c("a", "nginx:1.25"),
                        c("b", "docker.io/library/nginx:1.25"),
                    ]),
                    snapshot("ReplicationController", "legacy", [c("a", "quay.io/x/legacy:1")]),
                    snapshot("ReplicaSet", "digests", [c("a", `docker.io/library/nginx@sha512:${HEX128}`)]),
                    snapshot("Pod", "two", [c("a", "quay.io/x/a"), c("b", "quay.io/x/b")]),
                ],
            },
            declared,
            "p.s",
        );

        it(`says in the row that a container's result is replaced by a later one's [${PORTIERIS} pkg/controller/multi/controller.go:168-174]`, function () {
            expect(formatEnforcementReport(report)).to.contain(
                "  replaced: Deployment app/web container a (nginx:1.25): on its own it would be denied (no pattern of ImagePolicy app/trusted matches it), " +
                    "but Portieris files each container's result under the image's normalized name (docker.io/library/nginx:1.25) and keeps only the later container b's result there",
            );
            expect(report.denied).to.deep.equal([
                "Pod app/two",
                "ReplicaSet app/digests",
                "ReplicationController app/legacy",
            ]);
        });

        it(`refuses with one line per denied workload, and nothing around it [${PORTIERIS} helm/portieris/values.yaml:30-31]`, function () {
            const lines = denialRefusal(report, "allowDenyingRunningWorkloads")!.split("\n");
            expect(lines).to.have.length(5);
            expect(lines[0]).to.equal(
                "these policies would deny 3 running workload(s) at their next rollout:",
            );
            expect(lines[1]).to.equal(
                " - Pod app/two: container a (quay.io/x/a): no pattern of ImagePolicy app/trusted matches it; container b (quay.io/x/b): no pattern of ImagePolicy app/trusted matches it",
            );
            expect(lines[2]).to.match(
                /^ - ReplicaSet app\/digests: container a \(docker\.io\/library\/nginx@sha512:[0-9a-f]{128}\): .*has a sha512 digest and no tag: Portieris v0\.14\.2 handles only sha256 digests.*failurePolicy: Fail, denies the workload$/,
            );
            expect(lines[3]).to.equal(
                " - ReplicationController app/legacy: container a (quay.io/x/legacy:1): no pattern of ImagePolicy app/trusted matches it",
            );
            expect(lines[4]).to.equal(
                "Admit their images (add patterns), or set allowDenyingRunningWorkloads: true to apply the policies anyway.",
            );
            expect(lines.join("\n")).not.to.contain("serializ");
        });
    });
});
