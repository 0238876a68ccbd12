package dev.kiln.plugins.init;

import dev.kiln.api.plugin.Params;

import java.util.Set;

/**
 * Hyper-parameters of He (Kaiming) initialisation, shared by {@code he_uniform} and {@code he_normal},
 * as {@code torch.nn.init.kaiming_*_}: the standard deviation is {@code gain / √fan}.
 *
 * @param mode          {@code fan_in} (default; preserves activation variance in the forward pass) or
 *                      {@code fan_out} (preserves gradient variance in the backward pass)
 * @param nonlinearity  {@code relu} (default), {@code leaky_relu}, {@code tanh}, {@code sigmoid} or {@code linear}
 * @param negativeSlope the slope of {@code leaky_relu} ({@code a} in PyTorch, default 0), finite and {@code >= 0}
 */
public record KaimingSpec(String mode, String nonlinearity, double negativeSlope) {

    private static final Set<String> MODES = Set.of("fan_in", "fan_out");

    public KaimingSpec {
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("mode must be one of [fan_in, fan_out], got \"" + mode + "\"");
        }
        if (!(negativeSlope >= 0) || Double.isInfinite(negativeSlope)) {
            throw new IllegalArgumentException("negative_slope must be finite and >= 0, got " + negativeSlope);
        }
        Fans.gain(nonlinearity, negativeSlope);
    }

    static KaimingSpec read(Params params) {
        return new KaimingSpec(params.getString("mode", "fan_in"), params.getString("nonlinearity", "relu"),
                params.getDouble("negative_slope", 0.0));
    }

    /** {@code gain / √fan} for a weight shape. */
    double std(String init, int[] shape) {
        long fan = mode.equals("fan_in") ? Fans.fanIn(init, shape) : Fans.fanOut(init, shape);
        return Fans.gain(nonlinearity, negativeSlope) / Math.sqrt(fan);
    }
}
