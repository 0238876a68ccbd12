package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * Swish / SiLU, as {@code torch.nn.SiLU}: {@code x·σ(x)}, element-wise. Ramachandran et al.,
 * <a href="https://arxiv.org/abs/1710.05941">Searching for Activation Functions</a> (2017); Elfwing et al.,
 * <a href="https://arxiv.org/abs/1702.03118">Sigmoid-Weighted Linear Units</a> (2017).
 *
 * <p>Shapes: input {@code (N, *)}, output the same.
 *
 * <pre>{@code
 * - {name: swish}
 * Tensor h = layer.forward(x, ctx);
 * }</pre>
 */
@Component(property = {"kiln.kind=activation", "kiln.name=swish"})
public final class SiluFactory implements LayerFactory {

    @Override
    public Layer create(Params params, LayerContext context) {
        return (x, ctx) -> x.mul(x.sigmoid());
    }
}
