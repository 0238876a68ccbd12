#!/usr/bin/env bash
# The floor of the Fashion-MNIST Fréchet distance: d² between the first N training and the first N test images
# (default 10,000) in the feature space of the committed fashion-features net, on the best backend of the CLI's
# class path (OpenBLAS), with the code the GAN, DCGAN and VAE trainers use. Prints one JSON line.
#   tools/frechet-floor.sh [N [DATA_DIR [BACKEND [THREADS]]]]
# Builds what it needs offline-capable with Maven (the CLI's lib/ via ./kiln, the generative module's test classes).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
./kiln --version >/dev/null                                   # builds platform/cli/target/lib when missing or stale
mvn -q -B -pl plugins/generative -am test-compile -Dstyle.color=never >&2
N="${1:-10000}"; DATA="${2:-/usr/share/datasets/fashion-mnist}"
exec java -cp "platform/cli/target/lib/*:plugins/generative/target/classes:plugins/generative/target/test-classes" \
  dev.kiln.plugins.generative.FrechetFloor "$N" "$DATA" ${3:+"$3"} ${4:+"$4"}
