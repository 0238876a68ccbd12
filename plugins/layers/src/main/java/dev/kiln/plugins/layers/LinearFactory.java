package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/**
 * Applies an affine map {@code y = x·Wᵀ + b}, as PyTorch's {@code nn.Linear}.
 *
 * <p>Shapes: input {@code (N, *, in_features)} ({@code in_features} is read from the input shape),
 * output {@code (N, *, out_features)}. Parameters {@code weight (out_features, in_features)} and
 * {@code bias (out_features)}, both {@code U(-1/√in_features, 1/√in_features)} (PyTorch's
 * {@code kaiming_uniform(a=√5)}); {@code init} names another weight initializer.
 * See <a href="https://pytorch.org/docs/stable/generated/torch.nn.Linear.html">torch.nn.Linear</a>.
 * <pre>{@code
 * - name: linear
 *   params: {out_features: 10, bias: true}
 * # (N, 784) -> (N, 10)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=linear"})
public final class LinearFactory implements LayerFactory {

    /** @param outFeatures size of each output example (>= 1); @param bias whether to add a learned bias */
    public record LinearSpec(int outFeatures, boolean bias) {
        public LinearSpec {
            Checks.atLeast("linear", "out_features", outFeatures, 1);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        LinearSpec spec = new LinearSpec(params.getInt("out_features"), params.getBoolean("bias", true));
        int[] in = context.inputShape();
        Checks.atLeast("linear", "input features", in.length == 0 ? 0 : in[in.length - 1], 1);
        int inFeatures = in[in.length - 1];
        Parameter weight = Children.parameter(context, "weight",
                Weights.weight(params, context, inFeatures, spec.outFeatures(), inFeatures));
        Parameter bias = spec.bias()
                ? Children.parameter(context, "bias", Weights.uniform(context, inFeatures, spec.outFeatures())) : null;
        return new Linear(weight, bias);
    }

    record Linear(Parameter weight, Parameter bias) implements Layer {
        @Override
        public Tensor forward(Tensor x, ForwardContext context) {
            return x.linear(weight.value(), bias == null ? null : bias.value());
        }

        @Override
        public List<Parameter> parameters() {
            return bias == null ? List.of(weight) : List.of(weight, bias);
        }
    }
}
