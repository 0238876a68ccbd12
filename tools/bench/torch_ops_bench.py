#!/usr/bin/env python3
"""PyTorch peer of `kiln bench ops`: the same cases, the same JSON line format.

Dev-time only (Debian python3-torch 1.13, /usr/bin/python3); never a build or CI dependency.

    /usr/bin/python3 tools/bench/torch_ops_bench.py --threads 2 > torch.jsonl

One JSON object per line on stdout, joinable with Kiln's output on (case, pass). torch's build
configuration (BLAS, oneDNN) goes to stderr first and into the `torch_config` field of each line.
Case definitions and FLOP formulas mirror dev.kiln.bench.BenchCase; keep the two in step.
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

import torch
import torch.nn.functional as F


# ---- cases and FLOP formulas (mirror of dev.kiln.bench.BenchCase) -------------------------------

def conv_out(size, k, stride, pad):
    return (size + 2 * pad - k) // stride + 1


def conv_flops(n, cin, cout, hout, wout, kh, kw, groups=1):
    """2·N·Cout·Hout·Wout·(Cin/g)·kH·kW multiply-adds of one forward convolution."""
    return 2 * n * cout * hout * wout * (cin // groups) * kh * kw


def gemm_flops(n):
    return 2 * n ** 3


MLP_DIMS = (784, 256, 128, 10)
MLP_BATCH = 128


def mlp_step_flops(batch=MLP_BATCH, dims=MLP_DIMS):
    """Forward GEMMs 2·B·Σ(in·out); the backward pass costs twice that."""
    return 3 * 2 * batch * sum(a * b for a, b in zip(dims, dims[1:]))


# (name, N, Cin, H, W, Cout, k, stride, pad)
CONVS = [
    ("conv-lenet1", 64, 1, 28, 28, 6, 5, 1, 2),
    ("conv-lenet2", 64, 6, 14, 14, 16, 5, 1, 0),
    ("conv-keras2", 64, 32, 28, 28, 64, 3, 1, 1),
]
# transposed: (name, N, Cin, H, W, Cout, k, stride, pad); the FLOPs are those of the convolution
# it is the input-gradient of (output (N, Cout, Hout, Wout) -> input (N, Cin, H, W)).
CONVTS = [
    ("convt-dcgan", 64, 128, 7, 7, 64, 4, 2, 1),
]


def cases():
    out = []
    for n in (256, 512, 1024, 2048):
        out.append((f"gemm-{n}", "fwd", lambda n=n: gemm_case(n), gemm_flops(n), {"m": n, "k": n, "n": n}))
    for name, n, cin, h, w, cout, k, s, p in CONVS:
        ho, wo = conv_out(h, k, s, p), conv_out(w, k, s, p)
        fl = conv_flops(n, cin, cout, ho, wo, k, k)
        shape = {"input": [n, cin, h, w], "weight": [cout, cin, k, k], "stride": s, "pad": p}
        for bwd in (False, True):
            out.append((name, "fwd+bwd" if bwd else "fwd",
                        lambda a=(n, cin, h, w, cout, k, s, p), bwd=bwd: conv_case(*a, bwd), fl * (3 if bwd else 1), shape))
    for name, n, cin, h, w, cout, k, s, p in CONVTS:
        ho = (h - 1) * s - 2 * p + k
        wo = (w - 1) * s - 2 * p + k
        # same count as the convolution (N, Cout, Ho, Wo) -> (N, Cin, H, W) whose input-gradient it is
        fl = conv_flops(n, cout, cin, h, w, k, k)
        shape = {"input": [n, cin, h, w], "weight": [cin, cout, k, k], "stride": s, "pad": p}
        for bwd in (False, True):
            out.append((name, "fwd+bwd" if bwd else "fwd",
                        lambda a=(n, cin, h, w, cout, k, s, p), bwd=bwd: convt_case(*a, bwd), fl * (3 if bwd else 1), shape))
    out.append(("mlp-step", "fwd+bwd", mlp_case, mlp_step_flops(), {"dims": list(MLP_DIMS), "batch": MLP_BATCH}))
    return out


# ---- case bodies: each returns a zero-argument step function -----------------------------------

GEN = torch.Generator().manual_seed(42)


def randn(*shape, grad=False):
    return torch.randn(*shape, generator=GEN, dtype=torch.float32).requires_grad_(grad)


def gemm_case(n):
    a, b = randn(n, n), randn(n, n)

    def step():
        with torch.no_grad():
            return torch.matmul(a, b)
    return step


def leaves_step(forward, leaves, bwd):
    if not bwd:
        def fwd():
            with torch.no_grad():
                return forward()
        return fwd

    def fwd_bwd():
        for t in leaves:
            t.grad = None
        y = forward()
        y.backward(torch.ones_like(y))
    return fwd_bwd


def conv_case(n, cin, h, w, cout, k, s, p, bwd):
    x, wt, b = randn(n, cin, h, w, grad=bwd), randn(cout, cin, k, k, grad=bwd), randn(cout, grad=bwd)
    return leaves_step(lambda: F.conv2d(x, wt, b, stride=s, padding=p), (x, wt, b), bwd)


def convt_case(n, cin, h, w, cout, k, s, p, bwd):
    x, wt, b = randn(n, cin, h, w, grad=bwd), randn(cin, cout, k, k, grad=bwd), randn(cout, grad=bwd)
    return leaves_step(lambda: F.conv_transpose2d(x, wt, b, stride=s, padding=p), (x, wt, b), bwd)


def mlp_case():
    d = MLP_DIMS
    x = randn(MLP_BATCH, d[0])
    labels = torch.randint(0, d[-1], (MLP_BATCH, 1), generator=GEN)
    params = []
    for a, b in zip(d, d[1:]):
        params += [randn(a, b).mul(a ** -0.5).requires_grad_(True), randn(b, grad=True)]

    def step():
        for t in params:
            t.grad = None
        h = x
        for i in range(0, len(params), 2):
            h = torch.matmul(h, params[i]).add(params[i + 1])
            if i + 2 < len(params):
                h = torch.relu(h)
        loss = h.log_softmax(1).gather(1, labels).mean().neg()
        loss.backward()
    return step


# ---- timing --------------------------------------------------------------------------------------

def measure(step, min_time_s, min_iters, warmup_s):
    t_end = time.perf_counter() + warmup_s
    warm = 0
    while warm < 3 or time.perf_counter() < t_end:
        step()
        warm += 1
    times = []
    start = time.perf_counter()
    while len(times) < min_iters or time.perf_counter() - start < min_time_s:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
        if len(times) >= 10000:
            break
    return times, warm


def quantile(sorted_values, q):
    i = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[i]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--cases", default=".*", help="regex matched against 'case' or 'case/pass'")
    ap.add_argument("--min-time-ms", type=float, default=500)
    ap.add_argument("--min-iterations", type=int, default=10)
    ap.add_argument("--warmup-ms", type=float, default=200)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    config = torch.__config__.show().strip()
    print(config, file=sys.stderr)
    print(torch.__config__.parallel_info().strip(), file=sys.stderr)
    blas = re.search(r"BLAS_INFO=([^,]*)", config)
    common = {
        "dtype": "float32",
        "threads": args.threads,
        "backend": "torch",
        "torch_version": torch.__version__,
        "torch_blas": blas.group(1) if blas else None,
        "torch_mkldnn": torch.backends.mkldnn.is_available(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
    }
    pattern = re.compile(args.cases)
    for name, pass_, make, flops, shape in cases():
        if not (pattern.search(name) or pattern.search(f"{name}/{pass_}")):
            continue
        step = make()
        times, warm = measure(step, args.min_time_ms / 1000, args.min_iterations, args.warmup_ms / 1000)
        times.sort()
        med = statistics.median(times)
        row = {"case": name, "pass": pass_}
        row.update(common)
        row.update({
            "median_ms": round(med * 1e3, 4),
            "gflops": round(flops / med / 1e9, 2),
            "p10_ms": round(quantile(times, 0.1) * 1e3, 4),
            "p90_ms": round(quantile(times, 0.9) * 1e3, 4),
            "iterations": len(times),
            "warmup_iterations": warm,
            "flops": flops,
            "shape": shape,
        })
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
