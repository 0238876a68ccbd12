package dev.kiln.api.tensor;

import java.util.List;

/**
 * Creates tensors and holds the per-thread autograd and memory state; the entry point of the tensor
 * API (a platform service: plugins receive it, they never implement it).
 *
 * <pre>{@code
 * Generator g = tensors.generator(42);
 * Tensor w = tensors.randn(g, DType.FLOAT32, 784, 10).mul(0.01).requiresGrad(true);
 * Tensor y = x.matmul(w).logSoftmax(1);
 * }</pre>
 */
public interface Tensors {

    /** Name of the backend these tensors live on, e.g. {@code "java"} or {@code "cpu"}. */
    String backend();

    // ---- creation ---------------------------------------------------------------------------

    Tensor zeros(DType dtype, int... shape);

    Tensor ones(DType dtype, int... shape);

    Tensor full(double value, DType dtype, int... shape);

    /** A float32 tensor holding {@code data} (copied) in row-major order. */
    Tensor of(float[] data, int... shape);

    /** A float64 tensor holding {@code data} (copied). */
    Tensor of(double[] data, int... shape);

    /** An int64 tensor holding {@code data} (copied). */
    Tensor of(long[] data, int... shape);

    /** A rank-0 tensor. */
    Tensor scalar(double value, DType dtype);

    /** {@code 0, 1, ..., n-1}. */
    Tensor arange(int n, DType dtype);

    /** Concatenates along an existing axis; all other sizes must match. */
    Tensor cat(List<Tensor> tensors, int axis);

    /** Stacks equally-shaped tensors along a new axis. */
    Tensor stack(List<Tensor> tensors, int axis);

    // ---- randomness (no global generator) ------------------------------------------------------

    /** A new generator; equal seeds draw equal numbers on every backend. */
    Generator generator(long seed);

    /** Uniform on {@code [low, high)}. */
    Tensor uniform(Generator generator, double low, double high, DType dtype, int... shape);

    /** Normal with the given mean and standard deviation. */
    Tensor normal(Generator generator, double mean, double std, DType dtype, int... shape);

    /** 1 with probability {@code p}, else 0. */
    Tensor bernoulli(Generator generator, double p, DType dtype, int... shape);

    // ---- fused optimizer updates ------------------------------------------------------------------

    /**
     * One Adam step on a parameter, in place, in one pass over memory ({@code torch.optim.Adam}'s update
     * with amsgrad off): {@code m ← β₁·m + (1−β₁)·g}, {@code v ← β₂·v + (1−β₂)·g²},
     * {@code w ← w − (lr / c₁) · m / (√v / √c₂ + ε)}, with the bias corrections c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ.
     * {@code w}, {@code g}, {@code m}, {@code v}: one shape, one floating-point dtype; call it under
     * {@link #noGrad()}.
     */
    void adamStep(Tensor w, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                  double biasCorrection1, double biasCorrection2);

    // ---- modes and memory ----------------------------------------------------------------------

    /** Opens a memory scope on this thread; see {@link MemoryScope}. */
    MemoryScope scope();

    /**
     * Moves a tensor out of its memory scope: it then lives until closed explicitly. For state created
     * lazily inside a step that must outlive it (optimizer moments, running statistics).
     */
    <T extends Tensor> T unscoped(T tensor);

    /** Turns graph recording off on this thread until the returned mode is closed. */
    GradMode noGrad();

    /** Whether ops on this thread currently record a graph. */
    boolean isGradEnabled();
}
