package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/**
 * 2-D convolution (cross-correlation), as PyTorch's {@code nn.Conv2d}:
 * {@code y[n, o] = b[o] + Σ_{c in group(o)} w[o, c] ⋆ x[n, c]}.
 *
 * <p>Shapes: input {@code (N, C_in, H, W)}, output {@code (N, out_channels, H_out, W_out)} with
 * {@code H_out = ⌊(H + 2·padding - dilation·(k-1) - 1) / stride⌋ + 1}. Parameters
 * {@code weight (out_channels, C_in/groups, kH, kW)} and {@code bias (out_channels)}, both
 * {@code U(-1/√fan_in, 1/√fan_in)}, {@code fan_in = C_in/groups·kH·kW} (PyTorch's {@code kaiming_uniform(a=√5)});
 * {@code init} names another weight initializer. LeCun et al. 1998,
 * <a href="http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf">Gradient-based learning applied to document recognition</a>.
 * <pre>{@code
 * - name: conv2d
 *   params: {out_channels: 16, kernel_size: 3, stride: 1, padding: 1, dilation: 1, groups: 1, bias: true}
 * # (N, 3, 32, 32) -> (N, 16, 32, 32)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=conv2d"})
public final class Conv2dFactory implements LayerFactory {

    /** Hyper-parameters; {@code int[]} pairs are (height, width). */
    public record Conv2dSpec(int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups,
                             boolean bias) {
        public Conv2dSpec {
            Checks.atLeast("conv2d", "out_channels", outChannels, 1);
            kernelSize = Checks.atLeast("conv2d", "kernel_size", kernelSize, 1);
            stride = Checks.atLeast("conv2d", "stride", stride, 1);
            padding = Checks.atLeast("conv2d", "padding", padding, 0);
            dilation = Checks.atLeast("conv2d", "dilation", dilation, 1);
            Checks.atLeast("conv2d", "groups", groups, 1);
            Checks.divides("conv2d", "groups", groups, "out_channels", outChannels);
        }

        static Conv2dSpec read(Params p) {
            return new Conv2dSpec(p.getInt("out_channels"), p.getInts("kernel_size", 2), p.getInts("stride", new int[] {1, 1}),
                    p.getInts("padding", new int[] {0, 0}), p.getInts("dilation", new int[] {1, 1}), p.getInt("groups", 1),
                    p.getBoolean("bias", true));
        }

        Conv2dOptions options() {
            return new Conv2dOptions(stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], groups);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        Conv2dSpec spec = Conv2dSpec.read(params);
        int cin = Checks.rank("conv2d", context.inputShape(), 3, "(C, H, W)")[0];
        Checks.divides("conv2d", "groups", spec.groups(), "the input channels", cin);
        int[] k = spec.kernelSize();
        int fanIn = cin / spec.groups() * k[0] * k[1];
        Parameter w = Children.parameter(context, "weight",
                Weights.weight(params, context, fanIn, spec.outChannels(), cin / spec.groups(), k[0], k[1]));
        Parameter b = spec.bias() ? Children.parameter(context, "bias", Weights.uniform(context, fanIn, spec.outChannels())) : null;
        return new Conv2d(w, b, spec.options());
    }

    record Conv2d(Parameter weight, Parameter bias, Conv2dOptions options) implements Layer {
        @Override
        public Tensor forward(Tensor x, ForwardContext context) {
            return x.conv2d(weight.value(), bias == null ? null : bias.value(), options);
        }

        @Override
        public List<Parameter> parameters() {
            return bias == null ? List.of(weight) : List.of(weight, bias);
        }
    }
}
