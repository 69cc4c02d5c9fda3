#!/usr/bin/env bash
# The main job on built-in data: sets up (Debian packages), builds, trains the MLP
# 784-256-128-10 on Fashion-MNIST (15 epochs, cosine-annealed Adam; about a minute on 2 cores)
# and prints its test accuracy, then trains a diffusion model (DDPM) on the two-moons density and
# compares its samples with fresh data (energy distance against the data-vs-data baseline; a
# picture of 2,000 samples), then runs the lecture's first networks.
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
echo "== DDPM on two moons (40 epochs, about 15 s)"
"$build/gibbs" train ddpm --data moons --epochs 40 --seed 1 --quiet --out "$run/ddpm"
"$build/gibbs" eval --model "$run/ddpm/model.safetensors" --n 2000 --seed 2
"$build/gibbs" sample --model "$run/ddpm/model.safetensors" --n 2000 --out "$run/ddpm/moons.png"
for example in perceptron backprop_221 fit_function; do
  echo "== $example"
  "$build/example_$example"
done
