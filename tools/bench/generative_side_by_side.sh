#!/usr/bin/env bash
# Issue 6's figures: Kiln's generative experiments and their PyTorch peers (torch_generative_bench.py), run
# alternately ROUNDS times each under the same environment, then joined by compare_generative.py into
# OUTDIR/compare.json (best steps/s over the rounds, mean test negative ELBO).
#   tools/bench/generative_side_by_side.sh [ROUNDS=1] [THREADS=2] [OUTDIR=target/bench-generative] [NETS="vae gan dcgan"]
# Environment: VAE_EPOCHS (default 10, the spec's), GAN_STEPS (timed steps, default 300) and GAN_WARMUP (default 20);
# KILN (default ./kiln) names the CLI, e.g. KILN_NO_BUILD=1 KILN=/path/to/checkout/kiln for a built checkout;
# KILN_EXTRA and TORCH_EXTRA add words to each side's command line. A smoke test of a few seconds a side:
#   VAE_EPOCHS=1 GAN_STEPS=5 GAN_WARMUP=2 KILN_EXTRA='--set dataset.params.validation_fraction=0.95' \
#     TORCH_EXTRA='--examples 3000' tools/bench/generative_side_by_side.sh 1 2 target/bench-generative-smoke
#   vae:       kiln run experiments/fashion-vae.yaml --set trainer.epochs=$VAE_EPOCHS     vs  ... vae --epochs $VAE_EPOCHS
#   gan/dcgan: kiln run experiments/fashion-{gan,dcgan}.yaml --stop-after-steps $((GAN_WARMUP+GAN_STEPS))
#              vs  ... {gan,dcgan} --warmup $GAN_WARMUP --steps $GAN_STEPS
# Kiln's train_steps_per_second (summary.json) leaves out each epoch's first step but includes its JIT warm-up;
# torch's leaves out GAN_WARMUP steps. A full 10-epoch VAE round costs minutes on each side: the machine is shared,
# so use ROUNDS=1 and small settings unless it is quiet. Dev-time only: needs /usr/bin/python3 with python3-torch.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rounds="${1:-1}"; threads="${2:-2}"; out="${3:-target/bench-generative}"; nets="${4:-vae gan dcgan}"
kiln="${KILN:-./kiln}"
vae_epochs="${VAE_EPOCHS:-10}"; gan_steps="${GAN_STEPS:-300}"; gan_warmup="${GAN_WARMUP:-20}"
mkdir -p "$out"
"$kiln" --version >/dev/null   # build first, outside the timed runs
kilns=(); torches=()
for r in $(seq 1 "$rounds"); do
  for net in $nets; do
    echo "round $r/$rounds $net (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    case "$net" in
      vae) kargs=(--set "trainer.epochs=$vae_epochs"); targs=(--epochs "$vae_epochs") ;;
      gan|dcgan) kargs=(--stop-after-steps "$((gan_warmup + gan_steps))"); targs=(--warmup "$gan_warmup" --steps "$gan_steps") ;;
      *) echo "unknown net $net (vae, gan, dcgan)" >&2; exit 2 ;;
    esac
    runs="$out/kiln-$net-$r"
    rm -rf "$runs"
    KILN_PLAIN=1 "$kiln" run "experiments/fashion-$net.yaml" --threads "$threads" --out "$runs" "${kargs[@]}" ${KILN_EXTRA:-} \
      > "$out/kiln-$net-$r.log" 2>&1 || { echo "kiln run failed: see $out/kiln-$net-$r.log" >&2; exit 1; }
    /usr/bin/python3 tools/bench/torch_generative_bench.py "$net" --threads "$threads" "${targs[@]}" ${TORCH_EXTRA:-} \
      > "$out/torch-$net-$r.jsonl" 2> "$out/torch-$net-$r.err"
    kilns+=("$runs"); torches+=("$out/torch-$net-$r.jsonl")
  done
done
python3 tools/bench/compare_generative.py --kiln "${kilns[@]}" --torch "${torches[@]}" --out "$out/compare.json"
