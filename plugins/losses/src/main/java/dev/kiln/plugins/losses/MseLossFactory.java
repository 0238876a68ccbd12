package dev.kiln.plugins.losses;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.LossContext;
import dev.kiln.api.nn.LossFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.EnumSet;

/**
 * Mean squared error (L2 loss), as {@code torch.nn.MSELoss}:
 * {@code ℓ = reduce((x - y)²)}, or {@code reduce(½(x - y)²)} with {@code half: true} (the convention
 * whose derivative is {@code x - y}).
 *
 * <p>Shapes: prediction and target of the same shape {@code (*)}; output a scalar.
 *
 * <pre>{@code
 * loss: {name: mse, params: {half: true, reduction: sum}}
 * Tensor l = loss.compute(prediction, target);   // ½‖x - y‖²
 * }</pre>
 */
@Component(property = {"kiln.kind=loss", "kiln.name=mse"})
public final class MseLossFactory implements LossFactory {

    /** @param half multiply by ½; @param reduction {@code mean} or {@code sum} */
    public record MseLossSpec(boolean half, Reduction reduction) {
        public MseLossSpec {
            Reduction.require("mse", reduction, EnumSet.of(Reduction.MEAN, Reduction.SUM));
        }
    }

    @Override
    public Loss create(Params params, LossContext context) {
        MseLossSpec spec = new MseLossSpec(params.getBoolean("half", false), Reduction.of(params.getString("reduction", "mean")));
        return (prediction, target) -> {
            Targets.requireSameShape("mse", prediction, target);
            Tensor d = prediction.sub(target);
            Tensor l = spec.reduction().apply(d.mul(d));
            return spec.half() ? l.mul(0.5) : l;
        };
    }
}
