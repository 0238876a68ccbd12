package dev.kiln.api.tensor;

/**
 * Owns every tensor created on this thread while it is open and frees their memory when closed.
 * Open one per training step with try-with-resources; tensors that must outlive the step (a loss
 * value to log, a new parameter value) are moved out with {@link #keep}.
 *
 * <pre>{@code
 * try (MemoryScope step = tensors.scope()) {
 *     Tensor loss = model.forward(x).logSoftmax(1) ...;
 *     loss.backward();
 * } // intermediates, activations and the graph are freed here
 * }</pre>
 *
 * <p>Scopes nest; a tensor belongs to the innermost open scope of the thread that created it.
 * Tensors created with no scope open (parameters, optimizer state) live until closed explicitly.
 */
public interface MemoryScope extends AutoCloseable {

    /** Detaches {@code tensor} from this scope and hands it to the enclosing scope (or to no scope). */
    <T extends Tensor> T keep(T tensor);

    /** Frees every tensor still owned by this scope. */
    @Override
    void close();
}
