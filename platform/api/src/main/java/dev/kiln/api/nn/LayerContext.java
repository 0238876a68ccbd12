package dev.kiln.api.nn;

import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.Tensors;
import org.osgi.annotation.versioning.ProviderType;

/** What a {@link LayerFactory} gets to build a layer: where it sits, what it receives, and the registry. */
@ProviderType
public interface LayerContext {

    Tensors tensors();

    /** The seeded generator for parameter initialisation. */
    Generator generator();

    /** The dtype parameters are created in. */
    DType dtype();

    /** The layer's stable name within the model, e.g. {@code "features.0"}; prefix parameter names with it. */
    String name();

    /** Shape of one input example, without the batch axis: {@code (C, H, W)} or {@code (features)}. */
    int[] inputShape();

    /** Builds a nested layer from the registry (for composite blocks), named {@code name() + "." + child}. */
    Layer layer(String child, String plugin, Params params, int[] inputShape);

    /**
     * A layer already built in the same model, by its stable name (e.g. {@code "encoder.2"}), or null.
     * Lets a layer pair with an earlier one, as {@code max_unpool2d} with its {@code max_pool2d}.
     */
    Layer built(String layerName);

    /**
     * Parameters a composite block writes for a child it builds (e.g. a residual block's
     * {@code conv1}); {@code path} locates them in error messages.
     */
    Params params(String path, java.util.Map<String, ?> values);

    /** An initializer from the registry, e.g. {@code initializer("he_normal", params)}. */
    Initializer initializer(String plugin, Params params);
}
