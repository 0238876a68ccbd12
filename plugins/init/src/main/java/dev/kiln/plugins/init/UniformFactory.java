package dev.kiln.plugins.init;

import dev.kiln.api.nn.Initializer;
import dev.kiln.api.nn.InitializerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * Draws from {@code U(a, b)}, as {@code torch.nn.init.uniform_}; defaults {@code a = 0}, {@code b = 1}.
 *
 * <pre>{@code
 * init: {name: uniform, params: {a: -0.05, b: 0.05}}
 * Tensor w = init.create(new int[] {10, 784}, DType.FLOAT32, tensors, generator);
 * }</pre>
 */
@Component(property = {"kiln.kind=init", "kiln.name=uniform"})
public final class UniformFactory implements InitializerFactory {

    /** @param a lower bound; @param b upper bound, {@code a < b}, both finite */
    public record UniformSpec(double a, double b) {
        public UniformSpec {
            if (!Double.isFinite(a) || !Double.isFinite(b) || !(a < b)) {
                throw new IllegalArgumentException("uniform: need finite bounds with a < b, got a = " + a + ", b = " + b);
            }
        }
    }

    @Override
    public Initializer create(Params params) {
        UniformSpec spec = new UniformSpec(params.getDouble("a", 0.0), params.getDouble("b", 1.0));
        return (shape, dtype, tensors, generator) -> tensors.uniform(generator, spec.a(), spec.b(), dtype, shape);
    }
}
