#!/usr/bin/python3
"""The 784-400-20 VAE of PyTorch's classic example (examples/vae/main.py: fc1 784->400 ReLU,
fc21/fc22 400->20, fc3 20->400 ReLU, fc4 400->784 sigmoid; loss = BCE(sum) + KLD(sum); Adam
1e-3, batch 128) against gibbs, on Fashion-MNIST pixels in [0, 1], same thread count.

Speed (default): training samples per second of each, on the same number of shuffled training
examples (bench_vae_epoch for gibbs), PyTorch at its best configuration (see bench/vs_torch.py),
and one line with the ratio.

    /usr/bin/python3 bench/vae_vs_torch.py [--build build] [--threads 2] [--examples 19200]

ELBO (--elbo EPOCHS): `gibbs train vae` and the classic example for EPOCHS epochs each, with the
test ELBO after every epoch: −(1/10000) Σ over the test set of BCE(sum) + KLD, one ε per example
(the classic example's "test loss", negated).

    /usr/bin/python3 bench/vae_vs_torch.py --elbo 5 [--seed 1]
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
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(
            np.float32) / 255.0


def torch_worker(args):
    """One PyTorch run in a subprocess with the configuration's environment: JSON lines."""
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    class VAE(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(784, 400)
            self.fc21 = torch.nn.Linear(400, 20)
            self.fc22 = torch.nn.Linear(400, 20)
            self.fc3 = torch.nn.Linear(20, 400)
            self.fc4 = torch.nn.Linear(400, 784)

        def forward(self, x):
            h = F.relu(self.fc1(x))
            mu, logvar = self.fc21(h), self.fc22(h)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar

    def loss_function(recon_x, x, mu, logvar):
        bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return bce + kld

    x = torch.from_numpy(load("train"))
    xt = torch.from_numpy(load("test"))
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = args.examples if args.elbo == 0 else len(x)
    for epoch in range(1, max(args.elbo, 1) + 1):
        model.train()
        perm = torch.randperm(len(x))
        start, cpu_start = time.perf_counter(), time.process_time()
        total = 0.0
        for b in range(0, n, 128):
            data = x[perm[b:min(b + 128, n)]]
            recon, mu, logvar = model(data)
            loss = loss_function(recon, data, mu, logvar)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        record = {"impl": "torch", "epoch": epoch, "examples": n, "seconds": seconds,
                  "cpu_seconds": cpu,
                  "samples_per_second": n / seconds, "train_loss": total / n}
        if args.elbo:
            model.eval()
            test_loss = 0.0
            with torch.no_grad():
                for b in range(0, len(xt), 128):
                    data = xt[b:b + 128]
                    recon, mu, logvar = model(data)
                    test_loss += loss_function(recon, data, mu, logvar).item()
            record["test_elbo"] = -test_loss / len(xt)
        print(json.dumps(record), flush=True)


def run_torch(args, env_extra, examples):
    env = dict(os.environ, **env_extra)
    env.pop("OMP_NUM_THREADS", None)
    cmd = [sys.executable, __file__, "--worker", "--threads", str(args.threads), "--seed",
           str(args.seed), "--examples", str(examples), "--elbo", str(args.elbo)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def best_config(args):
    probe = lambda cfg: run_torch(argparse.Namespace(**{**vars(args), "elbo": 0}), cfg["env"],
                                  3840)[0]["samples_per_second"]
    return max(CONFIGS, key=probe)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--examples", type=int, default=19200)
    ap.add_argument("--elbo", type=int, default=0, help="epochs of the ELBO comparison")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--worker", action="store_true")
    args = ap.parse_args()
    if args.worker:
        torch_worker(args)
        return
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    best = best_config(args)

    if args.elbo:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "run")
            cmd = [os.path.join(args.build, "gibbs"), "train", "vae", "--data", "fashion-mnist",
                   "--hidden", "400", "--latent", "20", "--epochs", str(args.elbo), "--seed",
                   str(args.seed), "--threads", str(args.threads), "--quiet", "--out", out]
            subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
            with open(os.path.join(out, "metrics.jsonl")) as f:
                gibbs = [json.loads(line) for line in f if line.strip()]
        torch_epochs = run_torch(args, best["env"], 60000)
        print(f"VAE 784-400-20, Bernoulli decoder, Adam 1e-3, batch 128, seed {args.seed}, "
              f"{args.threads} threads; PyTorch config: {best['name']}")
        print(f"{'epoch':>5} {'gibbs ELBO':>11} {'gibbs s':>8} {'torch ELBO':>11} {'torch s':>8}")
        for g, t in zip(gibbs, torch_epochs):
            print(f"{g['epoch']:>5} {g['test_elbo']:>11.2f} {g['train_seconds']:>8.2f} "
                  f"{t['test_elbo']:>11.2f} {t['seconds']:>8.2f}")
        return

    cmd = [os.path.join(args.build, "bench_vae_epoch"), str(args.examples), "128",
           str(args.threads), "1"]
    g = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True,
                                  text=True).stdout.splitlines()[-1])
    t = run_torch(args, best["env"], args.examples)[0]
    print(f"VAE 784-400-20 training, batch 128, {args.examples} examples, {args.threads} threads "
          f"(PyTorch config: {best['name']}): gibbs {g['samples_per_second']:.0f} samples/s, "
          f"torch {t['samples_per_second']:.0f} samples/s, "
          f"ratio {g['samples_per_second'] / t['samples_per_second']:.2f} "
          f"(in CPU time: gibbs {args.examples / g['cpu_seconds']:.0f}, "
          f"torch {args.examples / t['cpu_seconds']:.0f} samples per CPU-second, "
          f"ratio {t['cpu_seconds'] / g['cpu_seconds']:.2f})")


if __name__ == "__main__":
    main()
