package dev.kiln.api.nn;

import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensors;
import org.osgi.annotation.versioning.ProviderType;

/** What a {@link LossFactory} gets: the tensor service and the registry, for composite losses. */
@ProviderType
public interface LossContext {

    Tensors tensors();

    /** Another loss from the registry (for {@code weighted_sum}). */
    Loss loss(String plugin, Params params);
}
