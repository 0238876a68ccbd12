package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * 2-D average pooling, as PyTorch's {@code nn.AvgPool2d}: {@code y = (1/|window|)·Σ_window x}, where with
 * {@code count_include_pad} (the default) the zero padding counts in {@code |window|}.
 *
 * <p>Shapes: {@code (N, C, H, W) -> (N, C, H_out, W_out)}, {@code H_out = ⌊(H + 2·padding - k)/stride⌋ + 1}
 * (⌈⌉ with {@code ceil_mode}). No parameters.
 * <pre>{@code
 * - name: avg_pool2d
 *   params: {kernel_size: 2, stride: 2, padding: 0, ceil_mode: false, count_include_pad: true}
 * # (N, C, 32, 32) -> (N, C, 16, 16)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=avg_pool2d"})
public final class AvgPool2dFactory implements LayerFactory {

    public record AvgPool2dSpec(PoolWindow window, boolean countIncludePad) {
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        Checks.rank("avg_pool2d", context.inputShape(), 3, "(C, H, W)");
        AvgPool2dSpec s = new AvgPool2dSpec(PoolWindow.read("avg_pool2d", params, true), params.getBoolean("count_include_pad", true));
        return (Tensor x, ForwardContext c) -> x.avgPool2d(s.window().options(), s.countIncludePad());
    }
}
