package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * 2-D sum pooling: {@code y = Σ_window x} (zero padding adds nothing), computed as average pooling with the
 * padding counted, times {@code kH·kW}. PyTorch has no module; it equals {@code kH·kW·avg_pool2d(x)}.
 *
 * <p>Shapes: {@code (N, C, H, W) -> (N, C, H_out, W_out)} as {@code avg_pool2d}. No parameters.
 * <pre>{@code
 * - name: sum_pool2d
 *   params: {kernel_size: 2}
 * # (N, C, 32, 32) -> (N, C, 16, 16)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=sum_pool2d"})
public final class SumPool2dFactory implements LayerFactory {

    public record SumPool2dSpec(PoolWindow window) {
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        Checks.rank("sum_pool2d", context.inputShape(), 3, "(C, H, W)");
        SumPool2dSpec s = new SumPool2dSpec(PoolWindow.read("sum_pool2d", params, true));
        int area = s.window().kernelSize()[0] * s.window().kernelSize()[1];
        return (Tensor x, ForwardContext c) -> x.avgPool2d(s.window().options(), true).mul(area);
    }
}
