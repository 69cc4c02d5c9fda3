#!/usr/bin/env bash
# The main job on built-in data: sets up (Debian packages), builds, and runs the lecture's
# network examples, printing what they learned.
# Usage: scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build=${GIBBS_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)"
for example in perceptron backprop_221 fit_function; do
  echo "== $example"
  "$build/example_$example"
done
