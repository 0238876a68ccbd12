package dev.kiln.plugins.datasets;

import dev.kiln.api.tensor.Generator;

/** Mirrors the image left to right with probability {@code p} (training only). */
record HorizontalFlip(double p) implements Transform {

    HorizontalFlip {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("horizontal_flip: p must be in [0, 1], got " + p);
        }
    }

    @Override
    public int[] outputShape(int[] input) {
        Shapes.requireImage("horizontal_flip", input);
        return input.clone();
    }

    @Override
    public boolean augmenting() {
        return true;
    }

    @Override
    public void apply(float[] in, float[] out, int[] shape, Generator generator) {
        boolean flip = generator.nextDouble() < p;
        int w = shape[2];
        int rows = shape[0] * shape[1];
        for (int r = 0; r < rows; r++) {
            int base = r * w;
            for (int x = 0; x < w; x++) {
                out[base + x] = in[base + (flip ? w - 1 - x : x)];
            }
        }
    }
}
