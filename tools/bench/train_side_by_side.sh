#!/usr/bin/env bash
# Training throughput of the supervised experiments, Kiln and PyTorch 1.13 alternately, ROUNDS times:
# one epoch of each spec (`./kiln run ... --set trainer.epochs=1`, train_images_per_second from summary.json)
# against tools/bench/torch_train_bench.py on the same nets, batch sizes and 54,000 training images.
#   tools/bench/train_side_by_side.sh [ROUNDS=2] [THREADS=2] [OUTDIR=target/bench-train] ["fashion-mlp fashion-lenet fashion-cnn"]
# Prints one JSON line per net: best images/s of each side over the rounds and their ratio (kiln / torch).
# KILN (default ./kiln) names the CLI, e.g. KILN_NO_BUILD=1 KILN=/path/to/built/checkout/kiln.
# Dev-time only: needs /usr/bin/python3 with Debian's python3-torch. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rounds="${1:-2}"; threads="${2:-2}"; out="${3:-target/bench-train}"; nets="${4:-fashion-mlp fashion-lenet fashion-cnn}"
mkdir -p "$out"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"   # both sides, as ./kiln sets it
kiln="${KILN:-./kiln}"
"$kiln" --version >/dev/null   # build first, outside the timed runs
for r in $(seq 1 "$rounds"); do
  for net in $nets; do
    echo "round $r/$rounds $net (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    "$kiln" run "experiments/$net.yaml" --threads "$threads" --set trainer.epochs=1 --out "$out/kiln-runs" > "$out/kiln-$net-$r.log" 2>&1
    dir="$(ls -td "$out"/kiln-runs/"$net"-* | sed -n 1p)"
    python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(json.dumps({"net": sys.argv[2], "backend": "kiln", "images_per_second": s["train_images_per_second"]}))' \
      "$dir/summary.json" "$net" >> "$out/kiln.jsonl"
    /usr/bin/python3 tools/bench/torch_train_bench.py --threads "$threads" --nets "$net" >> "$out/torch.jsonl"
  done
done
python3 - "$out/kiln.jsonl" "$out/torch.jsonl" <<'PY'
import json, sys
best = {}
for path in sys.argv[1:]:
    for line in open(path):
        d = json.loads(line)
        key = (d["net"], "kiln" if "kiln" in path else "torch")
        best[key] = max(best.get(key, 0), d.get("images_per_second") or d["train_images_per_second"])
for net in sorted({n for n, _ in best}):
    k, t = best.get((net, "kiln")), best.get((net, "torch"))
    print(json.dumps({"net": net, "kiln_images_per_second": round(k, 1), "torch_images_per_second": round(t, 1),
                      "kiln_over_torch": round(k / t, 3)}))
PY
