package dev.kiln.plugins.init;

import dev.kiln.api.nn.Initializer;
import dev.kiln.api.nn.InitializerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * Draws from {@code N(mean, std²)}, as {@code torch.nn.init.normal_}; defaults {@code mean = 0},
 * {@code std = 1}.
 *
 * <pre>{@code
 * init: {name: normal, params: {std: 0.02}}     # DCGAN's initialisation
 * Tensor w = init.create(new int[] {64, 3, 4, 4}, DType.FLOAT32, tensors, generator);
 * }</pre>
 */
@Component(property = {"kiln.kind=init", "kiln.name=normal"})
public final class NormalFactory implements InitializerFactory {

    /** @param mean finite; @param std finite and {@code >= 0} */
    public record NormalSpec(double mean, double std) {
        public NormalSpec {
            if (!Double.isFinite(mean)) {
                throw new IllegalArgumentException("normal: mean must be finite, got " + mean);
            }
            if (!(std >= 0) || Double.isInfinite(std)) {
                throw new IllegalArgumentException("normal: std must be finite and >= 0, got " + std);
            }
        }
    }

    @Override
    public Initializer create(Params params) {
        NormalSpec spec = new NormalSpec(params.getDouble("mean", 0.0), params.getDouble("std", 1.0));
        return (shape, dtype, tensors, generator) -> tensors.normal(generator, spec.mean(), spec.std(), dtype, shape);
    }
}
