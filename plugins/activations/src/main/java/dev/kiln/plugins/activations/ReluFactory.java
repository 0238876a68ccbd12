package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * The rectified linear unit, as {@code torch.nn.ReLU}: {@code ReLU(x) = max(0, x)}, element-wise; the
 * gradient at 0 is 0. Nair and Hinton, <a href="https://www.cs.toronto.edu/~hinton/absps/reluICML.pdf">Rectified
 * Linear Units Improve Restricted Boltzmann Machines</a> (2010).
 *
 * <p>Shapes: input {@code (N, *)}, output the same.
 *
 * <pre>{@code
 * - {name: relu}
 * Tensor h = layer.forward(x, ctx);
 * }</pre>
 */
@Component(property = {"kiln.kind=activation", "kiln.name=relu"})
public final class ReluFactory implements LayerFactory {

    @Override
    public Layer create(Params params, LayerContext context) {
        return (x, ctx) -> x.relu();
    }
}
