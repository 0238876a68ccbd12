package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Exponential linear unit, as {@code torch.nn.ELU}: {@code x} for {@code x > 0}, else
 * {@code α·(exp(x) - 1)}. Clevert et al., <a href="https://arxiv.org/abs/1511.07289">Fast and Accurate Deep
 * Network Learning by Exponential Linear Units</a> (2015).
 *
 * <p>Shapes: input {@code (N, *)}, output the same.
 *
 * <pre>{@code
 * - {name: elu, params: {alpha: 1.0}}
 * Tensor h = layer.forward(x, ctx);
 * }</pre>
 */
@Component(property = {"kiln.kind=activation", "kiln.name=elu"})
public final class EluFactory implements LayerFactory {

    /** @param alpha the negative saturation value {@code -α}, finite and {@code >= 0} (default 1) */
    public record EluSpec(double alpha) {
        public EluSpec {
            if (!(alpha >= 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("elu: alpha must be finite and >= 0, got " + alpha);
            }
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        EluSpec spec = new EluSpec(params.getDouble("alpha", 1.0));
        return (x, ctx) -> {
            Tensor positive = x.gt(0);
            // exp only of the non-positive part, so no inf (and no 0·inf gradient) where x is large
            Tensor negativePart = positive.mul(0).where(positive, x);
            return x.where(positive, negativePart.exp().sub(1).mul(spec.alpha()));
        };
    }
}
