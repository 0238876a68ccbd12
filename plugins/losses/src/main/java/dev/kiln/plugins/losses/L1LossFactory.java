package dev.kiln.plugins.losses;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.LossContext;
import dev.kiln.api.nn.LossFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

import java.util.EnumSet;

/**
 * Mean absolute error, as {@code torch.nn.L1Loss}: {@code ℓ = reduce(|x - y|)}; the gradient at
 * {@code x = y} is 0, as PyTorch.
 *
 * <p>Shapes: prediction and target of the same shape {@code (*)}; output a scalar.
 *
 * <pre>{@code
 * loss: {name: l1}
 * Tensor l = loss.compute(prediction, target);
 * }</pre>
 */
@Component(property = {"kiln.kind=loss", "kiln.name=l1"})
public final class L1LossFactory implements LossFactory {

    /** @param reduction {@code mean} or {@code sum} */
    public record L1LossSpec(Reduction reduction) {
        public L1LossSpec {
            Reduction.require("l1", reduction, EnumSet.of(Reduction.MEAN, Reduction.SUM));
        }
    }

    @Override
    public Loss create(Params params, LossContext context) {
        L1LossSpec spec = new L1LossSpec(Reduction.of(params.getString("reduction", "mean")));
        return (prediction, target) -> {
            Targets.requireSameShape("l1", prediction, target);
            return spec.reduction().apply(prediction.sub(target).abs());
        };
    }
}
