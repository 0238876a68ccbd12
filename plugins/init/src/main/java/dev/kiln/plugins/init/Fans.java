package dev.kiln.plugins.init;

import java.util.Arrays;

/**
 * Fan-in, fan-out and recommended gains, as PyTorch's {@code torch.nn.init._calculate_fan_in_and_fan_out}
 * and {@code calculate_gain}. For a weight of shape {@code (out, in, k1, k2, ...)}:
 * {@code fan_in = in·Πk}, {@code fan_out = out·Πk}.
 */
public final class Fans {

    private Fans() {
    }

    /** {@code fan_in} of a weight shape with at least 2 axes. */
    public static long fanIn(String init, int[] shape) {
        return (long) requireMatrix(init, shape)[1] * receptiveField(shape);
    }

    /** {@code fan_out} of a weight shape with at least 2 axes. */
    public static long fanOut(String init, int[] shape) {
        return (long) requireMatrix(init, shape)[0] * receptiveField(shape);
    }

    private static long receptiveField(int[] shape) {
        long r = 1;
        for (int i = 2; i < shape.length; i++) {
            r *= shape[i];
        }
        return r;
    }

    private static int[] requireMatrix(String init, int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException(init + ": fan in and fan out need a weight with at least 2 axes"
                    + " (out, in, k...), got shape " + Arrays.toString(shape) + "; initialise biases with zeros, constant,"
                    + " uniform or normal");
        }
        return shape;
    }

    /**
     * The gain PyTorch recommends for a nonlinearity: 1 for {@code linear} and {@code sigmoid},
     * {@code 5/3} for {@code tanh}, {@code √2} for {@code relu}, {@code √(2 / (1 + slope²))} for
     * {@code leaky_relu}.
     */
    public static double gain(String nonlinearity, double negativeSlope) {
        return switch (nonlinearity) {
            case "linear", "sigmoid" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + negativeSlope * negativeSlope));
            default -> throw new IllegalArgumentException("nonlinearity must be one of [linear, sigmoid, tanh, relu,"
                    + " leaky_relu], got \"" + nonlinearity + "\"");
        };
    }
}
