package dev.kiln.plugins.losses;

import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.model.conformance.LossConformance.Example;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The loss kit's examples ({@code LossConformance}) for every loss of this bundle, keyed by {@code kiln.name}.
 * Public so that {@code platform/itests} feeds the same examples to the kit inside the real OSGi framework.
 */
public final class LossExamples {

    private LossExamples() {
    }

    private static Function<Tensors, Tensor> randn(long seed, int... shape) {
        return t -> t.normal(t.generator(seed), 0, 1, DType.FLOAT64, shape);
    }

    private static Function<Tensors, Tensor> classes(long... labels) {
        return t -> t.of(labels, labels.length);
    }

    private static final List<Map<String, ?>> BAD_REDUCTION = List.of(Map.of("reduction", "avg"));

    public static Map<String, Example> examples() {
        Function<Tensors, Tensor> probs = t -> t.uniform(t.generator(3), 0.05, 0.95, DType.FLOAT64, 3, 4);
        Function<Tensors, Tensor> labels01 = t -> t.bernoulli(t.generator(4), 0.5, DType.FLOAT64, 3, 4);
        return Map.of(
                "mse", new Example(Map.of("half", true), randn(1, 3, 4), randn(2, 3, 4), randn(2, 3, 5),
                        List.of(Map.of("reduction", "avg"), Map.of("reduction", "batchmean"))),
                "l1", new Example(Map.of("reduction", "sum"), randn(1, 3, 4), randn(2, 3, 4), randn(2, 4, 3), BAD_REDUCTION),
                "bce", new Example(Map.of(), probs, labels01, randn(2, 3, 1), BAD_REDUCTION),
                "bce_with_logits", new Example(Map.of(), randn(1, 3, 4), labels01, randn(2, 12), BAD_REDUCTION),
                "cross_entropy", new Example(Map.of("label_smoothing", 0.1), randn(1, 4, 5), classes(0, 4, 2, 2), classes(0, 4, 2),
                        List.of(Map.of("label_smoothing", 1.5), Map.of("label_smoothing", -0.1), Map.of("reduction", "avg"))),
                "nll", new Example(Map.of("reduction", "sum"), t -> randn(1, 4, 5).apply(t).logSoftmax(1), classes(1, 0, 3, 4),
                        t -> t.of(new long[] {1, 0, 3, 4, 0, 0, 0, 0}, 4, 2), BAD_REDUCTION),
                "hinge", new Example(Map.of(), randn(1, 4, 5), classes(1, 0, 3, 4), classes(1, 0),
                        List.of(Map.of("p", 3), Map.of("margin", 0), Map.of("reduction", "batchmean"))),
                "kl_divergence", new Example(Map.of("reduction", "batchmean"), t -> randn(1, 3, 4).apply(t).logSoftmax(1),
                        t -> randn(2, 3, 4).apply(t).logSoftmax(1).exp(), randn(2, 4, 3), BAD_REDUCTION),
                "weighted_sum", new Example(Map.of("losses", List.of(
                        Map.of("loss", "mse", "weight", 0.5, "params", Map.of("half", true)),
                        Map.of("loss", "l1", "weight", 2.0))), randn(1, 3, 4), randn(2, 3, 4), randn(2, 3, 5),
                        List.of(Map.of("losses", List.of()),
                                Map.of("losses", List.of(Map.of("loss", "mse", "weight", Double.NaN))))));
    }
}
