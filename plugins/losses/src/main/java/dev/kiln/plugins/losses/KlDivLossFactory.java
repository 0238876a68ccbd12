package dev.kiln.plugins.losses;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.LossContext;
import dev.kiln.api.nn.LossFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Kullback–Leibler divergence, as {@code torch.nn.KLDivLoss}: the prediction {@code x} holds
 * log-probabilities and the target {@code y} probabilities (or log-probabilities with
 * {@code log_target: true}); pointwise {@code ℓ = y·(log y - x)}, taken as 0 where {@code y = 0}.
 * {@code reduction: batchmean} divides the sum by the batch size and is the true KL divergence;
 * {@code mean} (PyTorch's default, kept here) averages over every element.
 *
 * <p>Shapes: prediction and target of the same shape {@code (N, *)}; output a scalar.
 *
 * <pre>{@code
 * loss: {name: kl_divergence, params: {reduction: batchmean}}
 * Tensor l = loss.compute(student.logSoftmax(1), teacherProbs);
 * }</pre>
 */
@Component(property = {"kiln.kind=loss", "kiln.name=kl_divergence"})
public final class KlDivLossFactory implements LossFactory {

    /**
     * @param reduction {@code mean}, {@code batchmean} or {@code sum}
     * @param logTarget whether the target holds log-probabilities
     */
    public record KlDivLossSpec(Reduction reduction, boolean logTarget) {
        public KlDivLossSpec {
            Reduction.require("kl_divergence", reduction, java.util.EnumSet.allOf(Reduction.class));
        }
    }

    @Override
    public Loss create(Params params, LossContext context) {
        KlDivLossSpec spec = new KlDivLossSpec(Reduction.of(params.getString("reduction", "mean")),
                params.getBoolean("log_target", false));
        return (logProbs, target) -> {
            Targets.requireSameShape("kl_divergence", logProbs, target);
            Tensor pointwise;
            if (spec.logTarget()) {
                pointwise = target.exp().mul(target.sub(logProbs));
            } else {
                Tensor positive = target.gt(0);
                Tensor logTarget = target.where(positive, positive.neg().add(1)).log();   // log 1 = 0 where y = 0
                pointwise = target.mul(logTarget.sub(logProbs));
            }
            return spec.reduction().apply(pointwise);
        };
    }
}
