package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * The hyperbolic tangent, as {@code torch.nn.Tanh}: {@code tanh(x) = (e^x - e^-x) / (e^x + e^-x)},
 * element-wise; zero-centred, in {@code (-1, 1)}.
 *
 * <p>Shapes: input {@code (N, *)}, output the same.
 *
 * <pre>{@code
 * - {name: tanh}
 * Tensor h = layer.forward(x, ctx);
 * }</pre>
 */
@Component(property = {"kiln.kind=activation", "kiln.name=tanh"})
public final class TanhFactory implements LayerFactory {

    @Override
    public Layer create(Params params, LayerContext context) {
        return (x, ctx) -> x.tanh();
    }
}
