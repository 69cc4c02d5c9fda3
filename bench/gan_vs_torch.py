#!/usr/bin/python3
"""One DCGAN training step side by side with PyTorch: the same networks and work as
build/bench_gan_step (gibbs::gan::train_step), same thread count, printing the ratio
PyTorch time / gibbs time (> 1: gibbs is faster).

  G: z (64) -> Linear(64, 64*7*7, no bias) -> BatchNorm1d -> ReLU -> (64,7,7)
     -> ConvTranspose2d(64, 32, 4, 2, 1, no bias) -> BatchNorm2d -> ReLU
     -> ConvTranspose2d(32, 1, 4, 2, 1) -> sigmoid
  D: Conv2d(1, 32, 4, 2, 1) -> LeakyReLU(0.2) -> Conv2d(32, 64, 4, 2, 1, no bias)
     -> BatchNorm2d -> LeakyReLU(0.2) -> Linear(3136, 1)
  step: D update on BCE-with-logits of a real and a fake minibatch (G under no_grad), then the
  non-saturating G update; Adam(lr 2e-4, betas (0.5, 0.999)); batch 64.

Each side reports the fastest of `--rounds` rounds of `--steps` steps (wall and process CPU time,
all threads); on a shared machine other jobs only add time, and the CPU time is inflated less.

    /usr/bin/python3 bench/gan_vs_torch.py [--build build] [--threads 2] [--rounds 5] [--steps 10]
"""
import argparse
import json
import os
import subprocess
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def torch_step_ms(threads, rounds, steps):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    G = nn.Sequential(nn.Linear(64, 64 * 49, bias=False), nn.BatchNorm1d(64 * 49), nn.ReLU(),
                      nn.Unflatten(1, (64, 7, 7)),
                      nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False), nn.BatchNorm2d(32),
                      nn.ReLU(), nn.ConvTranspose2d(32, 1, 4, 2, 1), nn.Sigmoid())
    D = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2),
                      nn.Conv2d(32, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
                      nn.Flatten(), nn.Linear(64 * 49, 1))
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    x = torch.rand(64, 1, 28, 28)
    ones, zeros = torch.ones(64, 1), torch.zeros(64, 1)

    def step():
        with torch.no_grad():
            fake = G(torch.randn(64, 64))
        d_loss = (F.binary_cross_entropy_with_logits(D(x), ones) +
                  F.binary_cross_entropy_with_logits(D(fake), zeros))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        g_loss = F.softplus(-D(G(torch.randn(64, 64)))).mean()
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        opt_d.zero_grad(set_to_none=True)

    for _ in range(3):
        step()
    best_wall = best_cpu = float("inf")
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(steps):
            step()
        best_wall = min(best_wall, 1e3 * (time.perf_counter() - t0) / steps)
        best_cpu = min(best_cpu, 1e3 * (time.process_time() - c0) / steps)
    return best_wall, best_cpu


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=10)
    a = p.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
    out = subprocess.run([os.path.join(a.build, "bench_gan_step"), str(a.rounds), str(a.steps)],
                         env=env, check=True, capture_output=True, text=True).stdout
    g = json.loads(out.strip().splitlines()[-1])
    t_wall, t_cpu = torch_step_ms(a.threads, a.rounds, a.steps)
    print(f"DCGAN step, batch 64, {a.threads} threads: gibbs {g['wall_ms']:.1f} ms "
          f"(cpu {g['cpu_ms']:.1f}), PyTorch {t_wall:.1f} ms (cpu {t_cpu:.1f}); "
          f"ratio PyTorch/gibbs wall {t_wall / g['wall_ms']:.2f}, cpu {t_cpu / g['cpu_ms']:.2f}")


if __name__ == "__main__":
    main()
