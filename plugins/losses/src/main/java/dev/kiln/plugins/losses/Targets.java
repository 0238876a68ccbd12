package dev.kiln.plugins.losses;

import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensor;

import java.util.Arrays;

/** Shape and value checks shared by the losses; every message names both shapes and the fix. */
final class Targets {

    private Targets() {
    }

    /** Prediction and target must have equal shapes (no silent broadcasting, unlike PyTorch's warning). */
    static void requireSameShape(String loss, Tensor prediction, Tensor target) {
        if (!Arrays.equals(prediction.shape(), target.shape())) {
            throw new IllegalArgumentException(loss + ": prediction shape " + Arrays.toString(prediction.shape())
                    + " and target shape " + Arrays.toString(target.shape()) + " must be equal");
        }
        if (!prediction.dtype().isFloatingPoint() || !target.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(loss + ": prediction and target must be floating point, got "
                    + prediction.dtype() + " and " + target.dtype());
        }
    }

    /**
     * Checks class-index targets for a prediction of shape {@code (N, C, d1, ...)}: an int64 target of
     * shape {@code (N, d1, ...)} with values in {@code [0, C)}, and returns it as a gather index of shape
     * {@code (N, 1, d1, ...)}.
     */
    static Tensor classIndex(String loss, Tensor prediction, Tensor target) {
        int[] p = prediction.shape();
        int[] t = target.shape();
        if (p.length < 2) {
            throw new IllegalArgumentException(loss + ": prediction shape " + Arrays.toString(p)
                    + " must be (N, C) or (N, C, d1, ...) with classes on axis 1 (target shape " + Arrays.toString(t) + ")");
        }
        int[] expected = new int[p.length - 1];
        expected[0] = p[0];
        System.arraycopy(p, 2, expected, 1, p.length - 2);
        if (!Arrays.equals(expected, t)) {
            throw new IllegalArgumentException(loss + ": prediction shape " + Arrays.toString(p) + " needs class-index target shape "
                    + Arrays.toString(expected) + ", got target shape " + Arrays.toString(t));
        }
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException(loss + ": class-index targets must be INT64, got " + target.dtype()
                    + " (target shape " + Arrays.toString(t) + ")");
        }
        long[] values = target.toLongArray();
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= p[1]) {
                throw new IllegalArgumentException(loss + ": target class " + values[i] + " at flat index " + i
                        + " is outside [0, " + p[1] + ") for prediction shape " + Arrays.toString(p));
            }
        }
        int[] index = new int[p.length];
        index[0] = p[0];
        index[1] = 1;
        System.arraycopy(p, 2, index, 2, p.length - 2);
        return target.reshape(index);
    }

    /** A finite value in {@code [low, high]}, or a message naming the field, the value and the range. */
    static double inRange(String loss, String field, double value, double low, double high) {
        if (!(value >= low && value <= high)) {
            throw new IllegalArgumentException(loss + ": " + field + " must be in [" + low + ", " + high + "], got " + value);
        }
        return value;
    }
}
