package dev.kiln.plugins.datasets;

import java.util.Arrays;

/** Small helpers for example shapes. */
final class Shapes {

    private Shapes() {
    }

    static int size(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /** Fails unless {@code shape} is an image (C, H, W). */
    static void requireImage(String transform, int[] shape) {
        if (shape.length != 3) {
            throw new IllegalArgumentException(transform + " needs image examples (channels, height, width), got shape "
                    + Arrays.toString(shape));
        }
    }
}
