#!/usr/bin/python3
"""One Adam step over the 235,146 float32 parameters of an MLP 784-256-128-10, gibbs beside
PyTorch in one run, at 1 and 2 threads; prints the ratio PyTorch time / gibbs time.

    /usr/bin/python3 bench/optim_vs_torch.py [build/bench_optim_bench]

PyTorch is given its best: torch.optim.Adam with foreach=True and with foreach=False (the faster
one counts), torch.set_num_threads matching gibbs's OMP_NUM_THREADS. Each side reports the
minimum over repetitions of its mean step time, which is the least disturbed by other load, both
wall-clock and CPU time (the process's CPU time per step; on a machine shared with other work the
wall-clock time of a single thread is inflated by waiting for a core, its CPU time much less).
"""
import json
import os
import subprocess
import sys
import time

import torch

SHAPES = [(784, 256), (256,), (256, 128), (128,), (128, 10), (10,)]


def torch_adam_seconds(threads, foreach, steps=200, reps=7):
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(0)
    params = []
    for shape in SHAPES:
        p = torch.nn.Parameter(torch.randn(shape, generator=gen) * 0.05)
        p.grad = torch.randn(shape, generator=gen) * 1e-3
        params.append(p)
    opt = torch.optim.Adam(params, lr=1e-3, foreach=foreach)
    for _ in range(20):
        opt.step()
    best, best_cpu = float("inf"), float("inf")
    for _ in range(reps):
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(steps):
            opt.step()
        best = min(best, (time.perf_counter() - start) / steps)
        best_cpu = min(best_cpu, (time.process_time() - start_cpu) / steps)
    return best, best_cpu


def gibbs_adam_seconds(binary, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run(
        [binary, "--benchmark_filter=^BM_AdamStep/", "--benchmark_repetitions=7",
         "--benchmark_min_time=0.2", "--benchmark_format=json"],
        env=env, check=True, capture_output=True, text=True).stdout
    runs = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3}[runs[0]["time_unit"]]
    return min(b["real_time"] for b in runs) * unit, min(b["cpu_time"] for b in runs) * unit


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/bench_optim_bench"
    n = sum(torch.Size(s).numel() for s in SHAPES)
    print(f"Adam step, {n} float32 parameters, torch {torch.__version__}")
    print(f"{'threads':>7}  {'':>6}  {'gibbs us':>9}  {'torch us':>9}  {'ratio':>6}")
    for threads in (1, 2):
        g = gibbs_adam_seconds(binary, threads)
        t_loop = torch_adam_seconds(threads, foreach=False)
        t_foreach = torch_adam_seconds(threads, foreach=True)
        for k, kind in enumerate(("wall", "cpu")):
            t = min(t_loop[k], t_foreach[k])
            which = "foreach" if t_foreach[k] < t_loop[k] else "for-loop"
            print(f"{threads:>7}  {kind:>6}  {g[k] * 1e6:9.1f}  {t * 1e6:9.1f}  "
                  f"{t / g[k]:6.2f}   (torch {which})")


if __name__ == "__main__":
    main()
