package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * Leaky ReLU, as {@code torch.nn.LeakyReLU}: {@code x} for {@code x > 0}, else {@code negative_slope·x}
 * (the gradient at 0 is the slope, as PyTorch). Maas et al.,
 * <a href="https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf">Rectifier Nonlinearities
 * Improve Neural Network Acoustic Models</a> (2013).
 *
 * <p>Shapes: input {@code (N, *)}, output the same.
 *
 * <pre>{@code
 * - {name: leaky_relu, params: {negative_slope: 0.2}}
 * Tensor h = layer.forward(x, ctx);
 * }</pre>
 */
@Component(property = {"kiln.kind=activation", "kiln.name=leaky_relu"})
public final class LeakyReluFactory implements LayerFactory {

    /** @param negativeSlope slope for negative inputs, finite and {@code >= 0} (default 0.01) */
    public record LeakyReluSpec(double negativeSlope) {
        public LeakyReluSpec {
            if (!(negativeSlope >= 0) || Double.isInfinite(negativeSlope)) {
                throw new IllegalArgumentException("leaky_relu: negative_slope must be finite and >= 0, got " + negativeSlope);
            }
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        LeakyReluSpec spec = new LeakyReluSpec(params.getDouble("negative_slope", 0.01));
        return (x, ctx) -> x.where(x.gt(0), x.mul(spec.negativeSlope()));
    }
}
