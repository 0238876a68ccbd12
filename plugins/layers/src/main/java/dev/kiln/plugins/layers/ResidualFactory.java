package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ResNet basic block: {@code y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))}, convolutions 3×3 with
 * padding 1 and no bias, {@code conv1} with the block's stride. The shortcut is the identity, or a 1×1 convolution
 * with the stride followed by batch norm ({@code downsample.0}, {@code downsample.1}, as torchvision) when the
 * stride is not 1 or the channels change.
 *
 * <p>Shapes: {@code (N, C, H, W) -> (N, out_channels, ⌈H/stride⌉, ⌈W/stride⌉)}. Parameters: the children's
 * ({@code conv1.weight}, {@code bn1.weight}, ...), each with its own default init. He et al.,
 * <a href="https://arxiv.org/abs/1512.03385">Deep residual learning for image recognition</a>.
 * <pre>{@code
 * - name: residual
 *   params: {out_channels: 128, stride: 2}
 * # (N, 64, 32, 32) -> (N, 128, 16, 16)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=residual"})
public final class ResidualFactory implements LayerFactory {

    /** @param outChannels output channels (>= 1; default: the input channels); @param stride of conv1 and the shortcut */
    public record ResidualSpec(int outChannels, int stride) {
        public ResidualSpec {
            Checks.atLeast("residual", "out_channels", outChannels, 1);
            Checks.atLeast("residual", "stride", stride, 1);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        int[] in = Checks.rank("residual", context.inputShape(), 3, "(C, H, W)");
        ResidualSpec s = new ResidualSpec(params.getInt("out_channels", in[0]), params.getInt("stride", 1));
        String p = params.path();
        List<Layer> layers = new ArrayList<>();
        Layer conv1 = context.layer("conv1", "conv2d", context.params(p + ".conv1", Map.of("out_channels", s.outChannels(), "kernel_size", 3, "stride", s.stride(), "padding", 1, "bias", false)), in);
        int[] mid = Shapes.output(conv1, in, context.tensors(), context.dtype());
        Layer bn1 = context.layer("bn1", "batch_norm2d", context.params(p + ".bn1", Map.of()), mid);
        Layer conv2 = context.layer("conv2", "conv2d", context.params(p + ".conv2", Map.of("out_channels", s.outChannels(), "kernel_size", 3, "padding", 1, "bias", false)), mid);
        Layer bn2 = context.layer("bn2", "batch_norm2d", context.params(p + ".bn2", Map.of()), mid);
        layers.addAll(List.of(conv1, bn1, conv2, bn2));
        if (s.stride() != 1 || s.outChannels() != in[0]) {
            layers.add(context.layer("downsample.0", "conv2d", context.params(p + ".downsample.0", Map.of("out_channels", s.outChannels(), "kernel_size", 1, "stride", s.stride(), "bias", false)), in));
            layers.add(context.layer("downsample.1", "batch_norm2d", context.params(p + ".downsample.1", Map.of()), mid));
        }
        return new Residual(List.copyOf(layers));
    }

    /** conv1, bn1, conv2, bn2 and, with a projection shortcut, its conv and bn. */
    record Residual(List<Layer> layers) implements Layer {
        @Override
        public Tensor forward(Tensor x, ForwardContext c) {
            Tensor y = layers.get(1).forward(layers.get(0).forward(x, c), c).relu();
            y = layers.get(3).forward(layers.get(2).forward(y, c), c);
            Tensor shortcut = layers.size() == 4 ? x : layers.get(5).forward(layers.get(4).forward(x, c), c);
            return y.add(shortcut).relu();
        }

        @Override
        public List<Parameter> parameters() {
            return Children.parameters(layers);
        }

        @Override
        public Map<String, Tensor> buffers() {
            return Children.buffers(layers);
        }
    }
}
