#!/usr/bin/env bash
# Runs every side-by-side benchmark in one go and writes the raw output to bench-results/
# (not tracked). Run on a quiet machine: the kernels use both cores, and a loaded machine
# makes both sides' OpenMP regions wait for descheduled threads.
#   scripts/setup.sh --bench && bench/run_all.sh [build]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=bench-results
mkdir -p "$out"
{
  echo "date: $(date -u)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) ($(nproc) cores)"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"
"$build/bench_gemm_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true | tee "$out/gemm.txt"
/usr/bin/python3 bench/vs_torch.py --build "$build" | tee "$out/vs_torch.txt"
/usr/bin/python3 bench/linear_vs_sklearn.py "$build/bench_linear_bench" 5 | tee "$out/linear_vs_sklearn.txt"
/usr/bin/python3 bench/optim_vs_torch.py | tee "$out/optim_vs_torch.txt" || true
for script in bench/*_vs_*.py; do
  case "$script" in
    bench/vs_torch.py | bench/linear_vs_sklearn.py | bench/optim_vs_torch.py) ;;
    *) /usr/bin/python3 "$script" | tee "$out/$(basename "$script" .py).txt" || true ;;
  esac
done
/usr/bin/python3 bench/mlp_fashion_vs_torch.py --model cnn --epochs 2 --build "$build" | tee "$out/cnn_fashion_vs_torch.txt" || true
