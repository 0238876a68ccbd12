package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Pool2dOptions;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.List;
import java.util.Map;

/**
 * The GoogLeNet (Inception v1) module: four branches concatenated on the channel axis, each convolution followed
 * by ReLU: {@code branch1} 1×1; {@code branch2} 1×1 → 3×3; {@code branch3} 1×1 → 5×5; {@code branch4} 3×3 max pool
 * (stride 1, padding 1) → 1×1. Parameter names follow torchvision ({@code branch2.0.weight}, ...).
 *
 * <p>Shapes: {@code (N, C, H, W) -> (N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W)}. Children are {@code conv2d}
 * with bias and PyTorch's default init. Szegedy et al., <a href="https://arxiv.org/abs/1409.4842">Going deeper
 * with convolutions</a>.
 * <pre>{@code
 * - name: inception
 *   params: {ch1x1: 64, ch3x3red: 96, ch3x3: 128, ch5x5red: 16, ch5x5: 32, pool_proj: 32}
 * # (N, 192, 28, 28) -> (N, 256, 28, 28)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=inception"})
public final class InceptionFactory implements LayerFactory {

    /** Output channels of each convolution, all >= 1 (names as in the paper's table 1 and torchvision). */
    public record InceptionSpec(int ch1x1, int ch3x3red, int ch3x3, int ch5x5red, int ch5x5, int poolProj) {
        public InceptionSpec {
            String p = "inception";
            Checks.atLeast(p, "ch1x1", ch1x1, 1);
            Checks.atLeast(p, "ch3x3red", ch3x3red, 1);
            Checks.atLeast(p, "ch3x3", ch3x3, 1);
            Checks.atLeast(p, "ch5x5red", ch5x5red, 1);
            Checks.atLeast(p, "ch5x5", ch5x5, 1);
            Checks.atLeast(p, "pool_proj", poolProj, 1);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        int[] in = Checks.rank("inception", context.inputShape(), 3, "(C, H, W)");
        InceptionSpec s = new InceptionSpec(params.getInt("ch1x1"), params.getInt("ch3x3red"), params.getInt("ch3x3"),
                params.getInt("ch5x5red"), params.getInt("ch5x5"), params.getInt("pool_proj"));
        return new Inception(
                conv(params, context, "branch1", in, s.ch1x1(), 1),
                conv(params, context, "branch2.0", in, s.ch3x3red(), 1),
                conv(params, context, "branch2.1", new int[] {s.ch3x3red(), in[1], in[2]}, s.ch3x3(), 3),
                conv(params, context, "branch3.0", in, s.ch5x5red(), 1),
                conv(params, context, "branch3.1", new int[] {s.ch5x5red(), in[1], in[2]}, s.ch5x5(), 5),
                conv(params, context, "branch4.1", in, s.poolProj(), 1));
    }

    private static Layer conv(Params params, LayerContext context, String child, int[] in, int out, int kernel) {
        return context.layer(child, "conv2d", context.params(params.path() + "." + child, Map.of("out_channels", out, "kernel_size", kernel, "padding", kernel / 2)), in);
    }

    record Inception(Layer b1, Layer b2a, Layer b2b, Layer b3a, Layer b3b, Layer b4) implements Layer {
        @Override
        public Tensor forward(Tensor x, ForwardContext c) {
            Tensor y1 = b1.forward(x, c).relu();
            Tensor y2 = b2b.forward(b2a.forward(x, c).relu(), c).relu();
            Tensor y3 = b3b.forward(b3a.forward(x, c).relu(), c).relu();
            Tensor y4 = b4.forward(x.maxPool2d(Pool2dOptions.of(3, 1, 1)).values(), c).relu();
            return c.tensors().cat(List.of(y1, y2, y3, y4), 1);
        }

        @Override
        public List<Parameter> parameters() {
            return Children.parameters(List.of(b1, b2a, b2b, b3a, b3b, b4));
        }
    }
}
