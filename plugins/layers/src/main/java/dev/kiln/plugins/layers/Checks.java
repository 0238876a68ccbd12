package dev.kiln.plugins.layers;

import java.util.Arrays;
import java.util.Set;

/** Validation for spec records: every message names the plugin, the field, the value and the allowed range. */
final class Checks {

    private Checks() {
    }

    static int atLeast(String plugin, String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(plugin + ": " + field + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    static int[] atLeast(String plugin, String field, int[] values, int min) {
        for (int v : values) {
            if (v < min) {
                throw new IllegalArgumentException(plugin + ": " + field + " must be >= " + min + " in every entry, got "
                        + Arrays.toString(values));
            }
        }
        return values.clone();
    }

    static double inRange(String plugin, String field, double value, double min, double max, boolean maxInclusive) {
        if (!(value >= min) || (maxInclusive ? value > max : value >= max)) {
            throw new IllegalArgumentException(plugin + ": " + field + " must be in [" + min + ", " + max
                    + (maxInclusive ? "]" : ")") + ", got " + value);
        }
        return value;
    }

    static double positive(String plugin, String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(plugin + ": " + field + " must be a finite number > 0, got " + value);
        }
        return value;
    }

    static String oneOf(String plugin, String field, String value, Set<String> allowed) {
        if (!allowed.contains(value)) {
            throw new IllegalArgumentException(plugin + ": " + field + " must be one of " + allowed + ", got \"" + value + "\"");
        }
        return value;
    }

    /** The input shape (without batch axis) must have this rank, e.g. {@code (C, H, W)}. */
    static int[] rank(String plugin, int[] inputShape, int rank, String layout) {
        if (inputShape.length != rank) {
            throw new IllegalArgumentException(plugin + ": input shape must be " + layout + " (rank " + rank
                    + " without the batch axis), got " + Arrays.toString(inputShape));
        }
        return inputShape;
    }

    static void divides(String plugin, String field, int groups, String what, int value) {
        if (value % groups != 0) {
            throw new IllegalArgumentException(plugin + ": " + field + " must divide " + what + " (" + value + "), got "
                    + groups);
        }
    }
}
