package dev.kiln.plugins.losses;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.LossContext;
import dev.kiln.api.nn.LossFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import org.osgi.service.component.annotations.Component;

import java.util.EnumSet;

/**
 * Binary cross-entropy on probabilities, as {@code torch.nn.BCELoss}:
 * {@code ℓ = reduce(-[y·log p + (1 - y)·log(1 - p)])}, with each logarithm clamped at {@code -100}
 * as PyTorch does, so {@code p = 0} or {@code 1} gives a finite loss. Prefer {@code bce_with_logits},
 * which is stable for saturated logits.
 *
 * <p>Shapes: prediction {@code p ∈ [0, 1]} and target {@code y ∈ [0, 1]} of the same shape {@code (*)};
 * output a scalar. Probabilities outside {@code [0, 1]} are rejected.
 *
 * <pre>{@code
 * loss: {name: bce, params: {reduction: sum}}
 * Tensor l = loss.compute(logits.sigmoid(), labels);
 * }</pre>
 */
@Component(property = {"kiln.kind=loss", "kiln.name=bce"})
public final class BceLossFactory implements LossFactory {

    /** {@code e^-100}: probabilities are floored here so that each logarithm is clamped at -100, as PyTorch. */
    private static final double LOG_FLOOR = Math.exp(-100);

    /** @param reduction {@code mean} or {@code sum} */
    public record BceLossSpec(Reduction reduction) {
        public BceLossSpec {
            Reduction.require("bce", reduction, EnumSet.of(Reduction.MEAN, Reduction.SUM));
        }
    }

    @Override
    public Loss create(Params params, LossContext context) {
        BceLossSpec spec = new BceLossSpec(Reduction.of(params.getString("reduction", "mean")));
        Tensors t = context.tensors();
        return (prediction, target) -> {
            Targets.requireSameShape("bce", prediction, target);
            double[] p = prediction.detach().toDoubleArray();
            for (int i = 0; i < p.length; i++) {
                if (!(p[i] >= 0 && p[i] <= 1)) {
                    throw new IllegalArgumentException("bce: prediction must hold probabilities in [0, 1], got " + p[i]
                            + " at flat index " + i + "; apply sigmoid first or use bce_with_logits");
                }
            }
            Tensor floor = t.scalar(LOG_FLOOR, prediction.dtype());
            Tensor logP = prediction.maximum(floor).log();
            Tensor log1mP = prediction.neg().add(1).maximum(floor).log();
            Tensor pointwise = target.mul(logP).add(target.neg().add(1).mul(log1mP)).neg();
            return spec.reduction().apply(pointwise);
        };
    }
}
