#!/usr/bin/env bash
# What both README commands need first, on a fresh machine or a warm one:
#   1. the npm packages (npm ci, when the lock file is newer than node_modules);
#   2. the library built as npm ships it (bin/, by tsc), and linked into node_modules under
#      its own name, so programs in this repository import `pulumi-icr-access` and the
#      dynamic providers' shims load `pulumi-icr-access/providers` exactly as a user's do;
#   3. the test bed's binaries (scripts/toolchain.sh; built once from the Go module proxy).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=warn
fi
npm run --silent build   # postbuild links the package under its own name
scripts/toolchain.sh > /dev/null
