package dev.kiln.plugins.init;

import dev.kiln.api.nn.Initializer;
import dev.kiln.api.nn.InitializerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * He (Kaiming) normal initialisation, as {@code torch.nn.init.kaiming_normal_}: draws from
 * {@code N(0, std²)} with {@code std = gain / √fan}, {@code fan} = fan-in or fan-out by {@code mode}, and
 * the gain of the following nonlinearity ({@code √2} for ReLU). He et al.,
 * <a href="https://arxiv.org/abs/1502.01852">Delving Deep into Rectifiers</a> (2015).
 *
 * <p>Shape: a weight {@code (out, in, k...)} with at least 2 axes.
 *
 * <pre>{@code
 * init: {name: he_normal, params: {mode: fan_out}}
 * Tensor w = init.create(new int[] {64, 3, 3, 3}, DType.FLOAT32, tensors, generator);
 * }</pre>
 */
@Component(property = {"kiln.kind=init", "kiln.name=he_normal"})
public final class KaimingNormalFactory implements InitializerFactory {

    @Override
    public Initializer create(Params params) {
        KaimingSpec spec = KaimingSpec.read(params);
        return (shape, dtype, tensors, generator) -> tensors.normal(generator, 0.0, spec.std("he_normal", shape), dtype, shape);
    }
}
