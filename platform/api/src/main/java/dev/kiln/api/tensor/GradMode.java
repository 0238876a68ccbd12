package dev.kiln.api.tensor;

/**
 * A scope in which ops record no graph (evaluation, optimizer updates, metrics), restored on close.
 *
 * <pre>{@code try (GradMode off = tensors.noGrad()) { ... } }</pre>
 */
public interface GradMode extends AutoCloseable {
    @Override
    void close();
}
