#!/usr/bin/env python3
"""Joins `kiln bench ops` and `torch_ops_bench.py` outputs on (case, pass) into one table.

    python3 tools/bench/compare.py kiln.jsonl torch.jsonl [--peak 535] [--markdown]

Either side may name several runs, comma-separated (kiln1.jsonl,kiln2.jsonl): each case then takes
the run with the lowest median (best of N, for a machine shared with other work); the footer says so.

Columns: median ms and GFLOP/s of each, each as a fraction of the cores' peak, the speed-up
torch_ms / kiln_ms, and the goal of issue 2 where one is set (GEMM: Kiln >= 0.95x raw cblas_sgemm for
n >= 512). Lines that are not JSON objects (e.g. notes) are ignored. Dev-time only.
"""
import argparse
import json
import sys

# issue 2 "Figures": minimum torch_ms / kiln_ms
GOALS = {
    ("conv-lenet1", "fwd+bwd"): 2.0,
    ("conv-lenet2", "fwd+bwd"): 2.0,
    ("convt-dcgan", "fwd+bwd"): 2.0,
    ("conv-keras2", "fwd+bwd"): 1.5,
    ("mlp-step", "fwd+bwd"): 1.2,
}
GEMM_RAW_GOAL = 0.95


def load(paths, stat):
    """(case, pass) -> row, keeping the lowest `stat` over the comma-separated files; `ms` holds it."""
    rows = {}
    for path in paths.split(","):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                r = json.loads(line)
                r["ms"] = r[stat]
                r["gf"] = r["flops"] / (r["ms"] * 1e6) if r.get("flops") else r["gflops"]
                key = (r["case"], r["pass"])
                if key not in rows or r["ms"] < rows[key]["ms"]:
                    rows[key] = r
    return rows


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kiln")
    ap.add_argument("torch")
    ap.add_argument("--peak", type=float, default=535.0, help="peak GFLOP/s of the cores used (default 535: 2 cores)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--stat", default="median_ms", choices=["median_ms", "p10_ms", "p90_ms"],
                    help="which time to compare (default median_ms; p10_ms shows the machine's quiet moments)")
    args = ap.parse_args()

    kiln, torch = load(args.kiln, args.stat), load(args.torch, args.stat)
    keys = list(kiln) + [k for k in torch if k not in kiln]
    unit = args.stat.replace("_ms", "")
    header = ["case", "pass", f"kiln {unit} ms", f"torch {unit} ms", "kiln GF/s", "torch GF/s", "kiln %peak", "torch %peak",
              "torch/kiln", "goal", "met"]
    table = []
    for key in keys:
        k, t = kiln.get(key), torch.get(key)
        ratio = t["ms"] / k["ms"] if k and t else None
        goal, met = GOALS.get(key), None
        if goal is not None and ratio is not None:
            met = ratio >= goal
        if k and k.get("raw_gflops") and key[0].startswith("gemm-") and int(key[0].split("-")[1]) >= 512:
            kr = k["gflops"] / k["raw_gflops"]  # medians, both measured in the same process
            goal, met = f"{GEMM_RAW_GOAL}x raw (is {kr:.2f}x)", kr >= GEMM_RAW_GOAL
        kg = k["gf"] if k else None
        tg = t["gf"] if t else None
        table.append([
            key[0], key[1],
            fmt(k and k["ms"], ".3f"), fmt(t and t["ms"], ".3f"),
            fmt(kg, ".1f"), fmt(tg, ".1f"),
            fmt(kg and 100 * kg / args.peak, ".1f"), fmt(tg and 100 * tg / args.peak, ".1f"),
            fmt(ratio, ".2f"), "-" if goal is None else (f">= {goal}x" if isinstance(goal, float) else goal),
            "-" if met is None else ("yes" if met else "NO"),
        ])

    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for row in table:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(str(r[i])) for r in table + [header]) for i in range(len(header))]
        for row in [header] + table:
            print("  ".join(str(c).rjust(w) if i >= 2 else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths))))

    first_k = next(iter(kiln.values()), {})
    first_t = next(iter(torch.values()), {})
    print(f"\npeak {args.peak:g} GFLOP/s; kiln: backend {first_k.get('backend')}, threads {first_k.get('threads')}, "
          f"OPENBLAS_CORETYPE={first_k.get('openblas_coretype')}; torch {first_t.get('torch_version')}, "
          f"threads {first_t.get('threads')}, OPENBLAS_CORETYPE={first_t.get('openblas_coretype')}", file=sys.stdout)
    for side, paths in (("kiln", args.kiln), ("torch", args.torch)):
        if "," in paths:
            print(f"{side}: best {args.stat} of {len(paths.split(','))} runs per case")
    if first_k.get("backend_describe"):
        print(f"kiln backend: {first_k['backend_describe']}")


if __name__ == "__main__":
    main()
