package dev.kiln.api.nn;

import dev.kiln.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

import java.util.List;
import java.util.Map;

/**
 * A network layer: a forward function composed from tensor ops, plus its named parameters. Layers
 * never write backward passes; autograd differentiates {@link #forward}.
 *
 * <p>Inputs carry a leading batch axis. Parameter names are stable ids such as
 * {@code "features.0.weight"}, prefixed with the name the {@link LayerContext} gave.
 */
@ConsumerType
public interface Layer {

    Tensor forward(Tensor input, ForwardContext context);

    /** Trainable parameters, in a stable order. */
    default List<Parameter> parameters() {
        return List.of();
    }

    /**
     * Non-trainable state saved in checkpoints (e.g. batch norm's running mean), keyed by stable
     * name; updated in place with {@link Tensor#assign}.
     */
    default Map<String, Tensor> buffers() {
        return Map.of();
    }
}
