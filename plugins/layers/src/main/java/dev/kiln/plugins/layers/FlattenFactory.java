package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Flattens the axes from {@code start_dim} on into one, as PyTorch's {@code nn.Flatten(start_dim, -1)}.
 *
 * <p>Shapes: {@code (N, d1, ..., dk) -> (N, ..., d_start·...·dk)}; the batch axis (0) is never flattened. No parameters.
 * <pre>{@code
 * - name: flatten
 *   params: {start_dim: 1}
 * # (N, 64, 7, 7) -> (N, 3136)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=flatten"})
public final class FlattenFactory implements LayerFactory {

    /** @param startDim first axis to flatten, counting the batch axis as 0 (>= 1) */
    public record FlattenSpec(int startDim) {
        public FlattenSpec {
            Checks.atLeast("flatten", "start_dim", startDim, 1);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        int start = new FlattenSpec(params.getInt("start_dim", 1)).startDim();
        int rank = context.inputShape().length + 1;
        if (start >= rank) {
            throw new IllegalArgumentException("flatten: start_dim must be in [1, " + (rank - 1) + "] for input rank "
                    + rank + ", got " + start);
        }
        return (Tensor x, ForwardContext c) -> {
            int[] shape = new int[start + 1];
            System.arraycopy(x.shape(), 0, shape, 0, start);
            shape[start] = -1;
            return x.reshape(shape);
        };
    }
}
