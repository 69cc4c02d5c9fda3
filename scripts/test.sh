#!/usr/bin/env bash
# Sets up (Debian packages), builds in build/ and runs the whole test suite with CTest.
# Usage: scripts/test.sh [extra cmake options, e.g. -DGIBBS_SANITIZE=ON]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build=${GIBBS_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$build" -j "$(nproc)"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 600
