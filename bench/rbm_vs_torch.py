#!/usr/bin/python3
"""RBM training epochs side by side, in one run: gibbs (build/bench_rbm_epoch), the same
algorithms written with PyTorch tensor ops, and scikit-learn's BernoulliRBM. Epoch time over the
60,000 binarized Fashion-MNIST images (pixel/255 > 0.5), 784 x 500, batch 64, lr 0.01, float32.

Algorithms (identical in gibbs and PyTorch):
  CD-k:  ph0 = σ(v0 W + b); h ~ ph0; k times: v ~ σ(h Wᵀ + a), ph = σ(v W + b), h ~ ph (not after
         the last); W += lr (v0ᵀ ph0 − vᵀ ph)/B, a += lr mean(v0 − v), b += lr mean(ph0 − ph).
  PCD-k: as scikit-learn: the persistent hidden draws h (64 chains) advance k sweeps per update.
scikit-learn's BernoulliRBM.fit (n_iter=1) is PCD-1 with 64 persistent chains.

Each Python side runs in a subprocess per configuration (OPENBLAS_CORETYPE and the thread
settings must be set before numpy/torch load OpenBLAS) and the fastest configuration is kept, as
the assignment asks; gibbs runs as installed (it selects its BLAS kernel itself).

    /usr/bin/python3 bench/rbm_vs_torch.py [--build build] [--epochs 2] [--skip-cd10]
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import time

FASHION = os.environ.get("GIBBS_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
TORCH_CONFIGS = [
    {"name": "as installed", "env": {}},
    {"name": "Haswell, OPENBLAS_NUM_THREADS=1, torch threads 2",
     "env": {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1"}},
    {"name": "SkylakeX, OPENBLAS_NUM_THREADS=1, torch threads 2",
     "env": {"OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_NUM_THREADS": "1"}},
    # On a loaded machine one thread, or threads that sleep instead of spinning, can win:
    {"name": "SkylakeX, OPENBLAS_NUM_THREADS=1, OMP_WAIT_POLICY=PASSIVE, torch threads 2",
     "env": {"OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_NUM_THREADS": "1",
             "OMP_WAIT_POLICY": "PASSIVE"}},
    {"name": "SkylakeX, OPENBLAS_NUM_THREADS=1, torch threads 1",
     "env": {"OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_NUM_THREADS": "1", "TORCH_THREADS": "1"}},
]
SKLEARN_CONFIGS = [
    {"name": "as installed", "env": {}},
    {"name": "OPENBLAS_CORETYPE=Haswell", "env": {"OPENBLAS_CORETYPE": "Haswell"}},
    {"name": "OPENBLAS_CORETYPE=SkylakeX", "env": {"OPENBLAS_CORETYPE": "SkylakeX"}},
    {"name": "SkylakeX, OMP_WAIT_POLICY=PASSIVE",
     "env": {"OPENBLAS_CORETYPE": "SkylakeX", "OMP_WAIT_POLICY": "PASSIVE"}},
    {"name": "SkylakeX, OPENBLAS_NUM_THREADS=1",
     "env": {"OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_NUM_THREADS": "1"}},
]


GIBBS_CONFIGS = [
    {"name": "library default", "threads": "0", "env": {}},
    {"name": "2 threads, OMP_WAIT_POLICY=PASSIVE", "threads": "2",
     "env": {"OMP_WAIT_POLICY": "PASSIVE"}},
]
# With --loaded: only the configurations that survive a machine whose load average exceeds its
# core count (spinning OpenMP threads there cost 10-25x; measured: PyTorch CD-1 83-157 s).
LOADED = {"as installed": False, "OPENBLAS_CORETYPE=Haswell": False}


def load_binarized():
    import numpy as np
    with gzip.open(os.path.join(FASHION, "train-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    return (x >= 128).astype(np.float32)  # pixel/255 > 0.5


def worker_torch(method, k, epochs):
    import torch
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    torch.manual_seed(0)
    x = torch.from_numpy(load_binarized())
    n, M, N, B, lr = x.shape[0], 784, 500, 64, 0.01
    W = torch.randn(M, N) * 0.01
    a = torch.zeros(M)
    b = torch.zeros(N)
    hc = torch.bernoulli(torch.full((B, N), 0.5))  # PCD chains
    with torch.no_grad():
        for epoch in range(epochs):
            t0 = time.perf_counter()
            order = torch.randperm(n)
            for start in range(0, n, B):
                v0 = x[order[start:start + B]]
                bs = v0.shape[0]
                ph0 = torch.sigmoid(torch.addmm(b, v0, W))
                if method == "cd":
                    h = torch.bernoulli(ph0)
                    for s in range(k):
                        v = torch.bernoulli(torch.sigmoid(torch.addmm(a, h, W.t())))
                        ph = torch.sigmoid(torch.addmm(b, v, W))
                        if s + 1 < k:
                            h = torch.bernoulli(ph)
                    C = bs
                else:
                    for s in range(k):
                        v = torch.bernoulli(torch.sigmoid(torch.addmm(a, hc, W.t())))
                        ph = torch.sigmoid(torch.addmm(b, v, W))
                        hc = torch.bernoulli(ph)
                    C = B
                W.addmm_(v0.t(), ph0, alpha=lr / bs)
                W.addmm_(v.t(), ph, alpha=-lr / C)
                a.add_(v0.mean(0) - v.mean(0), alpha=lr)
                b.add_(ph0.mean(0) - ph.mean(0), alpha=lr)
            print(json.dumps({"seconds": time.perf_counter() - t0}), flush=True)


def worker_sklearn(epochs):
    from sklearn.neural_network import BernoulliRBM
    x = load_binarized()
    for epoch in range(epochs):
        rbm = BernoulliRBM(n_components=500, learning_rate=0.01, batch_size=64, n_iter=1,
                           random_state=0)
        t0 = time.perf_counter()
        rbm.fit(x)
        assert rbm.components_.dtype.name == "float32"
        print(json.dumps({"seconds": time.perf_counter() - t0}), flush=True)


def run(cmd, env):
    full = dict(os.environ)
    full.update(env)
    out = subprocess.run(cmd, env=full, capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--epochs", type=int, default=2, help="epochs per measurement (best kept)")
    p.add_argument("--skip-cd10", action="store_true")
    p.add_argument("--loaded", action="store_true",
                   help="skip the configurations with spinning threads (for a busy machine)")
    p.add_argument("--worker", choices=["torch", "sklearn"])
    p.add_argument("--method", default="cd")
    p.add_argument("--k", type=int, default=1)
    args = p.parse_args()
    if args.worker == "torch":
        return worker_torch(args.method, args.k, args.epochs)
    if args.worker == "sklearn":
        return worker_sklearn(args.epochs)

    load = os.getloadavg()
    print(f"# load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores",
          flush=True)
    me = os.path.abspath(__file__)
    cases = [("cd", 1), ("pcd", 1)] + ([] if args.skip_cd10 else [("cd", 10)])
    rows = []
    def spins(cfg, torch):
        """Whether a configuration runs two threads that spin while they wait."""
        e = cfg["env"]
        if e.get("OMP_WAIT_POLICY") == "PASSIVE":
            return False
        return e.get("TORCH_THREADS") != "1" if torch else e.get("OPENBLAS_NUM_THREADS") != "1"

    def gibbs_best(method, k):
        best = None
        for cfg in GIBBS_CONFIGS:
            g = run([os.path.join(args.build, "bench_rbm_epoch"), method, str(k), "500", "64",
                     str(args.epochs), cfg["threads"]], cfg["env"])
            s = min(r["seconds"] for r in g)
            print(f"#   gibbs {method.upper()}-{k} [{cfg['name']}: {g[0]['threads']} thread(s)]: "
                  f"{s:.2f} s", flush=True)
            if best is None or s < best[0]:
                best = (s, cfg["name"], g[0]["blas_core"])
        return best

    for method, k in cases:
        gibbs_s, gibbs_cfg, core = gibbs_best(method, k)
        best = None
        for cfg in TORCH_CONFIGS:
            if args.loaded and spins(cfg, True):
                continue
            t = run([sys.executable, me, "--worker", "torch", "--method", method, "--k", str(k),
                     "--epochs", str(args.epochs)], cfg["env"])
            s = min(r["seconds"] for r in t)
            print(f"#   torch {method.upper()}-{k} [{cfg['name']}]: {s:.2f} s", flush=True)
            if best is None or s < best[0]:
                best = (s, cfg["name"])
        rows.append((f"{method.upper()}-{k}", "PyTorch tensor ops", gibbs_s, best[0], best[1],
                     gibbs_cfg))
    gibbs_s, gibbs_cfg, core = gibbs_best("pcd", 1)
    best = None
    for cfg in SKLEARN_CONFIGS:
        if args.loaded and spins(cfg, False):
            continue
        t = run([sys.executable, me, "--worker", "sklearn", "--epochs", str(args.epochs)],
                cfg["env"])
        s = min(r["seconds"] for r in t)
        print(f"#   sklearn PCD-1 [{cfg['name']}]: {s:.2f} s", flush=True)
        if best is None or s < best[0]:
            best = (s, cfg["name"])
    rows.append(("PCD-1", "scikit-learn BernoulliRBM", gibbs_s, best[0], best[1], gibbs_cfg))
    print("| algorithm | other | gibbs s/epoch | other s/epoch | ratio | gibbs config | "
          "other's best config |")
    print("|---|---|---|---|---|---|---|")
    for name, other, gs, os_, cfg, gcfg in rows:
        print(f"| {name} | {other} | {gs:.2f} | {os_:.2f} | {os_ / gs:.2f}x | {gcfg} | {cfg} |")
    load = os.getloadavg()
    print(f"# gibbs BLAS kernel: {core}; load average at the end {load[0]:.1f}")


if __name__ == "__main__":
    main()
