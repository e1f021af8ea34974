#!/usr/bin/env bash
# Sets up and runs every test: npm packages, the test bed's binaries (built from the
# Go module proxy, cached), lint and type checks, then each layer of tests in its own
# mocha run (scripts/test-layer.sh): unit, emulator, providers, mocks, and end-to-end
# through the real engine against a real API server.
# Ends with one line: `N passed, N failed`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
START=$(date +%s)
step() { echo "== [+$(( $(date +%s) - START ))s] $*"; }

step "setup (npm packages, library build, test bed binaries)"
scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

export TEST_COUNTS_FILE
TEST_COUNTS_FILE="$(mktemp)"
check() { # a named check counts as one test
  local name="$1"; shift
  step "$name"
  if "$@"; then echo "1 0" >> "$TEST_COUNTS_FILE"; else echo "0 1" >> "$TEST_COUNTS_FILE"; echo "FAILED: $name"; fi
}
suite() { # a layer's mocha run reports its own counts
  local name="$1" layer="$2"
  step "$name"
  local before; before=$(wc -l < "$TEST_COUNTS_FILE")
  scripts/test-layer.sh "$layer"
  # a suite that crashed before reporting counts as one failure
  [[ $(wc -l < "$TEST_COUNTS_FILE") -gt $before ]] || echo "0 1" >> "$TEST_COUNTS_FILE"
}

check "lint (eslint)" npx eslint .
check "format (prettier)" npx prettier --check .
check "types (tsc, strict)" npx tsc -p tsconfig.json --noEmit
check "API reference (typedoc, warnings are errors)" npm run --silent docs
check "one copy of @pulumi/pulumi" bash -c '[[ $(npm ls @pulumi/pulumi --all --parseable 2>/dev/null | sort -u | wc -l) -eq 1 ]]'
suite "unit tests" unit
suite "IAM emulator tests" emulator
suite "provider tests (IAM emulator, real API server)" providers
suite "construction tests (mocks)" mocks
suite "end-to-end tests (real engine, real API server)" e2e

step "done"
read -r PASSED FAILED < <(awk '{p+=$1; f+=$2} END {print p+0, f+0}' "$TEST_COUNTS_FILE")
rm -f "$TEST_COUNTS_FILE"
echo "$PASSED passed, $FAILED failed"
[[ "$FAILED" -eq 0 ]]
