package dev.kiln.plugins.losses;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.LossContext;
import dev.kiln.api.nn.LossFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.EnumSet;

/**
 * Binary cross-entropy on logits, as {@code torch.nn.BCEWithLogitsLoss}: sigmoid and BCE in one
 * numerically stable expression, {@code ℓ = reduce(max(x, 0) - x·y + log(1 + exp(-|x|)))}.
 * At exactly {@code x = 0} autograd takes the subgradient 0 of {@code max} and {@code |·|}, so the
 * gradient there is {@code -y} instead of {@code ½ - y}.
 *
 * <p>Shapes: logits {@code x} and targets {@code y ∈ [0, 1]} of the same shape {@code (*)}; output a scalar.
 *
 * <pre>{@code
 * loss: {name: bce_with_logits}
 * Tensor l = loss.compute(logits, labels);
 * }</pre>
 */
@Component(property = {"kiln.kind=loss", "kiln.name=bce_with_logits"})
public final class BceWithLogitsLossFactory implements LossFactory {

    /** @param reduction {@code mean} or {@code sum} */
    public record BceWithLogitsLossSpec(Reduction reduction) {
        public BceWithLogitsLossSpec {
            Reduction.require("bce_with_logits", reduction, EnumSet.of(Reduction.MEAN, Reduction.SUM));
        }
    }

    @Override
    public Loss create(Params params, LossContext context) {
        BceWithLogitsLossSpec spec = new BceWithLogitsLossSpec(Reduction.of(params.getString("reduction", "mean")));
        return (logits, target) -> {
            Targets.requireSameShape("bce_with_logits", logits, target);
            Tensor softplusTail = logits.abs().neg().exp().add(1).log();
            return spec.reduction().apply(logits.relu().sub(logits.mul(target)).add(softplusTail));
        };
    }
}
