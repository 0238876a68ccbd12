package dev.kiln.plugins.datasets;

import dev.kiln.api.tensor.Generator;

/**
 * Shifts the image by whole pixels drawn uniformly from {@code [-max, max]} on each axis; uncovered
 * pixels are 0 (training only).
 */
record Translation(int max) implements Transform {

    Translation {
        if (max < 0) {
            throw new IllegalArgumentException("translation: max must be >= 0 pixels, got " + max);
        }
    }

    @Override
    public int[] outputShape(int[] input) {
        Shapes.requireImage("translation", input);
        return input.clone();
    }

    @Override
    public boolean augmenting() {
        return true;
    }

    @Override
    public void apply(float[] in, float[] out, int[] shape, Generator generator) {
        int dy = generator.nextInt(2 * max + 1) - max;
        int dx = generator.nextInt(2 * max + 1) - max;
        shift(in, out, shape, dy, dx);
    }

    /** {@code out[y][x] = in[y - dy][x - dx]}, zero where that is outside. */
    static void shift(float[] in, float[] out, int[] shape, int dy, int dx) {
        int h = shape[1];
        int w = shape[2];
        for (int ch = 0; ch < shape[0]; ch++) {
            int plane = ch * h * w;
            for (int y = 0; y < h; y++) {
                int sy = y - dy;
                for (int x = 0; x < w; x++) {
                    int sx = x - dx;
                    out[plane + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? in[plane + sy * w + sx] : 0f;
                }
            }
        }
    }
}
