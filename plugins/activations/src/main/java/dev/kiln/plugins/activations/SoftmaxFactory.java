package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Softmax along one axis, as {@code torch.nn.Softmax}: {@code softmax(x)_i = exp(x_i) / Σ_j exp(x_j)},
 * computed as PyTorch does, {@code e = exp(x - max(x))}, {@code e / Σ e}, so large logits do not overflow
 * (the shift is a constant for autograd: softmax does not depend on it).
 *
 * <p>Shapes: input {@code (N, *)}, output the same; values along {@code dim} are positive and sum to 1.
 *
 * <pre>{@code
 * - {name: softmax, params: {dim: 1}}
 * Tensor p = layer.forward(logits, ctx);   // (N, C) class probabilities
 * }</pre>
 */
@Component(property = {"kiln.kind=activation", "kiln.name=softmax"})
public final class SoftmaxFactory implements LayerFactory {

    /** @param dim the axis that sums to 1, counted with the batch axis (default 1; negative from the end) */
    public record SoftmaxSpec(int dim) {
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        SoftmaxSpec spec = new SoftmaxSpec(params.getInt("dim", 1));
        int axis = Axes.normalize("softmax", spec.dim(), context.inputShape());
        return (x, ctx) -> {
            Tensor e = x.sub(x.max(axis, true).detach()).exp();
            return e.div(e.sum(axis, true));
        };
    }
}
