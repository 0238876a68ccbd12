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
 * A DenseNet block: {@code num_layers} layers {@code H_i = conv3x3(relu(bn(·)))} with {@code growth_rate} k output
 * channels each, every layer seeing the concatenation of the block input and all earlier outputs:
 * {@code x_i = cat(x_{i-1}, H_i(x_{i-1}))} on the channel axis.
 *
 * <p>Shapes: {@code (N, C, H, W) -> (N, C + num_layers·k, H, W)}. Children {@code layer<i>.norm}
 * ({@code batch_norm2d}) and {@code layer<i>.conv} ({@code conv2d}, 3×3, padding 1, no bias, default init).
 * Huang et al., <a href="https://arxiv.org/abs/1608.06993">Densely connected convolutional networks</a>.
 * <pre>{@code
 * - name: dense_block
 *   params: {num_layers: 4, growth_rate: 12}
 * # (N, 24, 16, 16) -> (N, 72, 16, 16)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=dense_block"})
public final class DenseBlockFactory implements LayerFactory {

    public record DenseBlockSpec(int numLayers, int growthRate) {
        public DenseBlockSpec {
            Checks.atLeast("dense_block", "num_layers", numLayers, 1);
            Checks.atLeast("dense_block", "growth_rate", growthRate, 1);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        int[] in = Checks.rank("dense_block", context.inputShape(), 3, "(C, H, W)");
        DenseBlockSpec s = new DenseBlockSpec(params.getInt("num_layers"), params.getInt("growth_rate"));
        List<Layer> norms = new ArrayList<>();
        List<Layer> convs = new ArrayList<>();
        for (int i = 0; i < s.numLayers(); i++) {
            int[] shape = {in[0] + i * s.growthRate(), in[1], in[2]};
            String child = "layer" + i;
            norms.add(context.layer(child + ".norm", "batch_norm2d", context.params(params.path() + "." + child + ".norm", Map.of()), shape));
            convs.add(context.layer(child + ".conv", "conv2d", context.params(params.path() + "." + child + ".conv", Map.of("out_channels", s.growthRate(), "kernel_size", 3, "padding", 1, "bias", false)), shape));
        }
        return new DenseBlock(List.copyOf(norms), List.copyOf(convs));
    }

    record DenseBlock(List<Layer> norms, List<Layer> convs) implements Layer {
        @Override
        public Tensor forward(Tensor x, ForwardContext c) {
            for (int i = 0; i < norms.size(); i++) {
                Tensor h = convs.get(i).forward(norms.get(i).forward(x, c).relu(), c);
                x = c.tensors().cat(List.of(x, h), 1);
            }
            return x;
        }

        @Override
        public List<Parameter> parameters() {
            List<Layer> all = new ArrayList<>();
            for (int i = 0; i < norms.size(); i++) {
                all.add(norms.get(i));
                all.add(convs.get(i));
            }
            return Children.parameters(all);
        }

        @Override
        public Map<String, Tensor> buffers() {
            return Children.buffers(norms);
        }
    }
}
