#!/usr/bin/env bash
# The main job on a fresh machine: installs the npm packages, builds (or reuses) the
# test bed's binaries, then deploys the per-cluster stack (the template in
# examples/per-cluster) with the real engine against a local kube-apiserver and the IAM emulator.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
exec npx ts-node --transpile-only scripts/demo.ts "$@"
