package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * Log-softmax along one axis, as {@code torch.nn.LogSoftmax}:
 * {@code log_softmax(x)_i = x_i - log Σ_j exp(x_j)}, computed stably; pairs with the {@code nll} loss.
 *
 * <p>Shapes: input {@code (N, *)}, output the same.
 *
 * <pre>{@code
 * - {name: log_softmax, params: {dim: 1}}
 * Tensor logP = layer.forward(logits, ctx);
 * }</pre>
 */
@Component(property = {"kiln.kind=activation", "kiln.name=log_softmax"})
public final class LogSoftmaxFactory implements LayerFactory {

    /** @param dim the axis normalised over, counted with the batch axis (default 1; negative from the end) */
    public record LogSoftmaxSpec(int dim) {
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        LogSoftmaxSpec spec = new LogSoftmaxSpec(params.getInt("dim", 1));
        int axis = Axes.normalize("log_softmax", spec.dim(), context.inputShape());
        return (x, ctx) -> x.logSoftmax(axis);
    }
}
