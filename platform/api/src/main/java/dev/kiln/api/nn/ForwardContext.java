package dev.kiln.api.nn;

import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.Tensors;
import org.osgi.annotation.versioning.ProviderType;

/** What a layer sees during one forward pass: the tensor service, the mode and the step's randomness. */
@ProviderType
public interface ForwardContext {

    Tensors tensors();

    /** True while training (dropout active, batch norm updating running statistics). */
    boolean training();

    /** The seeded generator for this step's randomness (dropout masks, noise). */
    Generator generator();
}
