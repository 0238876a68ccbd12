package dev.kiln.plugins.init;

import dev.kiln.model.conformance.InitConformance.Example;

import java.util.List;
import java.util.Map;

/**
 * The init kit's examples ({@code InitConformance}) for every initializer of this bundle, keyed by {@code kiln.name}.
 * Public so that {@code platform/itests} feeds the same examples to the kit inside the real OSGi framework.
 */
public final class InitExamples {

    private InitExamples() {
    }

    private static final List<Map<String, ?>> BAD_KAIMING = List.of(Map.of("mode", "fan_avg"),
            Map.of("nonlinearity", "gelu"), Map.of("negative_slope", -1));

    public static Map<String, Example> examples() {
        return Map.of(
                "zeros", new Example(Map.of(), false, List.of()),
                "constant", new Example(Map.of("value", 0.1), false,
                        List.of(Map.of("value", Double.NaN), Map.of("value", "big"))),
                "uniform", new Example(Map.of("a", -0.5, "b", 0.5), true,
                        List.of(Map.of("a", 1, "b", 1), Map.of("b", Double.POSITIVE_INFINITY))),
                "normal", new Example(Map.of("mean", 0.1, "std", 0.02), true, List.of(Map.of("std", -0.5))),
                "xavier_uniform", new Example(Map.of("gain", 5.0 / 3), true, List.of(Map.of("gain", 0))),
                "xavier_normal", new Example(Map.of(), true, List.of(Map.of("gain", -2))),
                "he_uniform", new Example(Map.of("mode", "fan_out", "nonlinearity", "leaky_relu", "negative_slope", 0.2), true, BAD_KAIMING),
                "he_normal", new Example(Map.of("mode", "fan_in"), true, BAD_KAIMING));
    }
}
