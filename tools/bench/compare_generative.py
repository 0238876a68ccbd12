#!/usr/bin/env python3
"""Joins Kiln's generative runs (summary.json) and torch_generative_bench.py lines on the experiment name.

    python3 tools/bench/compare_generative.py --kiln RUN_DIR_OR_SUMMARY... --torch TORCH.jsonl... [--out FILE]

Prints one JSON object (and writes it to --out): per experiment, each side's `train_steps_per_second` (the best
over the rounds given, for a machine shared with other work, and every round's), `test_neg_elbo`,
`test_reconstruction_nll` and `test_kl` (the mean over rounds, and every round's) where present, and
`kiln_over_torch_steps_per_second` and `kiln_minus_torch_test_neg_elbo` (nats per image; negative: Kiln's bound is
tighter). A Kiln run stopped by --stop-after-steps still has a summary with its steps/s. Dev-time only.
"""
import argparse
import glob
import json
import os
import re
import sys

METRICS = ("test_neg_elbo", "test_reconstruction_nll", "test_kl")


def kiln_rows(paths):
    for p in paths:
        files = [p] if p.endswith(".json") else glob.glob(os.path.join(p, "summary.json")) + glob.glob(os.path.join(p, "*", "summary.json"))
        if not files:
            print(f"compare_generative: no summary.json in {p}", file=sys.stderr)
        for f in sorted(files):
            with open(f) as fh:
                s = json.load(fh)
            name = re.sub(r"-\d{8}-\d{6}(-\d+)?$", "", s["name"])  # run dir: <spec name>-<yyyyMMdd>-<HHmmss>[-n]
            row = {"name": name, "run": os.path.dirname(os.path.abspath(f)), "status": s.get("status"),
                   "threads": s.get("threads"), "backend": s.get("backend"), "epochs": s.get("epochs"),
                   "steps": s.get("results", {}).get("steps"), "wall_seconds": s.get("wall_seconds"),
                   "train_steps_per_second": s.get("train_steps_per_second")}
            for m in METRICS:
                if s.get(m) is not None:
                    row[m] = s[m]
            yield row


def torch_rows(paths):
    for p in paths:
        with open(p) as fh:
            for line in fh:
                line = line.strip()
                if line.startswith("{"):
                    yield json.loads(line)


def side(rows):
    rows = list(rows)
    if not rows:
        return None
    out = {"rounds": len(rows), "train_steps_per_second": max(r.get("train_steps_per_second") or 0 for r in rows),
           "train_steps_per_second_rounds": [r.get("train_steps_per_second") for r in rows],
           "wall_seconds_rounds": [r.get("wall_seconds") for r in rows], "threads": rows[0].get("threads")}
    for m in METRICS:
        vals = [r[m] for r in rows if r.get(m) is not None]
        if vals:
            out[m] = round(sum(vals) / len(vals), 4)
            out[m + "_rounds"] = vals
    for k in ("status", "backend", "torch_version", "epochs", "steps", "timed_steps", "loadavg_1min_before", "omp_wait_policy"):
        vals = [r.get(k) for r in rows if k in r]
        if vals:
            out[k] = vals if len(set(map(str, vals))) > 1 else vals[0]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kiln", nargs="*", default=[], help="run directories, folders of them, or summary.json files")
    ap.add_argument("--torch", nargs="*", default=[], help="torch_generative_bench.py outputs")
    ap.add_argument("--out", help="also write the JSON here")
    args = ap.parse_args()
    kiln, torch = {}, {}
    for r in kiln_rows(args.kiln):
        kiln.setdefault(r["name"], []).append(r)
    for r in torch_rows(args.torch):
        torch.setdefault(r["name"], []).append(r)
    result = {}
    for name in list(kiln) + [n for n in torch if n not in kiln]:
        k, t = side(kiln.get(name, [])), side(torch.get(name, []))
        entry = {"kiln": k, "torch": t}
        if k and t and t["train_steps_per_second"]:
            entry["kiln_over_torch_steps_per_second"] = round(k["train_steps_per_second"] / t["train_steps_per_second"], 3)
        if k and t and "test_neg_elbo" in k and "test_neg_elbo" in t:
            entry["kiln_minus_torch_test_neg_elbo"] = round(k["test_neg_elbo"] - t["test_neg_elbo"], 3)
        result[name] = entry
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
