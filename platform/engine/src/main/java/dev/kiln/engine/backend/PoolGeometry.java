package dev.kiln.engine.backend;

import dev.kiln.api.tensor.Pool2dOptions;

/** Shapes of one 2-D pooling: input {@code (n, c, h, w)}, output {@code (n, c, outH, outW)}. */
public record PoolGeometry(int n, int c, int h, int w, int outH, int outW, Pool2dOptions options) {

    /** Number of {@code (H, W)} planes. */
    public int planes() {
        return n * c;
    }
}
