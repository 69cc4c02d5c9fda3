#!/usr/bin/env bash
# The main job on built-in data: sets up (Debian packages), builds, trains the MLP
# 784-256-128-10 on Fashion-MNIST (15 epochs, cosine-annealed Adam; about a minute on 2 cores)
# and prints its test accuracy, then runs the lecture's first networks.
# Usage: scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build=${GIBBS_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)"
run=$(mktemp -d /tmp/gibbs-demo.XXXXXX)
"$build/gibbs" train mlp --data fashion-mnist --epochs 15 --schedule cosine --validation 0 --out "$run/mlp"
"$build/gibbs" eval --model "$run/mlp/model.safetensors" --data fashion-mnist
for example in perceptron backprop_221 fit_function; do
  echo "== $example"
  "$build/example_$example"
done
