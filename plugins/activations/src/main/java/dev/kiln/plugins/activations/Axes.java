package dev.kiln.plugins.activations;

import java.util.Arrays;

/** Axis checks against a layer's input shape (which excludes the batch axis). */
final class Axes {

    private Axes() {
    }

    /** Validates {@code dim} for an input {@code (N, *inputShape)} and returns it as a non-negative axis. */
    static int normalize(String plugin, int dim, int[] inputShape) {
        int rank = inputShape.length + 1;
        if (dim < -rank || dim >= rank) {
            throw new IllegalArgumentException(plugin + ": dim must be in [" + -rank + ", " + (rank - 1) + "] for input (N, "
                    + Arrays.toString(inputShape).replace("[", "").replace("]", "") + "), got " + dim);
        }
        return dim < 0 ? dim + rank : dim;
    }
}
