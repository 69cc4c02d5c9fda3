#!/usr/bin/python3
"""Side by side with PyTorch: the same training steps in gibbs (build/bench_train_step) and in
PyTorch, same data, same thread count, in one run; prints the ratio PyTorch time / gibbs time.

PyTorch is measured at its best configuration on this machine (see docs/benchmarks.md): Debian's
OpenBLAS misdetects recent AVX-512 CPUs, and PyTorch's own threads fight OpenBLAS's, so each
PyTorch workload is run under every configuration in CONFIGS and the fastest is kept.

    /usr/bin/python3 bench/vs_torch.py [--build build] [--seconds 3] [--threads 2] [--only mlp784|small]
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import time

import numpy as np

CONFIGS = [
    {"name": "as installed", "env": {}},
    {"name": "OPENBLAS_CORETYPE=Haswell, OPENBLAS_NUM_THREADS=1",
     "env": {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1"}},
    {"name": "OPENBLAS_CORETYPE=SkylakeX, OPENBLAS_NUM_THREADS=1",
     "env": {"OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_NUM_THREADS": "1"}},
]
FASHION = os.environ.get("GIBBS_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def load_fashion():
    with gzip.open(os.path.join(FASHION, "train-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255.0
    with gzip.open(os.path.join(FASHION, "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return images, labels


def time_steps(seconds, step):
    for i in range(20):
        step(i)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(10):
            step(n)
            n += 1
    return n / (time.perf_counter() - start)


def torch_worker(workload, batch, seconds, threads):
    """Runs in a subprocess with the configuration's environment; prints steps/s."""
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if workload == "mlp784":
        images, labels = load_fashion()
        x_all, y_all = torch.from_numpy(images), torch.from_numpy(labels)
        net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                  torch.nn.ReLU(), torch.nn.Linear(128, 10))
        loss_fn = torch.nn.CrossEntropyLoss()
        batches = len(images) // batch
        data = lambda s: (x_all[(s % batches) * batch:(s % batches + 1) * batch],
                          y_all[(s % batches) * batch:(s % batches + 1) * batch])
    else:
        i = np.arange(batch)
        x0, x1 = np.sin(0.7 * i), np.cos(1.3 * i)
        x = torch.tensor(np.stack([x0, x1], 1), dtype=torch.float32)
        y = torch.tensor((x0 * x0 + 3 * x0 * x1 + x1 * x1 + 5)[:, None], dtype=torch.float32)
        net = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64), torch.nn.Tanh(),
                                  torch.nn.Linear(64, 1))
        loss_fn = torch.nn.MSELoss()
        data = lambda s: (x, y)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step(s):
        xb, yb = data(s)
        loss = loss_fn(net(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

    print(time_steps(seconds, step))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default="")
    ap.add_argument("--worker", nargs=2)
    args = ap.parse_args()
    if args.worker:
        torch_worker(args.worker[0], int(args.worker[1]), args.seconds, args.threads)
        return
    workloads = [("mlp784", 32), ("mlp784", 128), ("mlp784", 1024), ("small", 32)]
    workloads = [w for w in workloads if not args.only or w[0] == args.only]
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    env.pop("OPENBLAS_CORETYPE", None)
    cmd = [os.path.join(args.build, "bench_train_step"), "--seconds", str(args.seconds)]
    if args.only:
        cmd += ["--only", args.only]
    gibbs = {}
    for line in subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout.splitlines():
        r = json.loads(line)
        gibbs[(r["workload"], r["batch"])] = r["steps_per_s"]
    print(f"threads {args.threads}; {os.cpu_count()} CPUs; {subprocess.run(['uname', '-m'], capture_output=True, text=True).stdout.strip()}")
    print(f"{'workload':<10}{'batch':>6}{'gibbs steps/s':>15}{'torch steps/s':>15}  {'torch config':<52}{'ratio':>7}")
    for workload, batch in workloads:
        best, best_cfg = 0.0, ""
        for cfg in CONFIGS:
            wenv = dict(os.environ, **cfg["env"])
            wenv.pop("OMP_NUM_THREADS", None)
            out = subprocess.run([sys.executable, __file__, "--worker", workload, str(batch), "--seconds",
                                  str(args.seconds), "--threads", str(args.threads)],
                                 env=wenv, check=True, capture_output=True, text=True).stdout
            rate = float(out.strip().splitlines()[-1])
            if rate > best:
                best, best_cfg = rate, cfg["name"]
        g = gibbs[(workload, batch)]
        print(f"{workload:<10}{batch:>6}{g:>15.1f}{best:>15.1f}  {best_cfg:<52}{g / best:>7.2f}")


if __name__ == "__main__":
    main()
