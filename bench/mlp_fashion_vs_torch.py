#!/usr/bin/python3
"""Whole training runs side by side: `gibbs train mlp|cnn` and the same run in PyTorch, in one
invocation, with the same architecture (MLP 784-256-128-10, ReLU; or `--model cnn`: the default
small CNN, conv3×3 32 → ReLU → maxpool 2 → conv3×3 64 → ReLU → maxpool 2 → 3136-128-10), data (all 60,000 Fashion-MNIST
training images scaled to [0, 1], reshuffled each epoch), batch, optimizer (Adam 1e-3), epochs and
thread count. Prints, per epoch, each side's training-loop time and test accuracy, and the ratio
of epoch times (PyTorch / gibbs).

PyTorch runs at its best configuration here (see bench/vs_torch.py: Debian's OpenBLAS misdetects
AVX-512 CPUs and its threads fight PyTorch's), chosen by a short timing of each configuration.

    /usr/bin/python3 bench/mlp_fashion_vs_torch.py [--model mlp|cnn] [--build build] [--epochs 10]
        [--threads 2] [--batch 128] [--seed 0]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vs_torch import CONFIGS, FASHION  # noqa: E402


def load(split):
    import gzip

    import numpy as np
    prefix = "train" if split == "train" else "t10k"
    with gzip.open(os.path.join(FASHION, f"{prefix}-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255.0
    with gzip.open(os.path.join(FASHION, f"{prefix}-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return x, y


def torch_worker(args):
    """One PyTorch run (in a subprocess with the configuration's environment): JSON per epoch."""
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x, y = (torch.from_numpy(a) for a in load("train"))
    xt, yt = (torch.from_numpy(a) for a in load("test"))
    nn = torch.nn
    if args.model == "cnn":
        x, xt = x.reshape(-1, 1, 28, 28), xt.reshape(-1, 1, 28, 28)
        net = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    else:
        net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                            nn.Linear(128, 10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = len(x)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        perm = torch.randperm(n)
        total = 0.0
        for b in range(0, n, args.batch):
            idx = perm[b:b + args.batch]
            loss = loss_fn(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        seconds = time.perf_counter() - start
        with torch.no_grad():
            acc = sum((net(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item()
                      for i in range(0, len(xt), 1000)) / len(xt)
        print(json.dumps({"epoch": epoch, "train_loss": total / n, "train_seconds": seconds,
                          "test_accuracy": acc}), flush=True)
        if args.probe:
            return


def run_torch(args, env_extra, probe):
    env = dict(os.environ, **env_extra)
    env.pop("OMP_NUM_THREADS", None)
    cmd = [sys.executable, __file__, "--worker", "--model", args.model, "--epochs", str(args.epochs), "--threads",
           str(args.threads), "--batch", str(args.batch), "--seed", str(args.seed)]
    if probe:
        cmd.append("--probe")
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    ap.add_argument("--build", default="build")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--probe", action="store_true")
    args = ap.parse_args()
    if args.worker:
        torch_worker(args)
        return

    # gibbs: the command a user types, validation 0 so that both train on all 60,000 images.
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run")
        shape = ["--hidden", "256,128"] if args.model == "mlp" else [
            "--channels", "32,64", "--hidden", "128"]
        cmd = [os.path.join(args.build, "gibbs"), "train", args.model, "--data", "fashion-mnist",
               *shape, "--epochs", str(args.epochs), "--batch", str(args.batch),
               "--optimizer", "adam", "--lr", "1e-3", "--validation", "0", "--seed",
               str(args.seed), "--threads", str(args.threads), "--quiet", "--out", out]
        env = dict(os.environ)
        env.pop("OPENBLAS_CORETYPE", None)
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        gibbs_wall = time.perf_counter() - start
        with open(os.path.join(out, "metrics.jsonl")) as f:
            gibbs = [json.loads(line) for line in f if line.strip()]

    # PyTorch: probe each configuration with one epoch, then run the fastest in full.
    best = min(CONFIGS, key=lambda cfg: run_torch(args, cfg["env"], True)[0]["train_seconds"])
    start = time.perf_counter()
    torch_epochs = run_torch(args, best["env"], False)
    torch_wall = time.perf_counter() - start

    name = "MLP 784-256-128-10" if args.model == "mlp" else "CNN c32-c64-128-10"
    print(f"{name} ReLU, Adam 1e-3, batch {args.batch}, {args.threads} threads, "
          f"{os.cpu_count()} CPUs; PyTorch config: {best['name']}")
    print(f"{'epoch':>5} {'gibbs s':>8} {'gibbs acc':>10} {'torch s':>8} {'torch acc':>10} "
          f"{'torch/gibbs':>12}")
    for g, t in zip(gibbs, torch_epochs):
        print(f"{g['epoch']:>5} {g['train_seconds']:>8.2f} {g['test_accuracy']:>10.4f} "
              f"{t['train_seconds']:>8.2f} {t['test_accuracy']:>10.4f} "
              f"{t['train_seconds'] / g['train_seconds']:>12.2f}")
    gs = sum(g["train_seconds"] for g in gibbs)
    ts = sum(t["train_seconds"] for t in torch_epochs)
    print(f"total training-loop time: gibbs {gs:.1f} s ({60000 * len(gibbs) / gs:.0f} samples/s), "
          f"torch {ts:.1f} s ({60000 * len(torch_epochs) / ts:.0f} samples/s), ratio {ts / gs:.2f}")
    print(f"whole process wall time: gibbs {gibbs_wall:.1f} s, torch {torch_wall:.1f} s")


if __name__ == "__main__":
    main()
