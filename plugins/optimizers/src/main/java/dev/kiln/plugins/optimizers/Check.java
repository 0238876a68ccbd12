package dev.kiln.plugins.optimizers;

import dev.kiln.api.plugin.Params;

import java.util.function.Function;

/** Range checks for hyper-parameters, with messages naming the key, the allowed range and the value. */
final class Check {

    private Check() {
    }

    /** {@code value} within {@code [low, high]} (each end open when its flag is false). */
    static double range(String key, double value, double low, boolean lowClosed, double high, boolean highClosed) {
        boolean ok = (lowClosed ? value >= low : value > low) && (highClosed ? value <= high : value < high);
        if (!ok) {
            throw new IllegalArgumentException(key + " must be in " + (lowClosed ? "[" : "(") + num(low) + ", "
                    + num(high) + (highClosed ? "]" : ")") + ", got " + value);
        }
        return value;
    }

    /** An integer {@code value >= min}. */
    static int atLeast(String key, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(key + " must be in [" + min + ", inf), got " + value);
        }
        return value;
    }

    /** {@code value >= 0} and finite. */
    static double nonNegative(String key, double value) {
        return range(key, value, 0, true, Double.POSITIVE_INFINITY, false);
    }

    /** {@code value > 0} and finite. */
    static double positive(String key, double value) {
        return range(key, value, 0, false, Double.POSITIVE_INFINITY, false);
    }

    /** {@code value} in {@code [0, 1)}, as Adam's betas and momentum. */
    static double fraction(String key, double value) {
        return range(key, value, 0, true, 1, false);
    }

    static String oneOf(String key, String value, String... allowed) {
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw new IllegalArgumentException(key + " must be one of " + String.join(", ", allowed) + ", got \"" + value + "\"");
    }

    /** Reads a spec record, prefixing a validation failure with the parameters' document path. */
    static <S> S read(Params params, Function<Params, S> reader) {
        try {
            return reader.apply(params);
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            throw msg != null && msg.startsWith(params.path()) ? e
                    : new IllegalArgumentException(params.path() + ": " + msg, e);
        }
    }

    private static String num(double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
