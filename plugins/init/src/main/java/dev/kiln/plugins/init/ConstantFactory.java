package dev.kiln.plugins.init;

import dev.kiln.api.nn.Initializer;
import dev.kiln.api.nn.InitializerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * Fills with one value, as {@code torch.nn.init.constant_}.
 *
 * <pre>{@code
 * init: {name: constant, params: {value: 0.1}}
 * Tensor b = init.create(new int[] {64}, DType.FLOAT32, tensors, generator);   // all 0.1
 * }</pre>
 */
@Component(property = {"kiln.kind=init", "kiln.name=constant"})
public final class ConstantFactory implements InitializerFactory {

    /** @param value a finite number (required) */
    public record ConstantSpec(double value) {
        public ConstantSpec {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("constant: value must be finite, got " + value);
            }
        }
    }

    @Override
    public Initializer create(Params params) {
        ConstantSpec spec = new ConstantSpec(params.getDouble("value"));
        return (shape, dtype, tensors, generator) -> tensors.full(spec.value(), dtype, shape);
    }
}
