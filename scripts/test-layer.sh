#!/usr/bin/env bash
# Runs one layer of the tests with its own mocha config, test/<layer>/.mocharc.json: every
# spec of the layer, or only the spec files named after it (other arguments go to mocha).
#
#   scripts/test-layer.sh e2e                                    all of test/e2e
#   scripts/test-layer.sh e2e test/e2e/iam.spec.ts -g faults     one file, matching tests
#
# Layers: unit (no processes), emulator (the IAM emulator over HTTP), providers (the dynamic
# providers against the emulator and a kube-apiserver), mocks (components under Pulumi's mocks),
# e2e (programs through the real engine against a kube-apiserver and the emulator).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
layer="${1:?usage: scripts/test-layer.sh <unit|emulator|providers|mocks|e2e> [spec files] [mocha options]}"
shift
config="test/$layer/.mocharc.json"
[[ -f "$config" ]] || { echo "no test layer '$layer': $config does not exist" >&2; exit 2; }
files=() rest=()
for arg in "$@"; do
  if [[ "$arg" == *.ts ]]; then files+=(--file "$arg"); else rest+=("$arg"); fi
done
if (( ${#files[@]} == 0 )); then exec npx mocha --config "$config" ${rest[@]+"${rest[@]}"}; fi
# Mocha adds the config's `spec` globs to the files named on its command line, so named files
# are given with --file, which the layer's globs, ignored here, do not filter.
exec npx mocha --config "$config" --ignore "test/$layer/**" "${files[@]}" ${rest[@]+"${rest[@]}"}
