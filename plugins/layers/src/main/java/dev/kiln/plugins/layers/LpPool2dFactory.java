package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Power-average pooling, as PyTorch's {@code nn.LPPool2d}: {@code y = (Σ_window x^p)^(1/p)}; with the default
 * {@code norm_type} p = 2 this is L2 pooling, {@code √(Σ_window x²)}. No padding (as PyTorch).
 *
 * <p>Shapes: {@code (N, C, H, W) -> (N, C, H_out, W_out)}, {@code H_out = ⌊(H - k)/stride⌋ + 1}. No parameters.
 * The gradient of the root is infinite where a whole window is zero (as PyTorch). Sermanet et al.,
 * <a href="https://arxiv.org/abs/1204.3968">Convolutional neural networks applied to house numbers digit classification</a>.
 * <pre>{@code
 * - name: lp_pool2d
 *   params: {norm_type: 2, kernel_size: 2, stride: 2}
 * # (N, C, 32, 32) -> (N, C, 16, 16)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=lp_pool2d"})
public final class LpPool2dFactory implements LayerFactory {

    /** @param normType the power p (> 0; 2 gives L2 pooling) */
    public record LpPool2dSpec(double normType, PoolWindow window) {
        public LpPool2dSpec {
            Checks.positive("lp_pool2d", "norm_type", normType);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        Checks.rank("lp_pool2d", context.inputShape(), 3, "(C, H, W)");
        LpPool2dSpec s = new LpPool2dSpec(params.getDouble("norm_type", 2), PoolWindow.read("lp_pool2d", params, false));
        int area = s.window().kernelSize()[0] * s.window().kernelSize()[1];
        double p = s.normType();
        return (Tensor x, ForwardContext c) -> {
            Tensor powered = p == 2 ? x.mul(x) : x.pow(p);
            Tensor sum = powered.avgPool2d(s.window().options(), true).mul(area);
            return p == 2 ? sum.sqrt() : sum.pow(1 / p);
        };
    }
}
