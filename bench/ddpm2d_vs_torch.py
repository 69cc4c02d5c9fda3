#!/usr/bin/python3
"""The 2-D DDPM of issue 7, gibbs beside PyTorch in one run at the same thread count:
(a) training steps per second (MLP ε-predictor: 16-dim sinusoidal time embedding joined to x,
three hidden layers of 128, ReLU, Adam 1e-3, batch 256, T = 1000, linear schedule, moons) and
(b) the time to draw 1,000 samples with 1,000 ancestral DDPM steps. Prints one ratio line each.

    /usr/bin/python3 bench/ddpm2d_vs_torch.py [build/bench_ddpm2d] [--threads 2] [--rounds 3]

PyTorch at its best here: torch.set_num_threads(threads), inference_mode for sampling, the time
embeddings of t = 1..T precomputed as a table (gibbs does the same), Adam with foreach=True,
zero_grad(set_to_none=True). The sides alternate, one repetition each per round, and each
reports its best round (wall clock); the CPU time per step is printed too, since on a loaded
machine wall time is inflated by waiting.
"""
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import torch

T, B, N, STEPS, SAMPLES = 1000, 256, 100000, 600, 1000


def moons(n, gen):
    t = torch.rand(n, generator=gen) * math.pi
    upper = torch.rand(n, generator=gen) < 0.5
    x = torch.where(upper, torch.cos(t), 1 - torch.cos(t))
    y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t))
    pts = torch.stack([x, y], 1) + 0.1 * torch.randn(n, 2, generator=gen)
    return pts - torch.tensor([0.5, 0.25])


def embedding_table(dim=16):
    half = dim // 2
    t = torch.arange(T + 1, dtype=torch.float64)[:, None]
    omega = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half)
    return torch.cat([torch.sin(t * omega), torch.cos(t * omega)], 1).float()


class Denoiser(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = embedding_table()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(18, 128), torch.nn.ReLU(), torch.nn.Linear(128, 128),
            torch.nn.ReLU(), torch.nn.Linear(128, 128), torch.nn.ReLU(), torch.nn.Linear(128, 2))

    def forward(self, x, t):
        return self.net(torch.cat([x, self.emb[t]], 1))


def torch_side(threads, reps=3):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    X = moons(N, gen)
    beta = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
    alpha = 1 - beta
    ab = torch.cumprod(alpha, 0)
    beta, alpha, ab = [torch.cat([torch.zeros(1, dtype=torch.float64) if v is beta else
                                  torch.ones(1, dtype=torch.float64), v]) for v in (beta, alpha, ab)]
    sqrt_ab, sqrt_1mab = ab.sqrt().float(), (1 - ab).sqrt().float()
    net = Denoiser()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, foreach=True)

    def step():
        idx = torch.randint(0, N, (B,))
        t = torch.randint(1, T + 1, (B,))
        x0 = X[idx]
        eps = torch.randn(B, 2)
        xt = sqrt_ab[t, None] * x0 + sqrt_1mab[t, None] * eps
        loss = torch.nn.functional.mse_loss(net(xt, t), eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    for _ in range(50):
        step()
    best_train, best_cpu = 0.0, 1e9
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        for _ in range(STEPS):
            step()
        w, c = time.perf_counter() - w, time.process_time() - c
        best_train, best_cpu = max(best_train, STEPS / w), min(best_cpu, c / STEPS)

    a_coef = (1 / alpha.sqrt()).tolist()
    b_coef = (beta / (1 - ab).sqrt()).tolist()
    sigma = beta.sqrt().tolist()
    best_sample, best_sample_cpu = 1e9, 1e9
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        with torch.inference_mode():
            x = torch.randn(SAMPLES, 2)
            for t in range(T, 0, -1):
                tt = torch.full((SAMPLES,), t, dtype=torch.long)
                eps = net(x, tt)
                x = a_coef[t] * (x - b_coef[t] * eps)
                if t > 1:
                    x = x + sigma[t] * torch.randn_like(x)
        best_sample = min(best_sample, time.perf_counter() - w)
        best_sample_cpu = min(best_sample_cpu, time.process_time() - c)
    return best_train, best_cpu, best_sample, best_sample_cpu


def gibbs_side(binary, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    r = json.loads(subprocess.run([binary, str(STEPS), str(SAMPLES)], env=env, check=True,
                                  capture_output=True, text=True).stdout)
    return (r["train_steps_per_s"], r["train_cpu_s_per_step"], r["sample_s"], r["sample_cpu_s"])


def main():
    args = sys.argv[1:]
    threads, rounds = 2, 3
    for flag in ("--threads", "--rounds"):
        if flag in args:
            i = args.index(flag)
            if flag == "--threads":
                threads = int(args[i + 1])
            else:
                rounds = int(args[i + 1])
            del args[i:i + 2]
    binary = args[0] if args else "build/bench_ddpm2d"
    # NOTE: the VM's speed drifts between phases that last seconds to minutes and hit the two
    # sides differently, so the sides alternate, one repetition each per round, and each keeps
    # its best round (its best configuration on this machine).
    gs, ts = [], []
    for k in range(rounds):
        gs.append(gibbs_side(binary, threads))
        ts.append(torch_side(threads, reps=1))
        g, t = gs[-1], ts[-1]
        print(f"round {k + 1}: training gibbs {g[0]:.0f}, torch {t[0]:.0f} steps/s; "
              f"sampling gibbs {g[2]:.3f} s, torch {t[2]:.3f} s", flush=True)
    g = (max(x[0] for x in gs), min(x[1] for x in gs), min(x[2] for x in gs),
         min(x[3] for x in gs))
    t = (max(x[0] for x in ts), min(x[1] for x in ts), min(x[2] for x in ts),
         min(x[3] for x in ts))
    print(f"2-D DDPM, MLP 18-128-128-128-2, batch {B}, T = {T}, {threads} threads, "
          f"torch {torch.__version__}, load {os.getloadavg()[0]:.1f}, best of {rounds} rounds")
    print(f"training: gibbs {g[0]:.0f} steps/s ({g[1] * 1e6:.0f} us CPU/step), torch {t[0]:.0f} "
          f"steps/s ({t[1] * 1e6:.0f} us CPU/step); ratio {g[0] / t[0]:.2f}x wall, "
          f"{t[1] / g[1]:.2f}x CPU")
    print(f"sampling {SAMPLES} x {T} steps: gibbs {g[2]:.3f} s ({g[3]:.3f} s CPU), torch "
          f"{t[2]:.3f} s ({t[3]:.3f} s CPU); ratio {t[2] / g[2]:.2f}x wall, {t[3] / g[3]:.2f}x CPU")


if __name__ == "__main__":
    main()
