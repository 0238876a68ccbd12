package dev.kiln.api.nn;

import dev.kiln.api.tensor.Tensor;

/**
 * A trainable tensor with a stable name, e.g. {@code "features.0.weight"}. Optimizers key their
 * per-parameter state by the name, and checkpoints store the value under it, so the name must not
 * change between versions of a layer.
 *
 * <p>The value is a leaf tensor that requires a gradient and lives outside step scopes; optimizers
 * update it in place with {@link Tensor#assign}.
 */
public record Parameter(String name, Tensor value) {

    public Parameter {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("parameter name must be non-empty");
        }
        if (value == null) {
            throw new IllegalArgumentException("parameter '" + name + "' has no value");
        }
        if (!value.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("parameter '" + name + "' must be floating point, got " + value.dtype());
        }
        if (!value.isLeaf()) {
            throw new IllegalArgumentException("parameter '" + name + "' must be a leaf tensor; call detach() first");
        }
        value.requiresGrad(true);
    }

    /** The accumulated gradient, or {@code null} before the first backward pass. */
    public Tensor grad() {
        return value.grad();
    }
}
