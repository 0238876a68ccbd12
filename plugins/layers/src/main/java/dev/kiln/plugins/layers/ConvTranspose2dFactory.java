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
 * Transposed 2-D convolution (the gradient of {@code conv2d} with respect to its input; "fractionally
 * strided" upsampling), as PyTorch's {@code nn.ConvTranspose2d}.
 *
 * <p>Shapes: input {@code (N, C_in, H, W)}, output {@code (N, out_channels, H_out, W_out)} with
 * {@code H_out = (H-1)·stride - 2·padding + dilation·(k-1) + output_padding + 1}. Parameters
 * {@code weight (C_in, out_channels/groups, kH, kW)} and {@code bias (out_channels)}, both
 * {@code U(-1/√fan_in, 1/√fan_in)} with PyTorch's {@code fan_in = out_channels/groups·kH·kW};
 * {@code init} names another weight initializer. Dumoulin and Visin,
 * <a href="https://arxiv.org/abs/1603.07285">A guide to convolution arithmetic</a>.
 * <pre>{@code
 * - name: conv_transpose2d
 *   params: {out_channels: 3, kernel_size: 4, stride: 2, padding: 1, output_padding: 0}
 * # (N, 64, 16, 16) -> (N, 3, 32, 32)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=conv_transpose2d"})
public final class ConvTranspose2dFactory implements LayerFactory {

    /** Hyper-parameters; {@code int[]} pairs are (height, width); output_padding < max(stride, dilation). */
    public record ConvTranspose2dSpec(int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] outputPadding,
                                      int[] dilation, int groups, boolean bias) {
        public ConvTranspose2dSpec {
            String p = "conv_transpose2d";
            Checks.atLeast(p, "out_channels", outChannels, 1);
            kernelSize = Checks.atLeast(p, "kernel_size", kernelSize, 1);
            stride = Checks.atLeast(p, "stride", stride, 1);
            padding = Checks.atLeast(p, "padding", padding, 0);
            outputPadding = Checks.atLeast(p, "output_padding", outputPadding, 0);
            dilation = Checks.atLeast(p, "dilation", dilation, 1);
            Checks.atLeast(p, "groups", groups, 1);
            Checks.divides(p, "groups", groups, "out_channels", outChannels);
            for (int i = 0; i < 2; i++) {
                int limit = Math.max(stride[i], dilation[i]) - 1;
                if (outputPadding[i] > limit) {
                    throw new IllegalArgumentException(p + ": output_padding must be in [0, " + limit
                            + "] (below max(stride, dilation)), got " + outputPadding[i]);
                }
            }
        }

        static ConvTranspose2dSpec read(Params p) {
            return new ConvTranspose2dSpec(p.getInt("out_channels"), p.getInts("kernel_size", 2),
                    p.getInts("stride", new int[] {1, 1}), p.getInts("padding", new int[] {0, 0}),
                    p.getInts("output_padding", new int[] {0, 0}), p.getInts("dilation", new int[] {1, 1}),
                    p.getInt("groups", 1), p.getBoolean("bias", true));
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        ConvTranspose2dSpec s = ConvTranspose2dSpec.read(params);
        int cin = Checks.rank("conv_transpose2d", context.inputShape(), 3, "(C, H, W)")[0];
        Checks.divides("conv_transpose2d", "groups", s.groups(), "the input channels", cin);
        int[] k = s.kernelSize();
        int fanIn = s.outChannels() / s.groups() * k[0] * k[1];
        Parameter w = Children.parameter(context, "weight",
                Weights.weight(params, context, fanIn, cin, s.outChannels() / s.groups(), k[0], k[1]));
        Parameter b = s.bias() ? Children.parameter(context, "bias", Weights.uniform(context, fanIn, s.outChannels())) : null;
        Conv2dOptions o = new Conv2dOptions(s.stride()[0], s.stride()[1], s.padding()[0], s.padding()[1],
                s.dilation()[0], s.dilation()[1], s.groups());
        return new ConvTranspose2d(w, b, o, s.outputPadding()[0], s.outputPadding()[1]);
    }

    record ConvTranspose2d(Parameter weight, Parameter bias, Conv2dOptions options, int outPadH, int outPadW) implements Layer {
        @Override
        public Tensor forward(Tensor x, ForwardContext context) {
            return x.convTranspose2d(weight.value(), bias == null ? null : bias.value(), options, outPadH, outPadW);
        }

        @Override
        public List<Parameter> parameters() {
            return bias == null ? List.of(weight) : List.of(weight, bias);
        }
    }
}
