package dev.kiln.plugins.init;

import dev.kiln.api.nn.Initializer;
import dev.kiln.api.nn.InitializerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * Fills with zeros, as {@code torch.nn.init.zeros_}; the usual bias initialisation.
 *
 * <pre>{@code
 * init: {name: zeros}
 * Tensor b = init.create(new int[] {64}, DType.FLOAT32, tensors, generator);
 * }</pre>
 */
@Component(property = {"kiln.kind=init", "kiln.name=zeros"})
public final class ZerosFactory implements InitializerFactory {

    @Override
    public Initializer create(Params params) {
        return (shape, dtype, tensors, generator) -> tensors.zeros(dtype, shape);
    }
}
