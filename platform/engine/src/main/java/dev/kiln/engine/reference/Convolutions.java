package dev.kiln.engine.reference;

import dev.kiln.engine.backend.ConvGeometry;
import dev.kiln.engine.backend.Storage;

/** Reference 2-D convolution kernels (direct loops). */
final class Convolutions {
    private Convolutions() {
    }

    static void forward(Storage x, Storage w, Storage bias, Storage out, ConvGeometry g) {
        throw new UnsupportedOperationException("TODO");
    }

    static void backwardInput(Storage gradOut, Storage w, Storage gradIn, ConvGeometry g) {
        throw new UnsupportedOperationException("TODO");
    }

    static void backwardWeight(Storage x, Storage gradOut, Storage gradW, ConvGeometry g) {
        throw new UnsupportedOperationException("TODO");
    }
}
