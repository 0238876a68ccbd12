#!/usr/bin/env bash
# Runs `kiln bench ops` and the PyTorch peer alternately, ROUNDS times each, under the same
# environment, then prints the comparison (best median per case over the rounds).
#   tools/bench/side_by_side.sh [ROUNDS=3] [THREADS=2] [OUTDIR=target/bench-side-by-side] [-- extra args for both]
# Dev-time only: needs /usr/bin/python3 with Debian's python3-torch.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rounds="${1:-3}"; threads="${2:-2}"; out="${3:-target/bench-side-by-side}"
shift $(( $# < 3 ? $# : 3 )); [[ "${1:-}" == -- ]] && shift
mkdir -p "$out"
./kiln --version >/dev/null   # build first, outside the timed runs
kilns=(); torches=()
for r in $(seq 1 "$rounds"); do
  echo "round $r/$rounds (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  ./kiln bench ops --threads "$threads" "$@" > "$out/kiln-$r.jsonl"
  /usr/bin/python3 tools/bench/torch_ops_bench.py --threads "$threads" "$@" > "$out/torch-$r.jsonl" 2>"$out/torch-$r.err"
  kilns+=("$out/kiln-$r.jsonl"); torches+=("$out/torch-$r.jsonl")
done
python3 tools/bench/compare.py "$(IFS=,; echo "${kilns[*]}")" "$(IFS=,; echo "${torches[*]}")"
