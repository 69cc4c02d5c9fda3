#!/usr/bin/env bash
# Installs every Debian package gibbs needs to build, test and benchmark (idempotent; run as root).
# Usage: sudo scripts/setup.sh [--bench]   (--bench adds PyTorch and scikit-learn for side-by-side runs)
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config git
  libopenblas-openmp-dev libeigen3-dev zlib1g-dev libpng-dev
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  dataset-fashion-mnist
  python3-sklearn  # only for its bundled data files (diabetes, wine, ...), read by tests/linear
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(python3-torch python3-numpy)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing packages: ${missing[*]}; run this script as root" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
