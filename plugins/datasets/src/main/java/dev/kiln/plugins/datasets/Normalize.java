package dev.kiln.plugins.datasets;

import dev.kiln.api.tensor.Generator;

/**
 * {@code out = (in - mean[c]) / std[c]} per channel {@code c} (of a CHW example; a flat example has one
 * channel). One value applies to every channel. Deterministic: runs on every split.
 */
record Normalize(float[] mean, float[] std) implements Transform {

    Normalize {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("normalize: mean and std need the same number of values (one per channel), got "
                    + mean.length + " and " + std.length);
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("normalize: std must be > 0, got " + s);
            }
        }
    }

    @Override
    public int[] outputShape(int[] input) {
        int channels = input.length == 3 ? input[0] : 1;
        if (mean.length != 1 && mean.length != channels) {
            throw new IllegalArgumentException("normalize: " + mean.length + " means for an example of " + channels
                    + " channel(s); give one value or one per channel");
        }
        return input.clone();
    }

    @Override
    public boolean augmenting() {
        return false;
    }

    @Override
    public void apply(float[] in, float[] out, int[] shape, Generator generator) {
        int n = Shapes.size(shape);
        int plane = shape.length == 3 ? shape[1] * shape[2] : n;
        for (int i = 0; i < n; i++) {
            int c = mean.length == 1 ? 0 : i / plane;
            out[i] = (in[i] - mean[c]) / std[c];
        }
    }
}
