package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

import java.util.Arrays;

/**
 * Maxout, as Goodfellow et al., <a href="https://arxiv.org/abs/1302.4389">Maxout Networks</a> (2013):
 * the channel (feature) axis is split into groups of {@code k} consecutive pieces and each group is
 * replaced by its maximum, {@code h_i(x) = max_{j ∈ [0, k)} x[:, i·k + j, ...]}. Preceded by a linear or
 * convolutional layer with {@code k·m} outputs, it learns a convex piecewise-linear activation of {@code m}
 * units. The gradient goes to the first maximal piece.
 *
 * <p>Shapes: input {@code (N, C, *)} with {@code C} divisible by {@code k}; output {@code (N, C/k, *)}.
 *
 * <pre>{@code
 * - {name: linear, params: {out_features: 1024}}
 * - {name: maxout, params: {k: 4}}         # 256 maxout units
 * }</pre>
 */
@Component(property = {"kiln.kind=activation", "kiln.name=maxout"})
public final class MaxoutFactory implements LayerFactory {

    /** @param k pieces per unit, {@code >= 2} */
    public record MaxoutSpec(int k) {
        public MaxoutSpec {
            if (k < 2) {
                throw new IllegalArgumentException("maxout: k must be >= 2, got " + k);
            }
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        MaxoutSpec spec = new MaxoutSpec(params.getInt("k"));
        int[] in = context.inputShape();
        if (in.length == 0 || in[0] % spec.k() != 0) {
            throw new IllegalArgumentException("maxout: k = " + spec.k() + " must divide the channel count of input (N, "
                    + Arrays.toString(in).replace("[", "").replace("]", "") + ")");
        }
        int k = spec.k();
        return (x, ctx) -> {
            int[] shape = x.shape();
            int[] grouped = new int[shape.length + 1];
            grouped[0] = shape[0];
            grouped[1] = shape[1] / k;
            grouped[2] = k;
            System.arraycopy(shape, 2, grouped, 3, shape.length - 2);
            return x.reshape(grouped).max(2, false);
        };
    }
}
