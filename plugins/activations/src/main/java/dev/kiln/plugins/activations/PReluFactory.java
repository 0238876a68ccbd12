package dev.kiln.plugins.activations;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.Arrays;
import java.util.List;

/**
 * Parametric ReLU, as {@code torch.nn.PReLU}: {@code x} for {@code x > 0}, else {@code a·x}, with the slope
 * {@code a} learned — one shared slope, or one per channel (axis 1). He et al.,
 * <a href="https://arxiv.org/abs/1502.01852">Delving Deep into Rectifiers</a> (2015).
 *
 * <p>Shapes: input {@code (N, C, *)}, output the same. Parameter {@code <name>.weight} of shape
 * {@code (num_parameters)}, initialised to {@code init} (0.25).
 *
 * <pre>{@code
 * - {name: prelu, params: {num_parameters: 64}}
 * Tensor h = layer.forward(x, ctx);   // x: (N, 64, H, W)
 * }</pre>
 */
@Component(property = {"kiln.kind=activation", "kiln.name=prelu"})
public final class PReluFactory implements LayerFactory {

    /**
     * @param numParameters 1 (one shared slope) or C, the size of the input's channel axis (default 1)
     * @param init          the initial slope, finite (default 0.25)
     */
    public record PReluSpec(int numParameters, double init) {
        public PReluSpec {
            if (numParameters < 1) {
                throw new IllegalArgumentException("prelu: num_parameters must be >= 1 (1 or the channel count), got " + numParameters);
            }
            if (!Double.isFinite(init)) {
                throw new IllegalArgumentException("prelu: init must be finite, got " + init);
            }
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        PReluSpec spec = new PReluSpec(params.getInt("num_parameters", 1), params.getDouble("init", 0.25));
        int[] in = context.inputShape();
        int[] slopeShape = new int[Math.max(1, in.length)];
        Arrays.fill(slopeShape, 1);
        if (spec.numParameters() != 1) {
            if (in.length == 0 || in[0] != spec.numParameters()) {
                String allowed = in.length == 0 ? "1 (the input has no channel axis)" : "one of [1, " + in[0] + "] (1 or the channel count)";
                throw new IllegalArgumentException("prelu: num_parameters must be " + allowed + " for input (N, "
                        + Arrays.toString(in).replace("[", "").replace("]", "") + "), got " + spec.numParameters());
            }
            slopeShape[0] = spec.numParameters();
        }
        String name = context.name().isEmpty() ? "weight" : context.name() + ".weight";
        Parameter weight = new Parameter(name, context.tensors().full(spec.init(), context.dtype(), spec.numParameters()));
        return new PRelu(weight, slopeShape);
    }

    private record PRelu(Parameter weight, int[] slopeShape) implements Layer {

        @Override
        public Tensor forward(Tensor x, ForwardContext context) {
            return x.where(x.gt(0), x.mul(weight.value().reshape(slopeShape)));
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(weight);
        }
    }
}
