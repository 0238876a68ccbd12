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
import java.util.Map;

/**
 * Squeeze-and-excitation: rescales each channel by a learned gate computed from global context,
 * {@code s = σ(fc2(relu(fc1(mean_{h,w} x))))}, {@code y = x · s[:, :, None, None]}.
 *
 * <p>Shapes: {@code (N, C, H, W)}, unchanged. Children {@code fc1} ({@code linear} C → max(1, C/reduction)) and
 * {@code fc2} ({@code linear} → C), PyTorch's default linear init. Hu et al.,
 * <a href="https://arxiv.org/abs/1709.01507">Squeeze-and-excitation networks</a>.
 * <pre>{@code
 * - name: squeeze_excite
 *   params: {reduction: 16}
 * # (N, 64, 32, 32) -> (N, 64, 32, 32)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=squeeze_excite"})
public final class SqueezeExciteFactory implements LayerFactory {

    /** @param reduction channel reduction ratio r of the bottleneck (>= 1) */
    public record SqueezeExciteSpec(int reduction) {
        public SqueezeExciteSpec {
            Checks.atLeast("squeeze_excite", "reduction", reduction, 1);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        int c = Checks.rank("squeeze_excite", context.inputShape(), 3, "(C, H, W)")[0];
        int hidden = Math.max(1, c / new SqueezeExciteSpec(params.getInt("reduction", 16)).reduction());
        Layer fc1 = context.layer("fc1", "linear", context.params(params.path() + ".fc1", Map.of("out_features", hidden)), new int[] {c});
        Layer fc2 = context.layer("fc2", "linear", context.params(params.path() + ".fc2", Map.of("out_features", c)), new int[] {hidden});
        return new SqueezeExcite(fc1, fc2);
    }

    record SqueezeExcite(Layer fc1, Layer fc2) implements Layer {
        @Override
        public Tensor forward(Tensor x, ForwardContext c) {
            Tensor s = fc2.forward(fc1.forward(x.mean(new int[] {2, 3}, false), c).relu(), c).sigmoid();
            return x.mul(s.reshape(x.size(0), x.size(1), 1, 1));
        }

        @Override
        public List<Parameter> parameters() {
            return Children.parameters(List.of(fc1, fc2));
        }
    }
}
