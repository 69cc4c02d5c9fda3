#!/usr/bin/python3
"""Side by side with PyTorch: one DDPM training step of the U-Net epsilon-predictor of
gibbs/diffusion/unet.hpp (the same layers in the same order, the same parameter count, printed on
both sides) on a batch of 1x28x28 images: x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps,
t ~ U{1..1000}, loss = MSE(eps_hat(x_t, t), eps), backward, Adam(lr 2e-4).

Runs build/bench_unet_step for gibbs, then PyTorch (eager, torch.set_num_threads(threads)) in
NCHW and in channels_last memory format, keeps PyTorch's best, and prints one line
    unet_step b64: gibbs X steps/s, torch Y steps/s (best: ...), ratio gibbs/torch = R
(R > 1: gibbs is faster). With --passive both sides run with OMP_WAIT_POLICY=passive, so that
threads waiting at a barrier sleep instead of spinning: on a loaded machine, where the other
thread is often descheduled, spinning costs both sides 2-3x and makes the ratio noise.

    /usr/bin/python3 bench/unet_vs_torch.py [--build build] [--threads 2] [--batch 64]
                                            [--base 32] [--seconds 5] [--attention 0|1]
                                            [--passive]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

if "--passive" in sys.argv:  # before torch starts its OpenMP pool
    os.environ["OMP_WAIT_POLICY"] = "passive"
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def sinusoidal(t, dim):
    half = dim // 2
    k = torch.arange(half, dtype=torch.float64)
    omega = torch.exp(-math.log(10000.0) * k / half)
    a = t.double()[:, None] * omega[None, :]
    return torch.cat([a.sin(), a.cos()], dim=1).float()


class ResBlock(nn.Module):
    def __init__(self, cin, cout, d, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time = nn.Linear(d, cout)
        self.norm2 = nn.GroupNorm(groups, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, e):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time(e)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + (self.skip(x) if self.skip is not None else x)


class SelfAttention(nn.Module):
    def __init__(self, c, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, c)
        self.qkv = nn.Conv2d(c, 3 * c, 1)
        self.proj = nn.Conv2d(c, c, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3 * c, h * w).chunk(3, dim=1)
        a = torch.softmax(q.transpose(1, 2) @ k / math.sqrt(c), dim=-1)
        return x + self.proj((v @ a.transpose(1, 2)).reshape(b, c, h, w))


class UNet(nn.Module):
    def __init__(self, cin=1, base=32, mult=(1, 2, 2), blocks=1, groups=8, d=128,
                 attention=False):
        super().__init__()
        self.d, self.blocks, self.levels = d, blocks, len(mult)
        self.time1, self.time2 = nn.Linear(d, d), nn.Linear(d, d)
        self.inc = nn.Conv2d(cin, base, 3, padding=1)
        self.down, self.downsample = nn.ModuleList(), nn.ModuleList()
        skips, ch = [], base
        for i, m in enumerate(mult):
            for _ in range(blocks):
                self.down.append(ResBlock(ch, base * m, d, groups))
                ch = base * m
                skips.append(ch)
            if i + 1 < len(mult):
                self.downsample.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
        self.mid1 = ResBlock(ch, ch, d, groups)
        self.attention = SelfAttention(ch, groups) if attention else None
        self.mid2 = ResBlock(ch, ch, d, groups)
        self.up, self.upsample = nn.ModuleList(), nn.ModuleList()
        for i in reversed(range(len(mult))):
            for _ in range(blocks):
                self.up.append(ResBlock(ch + skips.pop(), base * mult[i], d, groups))
                ch = base * mult[i]
            if i > 0:
                self.upsample.append(nn.Conv2d(ch, ch, 3, padding=1))
        self.out_norm = nn.GroupNorm(groups, ch)
        self.out = nn.Conv2d(ch, cin, 3, padding=1)

    def forward(self, x, t):
        e = F.silu(self.time2(F.silu(self.time1(sinusoidal(t, self.d)))))
        h, skips, b = self.inc(x), [], 0
        for i in range(self.levels):
            for _ in range(self.blocks):
                h = self.down[b](h, e)
                b += 1
                skips.append(h)
            if i + 1 < self.levels:
                h = self.downsample[i](h)
        h = self.mid1(h, e)
        if self.attention is not None:
            h = self.attention(h)
        h = self.mid2(h, e)
        b, u = 0, 0
        for i in reversed(range(self.levels)):
            for _ in range(self.blocks):
                h = self.up[b](torch.cat([h, skips.pop()], dim=1), e)
                b += 1
            if i > 0:
                h = self.upsample[u](F.interpolate(h, scale_factor=2, mode="nearest"))
                u += 1
        return self.out(F.silu(self.out_norm(h)))


def torch_rate(args, channels_last):
    torch.manual_seed(0)
    net = UNet(base=args.base, attention=bool(args.attention))
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    net = net.to(memory_format=fmt)
    opt = torch.optim.Adam(net.parameters(), lr=2e-4)
    T = 1000
    betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
    abar = torch.cat([torch.ones(1, dtype=torch.float64), torch.cumprod(1 - betas, 0)])
    x0 = torch.rand(args.batch, 1, 28, 28).contiguous(memory_format=fmt)

    def step():
        t = torch.randint(1, T + 1, (args.batch,))
        a = abar[t].sqrt().float()[:, None, None, None]
        s = (1 - abar[t]).sqrt().float()[:, None, None, None]
        eps = torch.randn_like(x0)
        x_t = a * x0 + s * eps
        loss = F.mse_loss(net(x_t, t.float()), eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while n < 3 or time.perf_counter() - start < args.seconds:
        step()
        n += 1
    return (n / (time.perf_counter() - start), (time.process_time() - cpu) / n,
            sum(p.numel() for p in net.parameters()))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--base", type=int, default=32)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--attention", type=int, default=0)
    p.add_argument("--passive", action="store_true")
    args = p.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    out = subprocess.run(
        [os.path.join(args.build, "bench_unet_step"), "--batch", str(args.batch), "--base",
         str(args.base), "--seconds", str(args.seconds), "--attention", str(args.attention)],
        env=env, check=True, capture_output=True, text=True)
    g = json.loads(out.stdout.strip().splitlines()[-1])
    torch.set_num_threads(args.threads)
    results, cpu = {}, {}
    for name, cl in (("NCHW", False), ("channels_last", True)):
        results[name], cpu[name], params = torch_rate(args, cl)
        print(f"torch {name}: {results[name]:.3f} steps/s, {cpu[name]:.3f} CPU s/step, "
              f"{params} parameters", file=sys.stderr)
    print(f"gibbs: {g['steps_per_s']:.3f} steps/s, {g['cpu_s_per_step']:.3f} CPU s/step, "
          f"{g['parameters']} parameters", file=sys.stderr)
    best = max(results, key=results.get)
    print(f"unet_step b{args.batch} base{args.base} threads {args.threads}: gibbs "
          f"{g['steps_per_s']:.2f} steps/s, torch {results[best]:.2f} steps/s (best: {best}), "
          f"ratio gibbs/torch = {g['steps_per_s'] / results[best]:.2f}; CPU s/step gibbs "
          f"{g['cpu_s_per_step']:.3f}, torch {cpu[best]:.3f}, ratio torch/gibbs = "
          f"{cpu[best] / g['cpu_s_per_step']:.2f}"
          + (" (OMP_WAIT_POLICY=passive)" if args.passive else ""))
    if params != g["parameters"]:
        print(f"WARNING: parameter counts differ: torch {params}, gibbs {g['parameters']}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
