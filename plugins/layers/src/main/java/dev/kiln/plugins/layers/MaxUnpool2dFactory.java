package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;


/**
 * Partial inverse of max pooling, as PyTorch's {@code nn.MaxUnpool2d}: each value goes back to the position its
 * maximum came from, every other position is zero (SegNet's decoder upsampling).
 *
 * <p><b>Where the indices come from.</b> PyTorch passes them explicitly; here {@code pool} names the
 * {@code max_pool2d} layer of the same model whose indices to use: a sibling id in the enclosing block (e.g.
 * {@code pool1}) or a full stable name (e.g. {@code encoder.2}). The pool must be built before this layer and
 * must run earlier in the same forward pass; otherwise forward fails naming it. The output has the pool's input
 * size, so odd sizes invert exactly (PyTorch's {@code output_size=x.size()}).
 *
 * <p>Shapes: {@code (N, C, H', W') -> (N, C, H, W)} where {@code (H, W)} is the paired pool's input. No parameters.
 * Badrinarayanan et al., <a href="https://arxiv.org/abs/1511.00561">SegNet</a>.
 * <pre>{@code
 * - {id: pool1, name: max_pool2d, params: {kernel_size: 2}}
 * - {name: max_unpool2d, params: {pool: pool1}}
 * # (N, C, 32, 32) -> (N, C, 16, 16) -> (N, C, 32, 32)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=max_unpool2d"})
public final class MaxUnpool2dFactory implements LayerFactory {

    public record MaxUnpool2dSpec(String pool) {
        public MaxUnpool2dSpec {
            if (pool == null || pool.isBlank()) {
                throw new IllegalArgumentException("max_unpool2d: pool must name a max_pool2d layer (its id), got \"" + pool + "\"");
            }
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        Checks.rank("max_unpool2d", context.inputShape(), 3, "(C, H, W)");
        MaxUnpool2dSpec spec = new MaxUnpool2dSpec(params.getString("pool"));
        String name = context.name();
        String sibling = name.contains(".") ? name.substring(0, name.lastIndexOf('.') + 1) + spec.pool() : spec.pool();
        Layer candidate = context.built(sibling) != null ? context.built(sibling) : context.built(spec.pool());
        MaxPool2dFactory.MaxPool2d pool = candidate instanceof MaxPool2dFactory.MaxPool2d p ? p : null;
        if (pool == null) {
            throw new IllegalArgumentException(params.path() + ".pool: \"" + spec.pool() + "\" is not a max_pool2d layer of this model; "
                    + "pool must be one of the ids of the max_pool2d layers built before this one");
        }
        return (Tensor x, ForwardContext c) -> {
            Tensor indices = pool.indices(c);
            if (indices == null) {
                throw new IllegalStateException("max_unpool2d '" + name + "': its pool \"" + spec.pool()
                        + "\" has not run in this forward pass; it must run before the unpool");
            }
            int[] size = pool.inputSize();
            return x.maxUnpool2d(indices, size[0], size[1]);
        };
    }
}
