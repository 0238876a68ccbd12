package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Inverted dropout, as PyTorch's {@code nn.Dropout}: while training, {@code y = x·m/(1-p)} with
 * {@code m ~ Bernoulli(1-p)} per element, drawn from {@link ForwardContext#generator()}; in evaluation
 * {@code y = x}. With {@code p = 1} every element is dropped.
 *
 * <p>Shapes: any, unchanged. No parameters. Srivastava et al.,
 * <a href="https://jmlr.org/papers/v15/srivastava14a.html">Dropout: a simple way to prevent neural networks from overfitting</a>.
 * <pre>{@code
 * - name: dropout
 *   params: {p: 0.5}
 * # (N, 128) -> (N, 128)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=dropout"})
public final class DropoutFactory implements LayerFactory {

    /** @param p probability of zeroing an element, in [0, 1] */
    public record DropoutSpec(double p) {
        public DropoutSpec {
            Checks.inRange("dropout", "p", p, 0, 1, true);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        double p = new DropoutSpec(params.getDouble("p", 0.5)).p();
        return (Tensor x, ForwardContext c) -> {
            if (!c.training() || p == 0) {
                return x;
            }
            if (p == 1) {
                return x.mul(0);
            }
            Tensor mask = c.tensors().bernoulli(c.generator(), 1 - p, x.dtype(), x.shape());
            return x.mul(mask).mul(1 / (1 - p));
        };
    }
}
