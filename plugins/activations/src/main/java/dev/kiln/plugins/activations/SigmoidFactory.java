package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * The logistic sigmoid, as {@code torch.nn.Sigmoid}: {@code σ(x) = 1 / (1 + exp(-x))}, element-wise.
 * Saturates for large {@code |x|}, so its gradient {@code σ(x)(1 - σ(x))} vanishes there.
 *
 * <p>Shapes: input {@code (N, *)}, output the same.
 *
 * <pre>{@code
 * - {name: sigmoid}
 * Tensor p = layer.forward(logits, ctx);   // in (0, 1)
 * }</pre>
 */
@Component(property = {"kiln.kind=activation", "kiln.name=sigmoid"})
public final class SigmoidFactory implements LayerFactory {

    @Override
    public Layer create(Params params, LayerContext context) {
        return (x, ctx) -> x.sigmoid();
    }
}
