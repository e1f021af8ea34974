#!/usr/bin/env bash
# Builds the test bed's binaries from the Go module proxy into a cache outside the
# repository, keyed by version, and reuses them when present:
#   pulumi (CLI) + pulumi-language-nodejs (Node.js language host) +
#   pulumi-resource-pulumi-nodejs (dynamic-provider host), all in one directory as a Pulumi
#   install lays them out,
#   pulumi-resource-kubernetes, kube-apiserver, kube-controller-manager, etcd.
# Respects a `pulumi` on PATH whose version fits, and KUBEBUILDER_ASSETS for the
# Kubernetes binaries. Safe to run concurrently (one lock per binary).
#
#   scripts/toolchain.sh          build what is missing, then print the paths as JSON
#   scripts/toolchain.sh --paths  print the paths as JSON without building
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../tools/versions.env
source "$ROOT/tools/versions.env"
CACHE="${PULUMI_ICR_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-icr-access}"
mkdir -p "$CACHE"
START=$(date +%s)

log() { echo "[toolchain +$(( $(date +%s) - START ))s] $*" >&2; }

GO_BUILD=(go build -trimpath -mod=mod)
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod"

# A pulumi on PATH fits when it is v3 and not older than the SDK we pin.
pulumi_on_path() {
  local p v want
  p="$(command -v pulumi 2>/dev/null)" || return 1
  case "$p" in "$CACHE"/*) return 1 ;; esac
  v="$("$p" version 2>/dev/null)" || return 1
  want="$(echo "$PULUMI_VERSION" | cut -d. -f2)"
  [[ "$v" =~ ^v?3\.([0-9]+)\. ]] && (( BASH_REMATCH[1] >= want )) || return 1
  echo "$p"
}

PULUMI_DIR="$CACHE/pulumi-v$PULUMI_VERSION/bin"
PROVIDER_DIR="$CACHE/pulumi-resource-kubernetes-v$KUBERNETES_PROVIDER_VERSION/bin"
KUBE_DIR="${KUBEBUILDER_ASSETS:-$CACHE/kubernetes-v$KUBERNETES_VERSION/bin}"
ETCD_DIR="${KUBEBUILDER_ASSETS:-$CACHE/etcd-v$ETCD_VERSION/bin}"
PULUMI_HOME_DIR="$CACHE/pulumi-home-v$PULUMI_VERSION-k$KUBERNETES_PROVIDER_VERSION"

if EXT="$(pulumi_on_path)"; then PULUMI_BIN="$EXT"; else PULUMI_BIN="$PULUMI_DIR/pulumi"; fi

print_paths() {
  cat <<JSON
{"pulumi":"$PULUMI_BIN","languageHost":"$(dirname "$PULUMI_BIN")/pulumi-language-nodejs","pulumiHome":"$PULUMI_HOME_DIR","kubernetesProvider":"$PROVIDER_DIR/pulumi-resource-kubernetes","kubernetesProviderVersion":"$KUBERNETES_PROVIDER_VERSION","kubeApiserver":"$KUBE_DIR/kube-apiserver","kubeControllerManager":"$KUBE_DIR/kube-controller-manager","etcd":"$ETCD_DIR/etcd","cache":"$CACHE"}
JSON
}
if [[ "${1:-}" == "--paths" ]]; then print_paths; exit 0; fi

# build <name> <target file> <function>: runs the function under a lock unless the target exists.
build() {
  local name="$1" target="$2" fn="$3" t0
  if [[ -x "$target" ]]; then log "$name: cached at $target"; return; fi
  mkdir -p "$(dirname "$target")"
  exec {lock}>"$(dirname "$target")/.lock"
  flock "$lock"
  if [[ -x "$target" ]]; then log "$name: built by a concurrent run"; exec {lock}>&-; return; fi
  t0=$(date +%s); log "$name: building"
  "$fn" "$(dirname "$target")"
  log "$name: built in $(( $(date +%s) - t0 ))s ($(du -h "$target" | cut -f1))"
  exec {lock}>&-
}

# Each builder writes to a temporary name first, so a killed build never leaves a half binary.
build_pulumi() {
  local out="$1"
  (cd "$ROOT/tools/pulumi" && "${GO_BUILD[@]}" -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$out/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv "$out/pulumi.tmp" "$out/pulumi"
}

build_provider() {
  local out="$1" src
  cd "$ROOT/tools/k8s-provider"
  # `go list -m -f {{.Dir}}` prints an empty directory while only the module's .mod is in the
  # cache; download the zip first so a fresh machine finds the provider's sources.
  go mod download github.com/pulumi/pulumi-kubernetes/provider/v4
  src="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes"
  # What upstream's generate.go does: stamp the version into the schema and minify both files.
  node -e 'const f=require("fs");const [s,v,t]=process.argv.slice(1);const j=JSON.parse(f.readFileSync(s));j.version=v;
    f.writeFileSync("schema-embed.json",JSON.stringify(j));
    f.writeFileSync("terraform-mapping-embed.json",JSON.stringify(JSON.parse(f.readFileSync(t))));' \
    "$src/schema.json" "$KUBERNETES_PROVIDER_VERSION" "$src/terraform-mapping.json"
  "${GO_BUILD[@]}" -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$KUBERNETES_PROVIDER_VERSION" \
    -o "$out/pulumi-resource-kubernetes.tmp" .
  mv "$out/pulumi-resource-kubernetes.tmp" "$out/pulumi-resource-kubernetes"
}

kube_ldflags() {
  local minor; minor="$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
  local f="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    f="$f -X $p.gitVersion=v$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$f"
}
# The language host must sit beside the CLI: the engine looks for bundled hosts there.
build_language_host() {
  (cd "$ROOT/tools/language-host" && "${GO_BUILD[@]}" \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGUAGE_HOST_VERSION" \
    -o "$1/pulumi-language-nodejs.tmp" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)
  mv "$1/pulumi-language-nodejs.tmp" "$1/pulumi-language-nodejs"
}

build_kube_apiserver() {
  (cd "$ROOT/tools/kube" && "${GO_BUILD[@]}" -ldflags "$(kube_ldflags)" -o "$1/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver)
  mv "$1/kube-apiserver.tmp" "$1/kube-apiserver"
}
build_kube_controller_manager() {
  (cd "$ROOT/tools/kube" && "${GO_BUILD[@]}" -ldflags "$(kube_ldflags)" -o "$1/kube-controller-manager.tmp" k8s.io/kubernetes/cmd/kube-controller-manager)
  mv "$1/kube-controller-manager.tmp" "$1/kube-controller-manager"
}
build_etcd() {
  (cd "$ROOT/tools/etcd" && "${GO_BUILD[@]}" -ldflags "-s -w" -o "$1/etcd.tmp" go.etcd.io/etcd/server/v3)
  mv "$1/etcd.tmp" "$1/etcd"
}

command -v go >/dev/null || { echo "Go 1.26+ is required to build the test bed (or install pulumi and set KUBEBUILDER_ASSETS)" >&2; exit 1; }

if [[ "$PULUMI_BIN" == "$PULUMI_DIR/pulumi" ]]; then
  build pulumi "$PULUMI_DIR/pulumi" build_pulumi
  build pulumi-language-nodejs "$PULUMI_DIR/pulumi-language-nodejs" build_language_host
  # The dynamic-provider host a Pulumi install ships beside the CLI: it runs the
  # @pulumi/pulumi package of the program being deployed.
  if [[ ! -x "$PULUMI_DIR/pulumi-resource-pulumi-nodejs" ]]; then
    host_tmp="$PULUMI_DIR/pulumi-resource-pulumi-nodejs.tmp.$$"   # per run: two runs may race here
    cat > "$host_tmp" <<'SH'
#!/bin/sh
exec node "$(node -p "require.resolve('@pulumi/pulumi/cmd/dynamic-provider', {paths: [process.cwd()]})")" "$@"
SH
    chmod +x "$host_tmp"
    mv "$host_tmp" "$PULUMI_DIR/pulumi-resource-pulumi-nodejs"
  fi
else
  log "pulumi: using $PULUMI_BIN from PATH"
fi
build pulumi-resource-kubernetes "$PROVIDER_DIR/pulumi-resource-kubernetes" build_provider
if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  log "kube-apiserver, kube-controller-manager, etcd: using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
  for b in kube-apiserver kube-controller-manager etcd; do
    [[ -x "$KUBEBUILDER_ASSETS/$b" ]] || { echo "KUBEBUILDER_ASSETS has no $b" >&2; exit 1; }
  done
else
  build etcd "$ETCD_DIR/etcd" build_etcd
  build kube-apiserver "$KUBE_DIR/kube-apiserver" build_kube_apiserver
  build kube-controller-manager "$KUBE_DIR/kube-controller-manager" build_kube_controller_manager
fi

# A shared plugin cache holding the provider under its exact version, so the engine
# never tries to download it.
if [[ ! -x "$PULUMI_HOME_DIR/plugins/resource-kubernetes-v$KUBERNETES_PROVIDER_VERSION/pulumi-resource-kubernetes" ]]; then
  exec {hl}>"$CACHE/.pulumi-home.lock"; flock "$hl"
  if [[ ! -x "$PULUMI_HOME_DIR/plugins/resource-kubernetes-v$KUBERNETES_PROVIDER_VERSION/pulumi-resource-kubernetes" ]]; then
    PULUMI_HOME="$PULUMI_HOME_DIR" PULUMI_SKIP_UPDATE_CHECK=true "$PULUMI_BIN" plugin install resource kubernetes \
      "v$KUBERNETES_PROVIDER_VERSION" --file "$PROVIDER_DIR/pulumi-resource-kubernetes" >&2
  fi
  exec {hl}>&-
fi
log "ready ($(du -sh "$CACHE" 2>/dev/null | cut -f1) in $CACHE)"
print_paths
