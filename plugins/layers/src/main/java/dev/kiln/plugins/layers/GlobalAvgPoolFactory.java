package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Global average pooling: the mean of each channel over all positions, {@code y[n, c] = mean_{h,w} x[n, c, h, w]},
 * as PyTorch's {@code nn.AdaptiveAvgPool2d(1)} followed by {@code flatten(1)} (or not, with {@code keep_dims}).
 *
 * <p>Shapes: {@code (N, C, H, W) -> (N, C)}, or {@code (N, C, 1, 1)} with {@code keep_dims: true}. No parameters.
 * Lin et al., <a href="https://arxiv.org/abs/1312.4400">Network in network</a>.
 * <pre>{@code
 * - name: global_avg_pool
 *   params: {keep_dims: false}
 * # (N, 512, 7, 7) -> (N, 512)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=global_avg_pool"})
public final class GlobalAvgPoolFactory implements LayerFactory {

    public record GlobalAvgPoolSpec(boolean keepDims) {
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        Checks.rank("global_avg_pool", context.inputShape(), 3, "(C, H, W)");
        GlobalAvgPoolSpec s = new GlobalAvgPoolSpec(params.getBoolean("keep_dims", false));
        return (Tensor x, ForwardContext c) -> x.mean(new int[] {2, 3}, s.keepDims());
    }
}
