package dev.kiln.plugins.init;

import dev.kiln.api.nn.Initializer;
import dev.kiln.api.nn.InitializerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * He (Kaiming) uniform initialisation, as {@code torch.nn.init.kaiming_uniform_}: draws from
 * {@code U(-b, b)} with {@code b = gain·√(3 / fan)}, {@code fan} = fan-in or fan-out by {@code mode}, and
 * the gain of the following nonlinearity ({@code √2} for ReLU). He et al.,
 * <a href="https://arxiv.org/abs/1502.01852">Delving Deep into Rectifiers</a> (2015).
 *
 * <p>Shape: a weight {@code (out, in, k...)} with at least 2 axes.
 *
 * <pre>{@code
 * init: {name: he_uniform, params: {mode: fan_in, nonlinearity: leaky_relu, negative_slope: 0.2}}
 * Tensor w = init.create(new int[] {64, 3, 3, 3}, DType.FLOAT32, tensors, generator);
 * }</pre>
 */
@Component(property = {"kiln.kind=init", "kiln.name=he_uniform"})
public final class KaimingUniformFactory implements InitializerFactory {

    @Override
    public Initializer create(Params params) {
        KaimingSpec spec = KaimingSpec.read(params);
        return (shape, dtype, tensors, generator) -> {
            double bound = Math.sqrt(3.0) * spec.std("he_uniform", shape);
            return tensors.uniform(generator, -bound, bound, dtype, shape);
        };
    }
}
