package dev.kiln.plugins.losses;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.LossContext;
import dev.kiln.api.nn.LossFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.EnumSet;

/**
 * Negative log-likelihood of class indices, as {@code torch.nn.NLLLoss}: the prediction holds
 * log-probabilities (e.g. from {@code log_softmax}) and {@code ℓ = reduce(-x[n, y_n])}.
 *
 * <p>Shapes: prediction {@code (N, C)} or {@code (N, C, d1, ...)}; target int64 {@code (N)} or
 * {@code (N, d1, ...)} with values in {@code [0, C)}; output a scalar. (No class weights or
 * {@code ignore_index}.)
 *
 * <pre>{@code
 * loss: {name: nll}
 * Tensor l = loss.compute(logits.logSoftmax(1), labels);
 * }</pre>
 */
@Component(property = {"kiln.kind=loss", "kiln.name=nll"})
public final class NllLossFactory implements LossFactory {

    /** @param reduction {@code mean} or {@code sum} */
    public record NllLossSpec(Reduction reduction) {
        public NllLossSpec {
            Reduction.require("nll", reduction, EnumSet.of(Reduction.MEAN, Reduction.SUM));
        }
    }

    @Override
    public Loss create(Params params, LossContext context) {
        NllLossSpec spec = new NllLossSpec(Reduction.of(params.getString("reduction", "mean")));
        return (logProbs, target) -> {
            Tensor index = Targets.classIndex("nll", logProbs, target);
            return spec.reduction().apply(logProbs.gather(1, index).neg());
        };
    }
}
