package dev.kiln.plugins.activations;

import dev.kiln.model.conformance.InvalidCase;
import dev.kiln.model.conformance.LayerCase;

import java.util.List;
import java.util.Map;

/**
 * The layer kit's examples ({@code LayerConformance}) for every activation of this bundle: valid cases with
 * output shapes, and rejected specs. Public so that {@code platform/itests} feeds the same examples to the
 * kit inside the real OSGi framework.
 */
public final class ActivationExamples {

    private ActivationExamples() {
    }

    private static int[] s(int... shape) {
        return shape;
    }

    public static List<LayerCase> cases() {
        return List.of(
                LayerCase.of("sigmoid", Map.of(), s(2, 3, 4, 5), s(2, 3, 4, 5)).and(s(3, 7), s(3, 7)),
                LayerCase.of("tanh", Map.of(), s(2, 3, 4, 5), s(2, 3, 4, 5)).and(s(3, 7), s(3, 7)),
                LayerCase.of("relu", Map.of(), s(2, 3, 4, 5), s(2, 3, 4, 5)).and(s(3, 7), s(3, 7)),
                LayerCase.of("leaky_relu", Map.of("negative_slope", 0.2), s(2, 3, 4, 5), s(2, 3, 4, 5)),
                LayerCase.of("prelu", Map.of("num_parameters", 3, "init", 0.1), s(2, 3, 4, 5), s(2, 3, 4, 5)),
                LayerCase.of("prelu", Map.of(), s(2, 6), s(2, 6)),
                LayerCase.of("elu", Map.of("alpha", 0.7), s(2, 3, 4, 5), s(2, 3, 4, 5)),
                LayerCase.of("swish", Map.of(), s(2, 7), s(2, 7)).and(s(1, 2, 3, 3), s(1, 2, 3, 3)),
                LayerCase.of("maxout", Map.of("k", 2), s(2, 6, 2, 2), s(2, 3, 2, 2)).and(s(3, 4), s(3, 2)),
                LayerCase.of("softmax", Map.of("dim", -1), s(2, 3, 4, 5), s(2, 3, 4, 5)),
                LayerCase.of("softmax", Map.of(), s(3, 5), s(3, 5)),
                LayerCase.of("log_softmax", Map.of(), s(2, 5), s(2, 5)).and(s(2, 3, 4), s(2, 3, 4)));
    }

    public static List<InvalidCase> invalid() {
        return List.of(
                new InvalidCase("leaky_relu", Map.of("negative_slope", -1.0), s(3, 4), "negative_slope", "-1.0"),
                new InvalidCase("prelu", Map.of("num_parameters", 0), s(3, 4), "num_parameters", "0"),
                new InvalidCase("prelu", Map.of("num_parameters", 4), s(3, 4), "num_parameters", "4"),
                new InvalidCase("elu", Map.of("alpha", -1.0), s(3, 4), "alpha", "-1.0"),
                new InvalidCase("maxout", Map.of("k", 1), s(6, 2), "k", "1"),
                new InvalidCase("maxout", Map.of("k", 4), s(6, 2), "k", "4"),
                new InvalidCase("softmax", Map.of("dim", 4), s(3, 4), "dim", "4"),
                new InvalidCase("log_softmax", Map.of("dim", -3), s(5), "dim", "-3"));
    }
}
