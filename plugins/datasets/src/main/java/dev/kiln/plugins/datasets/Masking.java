package dev.kiln.plugins.datasets;

import dev.kiln.api.tensor.Generator;

/**
 * Zeroes parts of the input (training only): with {@code size > 0} one random {@code size × size}
 * square of every channel (cutout); otherwise each pixel position (all its channels) with probability
 * {@code p}. For a flat example each value is a position.
 */
record Masking(double p, int size) implements Transform {

    Masking {
        if (!(p >= 0 && p <= 1) || size < 0) {
            throw new IllegalArgumentException("masking: p must be in [0, 1] and size >= 0, got p " + p + ", size " + size);
        }
        if (size == 0 && p == 0) {
            throw new IllegalArgumentException("masking: give p (probability of zeroing a pixel) or size (side of a zeroed square)");
        }
    }

    @Override
    public int[] outputShape(int[] input) {
        if (size > 0) {
            Shapes.requireImage("masking with size", input);
            if (size > input[1] || size > input[2]) {
                throw new IllegalArgumentException("masking: square of " + size + " does not fit a " + input[1] + "×" + input[2] + " image");
            }
        }
        return input.clone();
    }

    @Override
    public boolean augmenting() {
        return true;
    }

    @Override
    public void apply(float[] in, float[] out, int[] shape, Generator generator) {
        int n = Shapes.size(shape);
        System.arraycopy(in, 0, out, 0, n);
        int channels = shape.length == 3 ? shape[0] : 1;
        int plane = n / channels;
        if (size > 0) {
            int h = shape[1];
            int w = shape[2];
            int top = generator.nextInt(h - size + 1);
            int left = generator.nextInt(w - size + 1);
            for (int c = 0; c < channels; c++) {
                for (int y = top; y < top + size; y++) {
                    java.util.Arrays.fill(out, c * plane + y * w + left, c * plane + y * w + left + size, 0f);
                }
            }
        } else {
            for (int i = 0; i < plane; i++) {
                if (generator.nextDouble() < p) {
                    for (int c = 0; c < channels; c++) {
                        out[c * plane + i] = 0f;
                    }
                }
            }
        }
    }
}
