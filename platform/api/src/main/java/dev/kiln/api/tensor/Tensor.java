package dev.kiln.api.tensor;

/**
 * An n-dimensional array with reverse-mode automatic differentiation, as PyTorch's
 * {@code torch.Tensor}.
 *
 * <p><b>Layout.</b> Row-major (C order); images are NCHW. Shapes broadcast as in NumPy/PyTorch:
 * trailing axes are aligned and an axis of size 1 stretches. Negative axes count from the end.
 * Every op returns a new tensor; movement ops ({@link #permute}, {@link #slice}, ...) copy, and
 * {@link #reshape} of a tensor shares its memory.
 *
 * <p><b>Autograd.</b> A tensor with {@link #requiresGrad()} records the ops applied to it;
 * {@link #backward()} on a scalar result accumulates {@code d result / d leaf} into each leaf's
 * {@link #grad()}. Gradients accumulate across calls until {@link #zeroGrad()}. Comparisons,
 * {@link #argmax} and int64 results carry no gradient.
 *
 * <p><b>Memory.</b> A tensor's memory is freed by {@link #close()} or by the {@link MemoryScope}
 * that owns it; using it afterwards throws.
 *
 * <p>Instances are not thread-safe.
 */
public interface Tensor extends AutoCloseable {

    // ---- metadata -------------------------------------------------------------------------

    /** The sizes of the axes (a copy). A scalar has shape {@code []}. */
    int[] shape();

    /** Number of axes. */
    int dim();

    /** Size of one axis; negative axes count from the end. */
    int size(int axis);

    /** Number of elements. */
    long numel();

    DType dtype();

    /** The backend holding this tensor's memory, e.g. {@code "java"}, {@code "cpu"}. */
    String device();

    // ---- autograd -------------------------------------------------------------------------

    boolean requiresGrad();

    /** Marks a leaf tensor as needing a gradient (floating point only); returns this. */
    Tensor requiresGrad(boolean requiresGrad);

    /** Whether this tensor was created by the user rather than by an op that recorded a graph. */
    boolean isLeaf();

    /** The accumulated gradient of a leaf, or {@code null} before the first backward pass. */
    Tensor grad();

    /** Drops the accumulated gradient. */
    void zeroGrad();

    /** Back-propagates from this scalar (gradient 1). */
    void backward();

    /** Back-propagates {@code gradient} (same shape as this tensor) through the recorded graph. */
    void backward(Tensor gradient);

    /** The same values, cut from the graph: no gradient flows through the result. */
    Tensor detach();

    // ---- element-wise, unary -----------------------------------------------------------------

    Tensor neg();

    Tensor exp();

    /** Natural logarithm. */
    Tensor log();

    Tensor sqrt();

    Tensor tanh();

    /** {@code 1 / (1 + exp(-x))}, computed without overflow. */
    Tensor sigmoid();

    /** {@code |x|}; the gradient at 0 is 0, as PyTorch. */
    Tensor abs();

    /** {@code max(x, 0)}; the gradient at 0 is 0, as PyTorch. */
    Tensor relu();

    /** -1, 0 or 1; no gradient. */
    Tensor sign();

    // ---- element-wise, binary with broadcasting --------------------------------------------

    Tensor add(Tensor other);

    Tensor sub(Tensor other);

    Tensor mul(Tensor other);

    Tensor div(Tensor other);

    /** {@code this ^ exponent}; the gradient with respect to the exponent needs a positive base. */
    Tensor pow(Tensor exponent);

    /** Element-wise maximum; where equal, the gradient is split evenly, as PyTorch. */
    Tensor maximum(Tensor other);

    /** Element-wise minimum; where equal, the gradient is split evenly, as PyTorch. */
    Tensor minimum(Tensor other);

    Tensor add(double scalar);

    Tensor sub(double scalar);

    Tensor mul(double scalar);

    Tensor div(double scalar);

    Tensor pow(double exponent);

    /** 1 where {@code this > other}, else 0, in this tensor's dtype; no gradient. */
    Tensor gt(Tensor other);

    Tensor ge(Tensor other);

    Tensor lt(Tensor other);

    Tensor le(Tensor other);

    Tensor eq(Tensor other);

    Tensor gt(double scalar);

    Tensor lt(double scalar);

    /** {@code condition != 0 ? this : other}, broadcasting all three (PyTorch {@code Tensor.where}). */
    Tensor where(Tensor condition, Tensor other);

    // ---- reductions ----------------------------------------------------------------------------

    /** Sum of all elements, as a scalar. */
    Tensor sum();

    /** Sum over the given axes. */
    Tensor sum(int[] axes, boolean keepDim);

    Tensor sum(int axis, boolean keepDim);

    /** Mean of all elements, as a scalar. */
    Tensor mean();

    Tensor mean(int[] axes, boolean keepDim);

    Tensor mean(int axis, boolean keepDim);

    /** Maximum over one axis; the gradient goes to the first maximal element. */
    Tensor max(int axis, boolean keepDim);

    /** Maximum of all elements, as a scalar. */
    Tensor max();

    /** Index of the first maximum over one axis (int64). */
    Tensor argmax(int axis, boolean keepDim);

    /** {@code log(sum(exp(x)))} over one axis, computed stably. */
    Tensor logsumexp(int axis, boolean keepDim);

    // ---- linear algebra ----------------------------------------------------------------------

    /**
     * Matrix product with PyTorch's {@code matmul} rules for operands of rank 2 or more: the last
     * two axes multiply, leading (batch) axes broadcast. {@code (..., m, k) @ (..., k, n)}.
     */
    Tensor matmul(Tensor other);

    /**
     * {@code x @ weight^T + bias}, as {@code torch.nn.functional.linear}: input {@code (..., in)},
     * weight {@code (out, in)}, bias {@code (out)} or {@code null}; output {@code (..., out)}. One GEMM
     * with the weight read transposed in place, forward and backward.
     */
    Tensor linear(Tensor weight, Tensor bias);

    // ---- neural-network primitives -------------------------------------------------------------

    /**
     * 2-D cross-correlation, as {@code torch.nn.functional.conv2d}. Input {@code (N, C_in, H, W)},
     * weight {@code (C_out, C_in/groups, kH, kW)}, bias {@code (C_out)} or {@code null}.
     */
    Tensor conv2d(Tensor weight, Tensor bias, Conv2dOptions options);

    /**
     * Transposed convolution (the gradient of {@link #conv2d} with respect to its input), as
     * {@code torch.nn.functional.conv_transpose2d}. Input {@code (N, C_in, H, W)}, weight
     * {@code (C_in, C_out/groups, kH, kW)}; {@code H_out = (H-1)*stride - 2*pad + dilation*(kH-1)
     * + outputPaddingH + 1}. Output padding must be smaller than the stride or the dilation.
     */
    Tensor convTranspose2d(Tensor weight, Tensor bias, Conv2dOptions options, int outputPaddingH, int outputPaddingW);

    /** Max pooling over {@code (N, C, H, W)}, with the indices of the maxima. Padding counts as -inf. */
    MaxPoolResult maxPool2d(Pool2dOptions options);

    /**
     * Average pooling over {@code (N, C, H, W)}; with {@code countIncludePad} the zero padding counts
     * in the divisor (PyTorch's default).
     */
    Tensor avgPool2d(Pool2dOptions options, boolean countIncludePad);

    /**
     * Partial inverse of max pooling, as {@code MaxUnpool2d}: places each value at its index within an
     * {@code (outH, outW)} plane of zeros.
     */
    Tensor maxUnpool2d(Tensor indices, int outH, int outW);

    /** Nearest-neighbour resize of {@code (N, C, H, W)} to {@code (N, C, outH, outW)} (PyTorch {@code 'nearest'}). */
    Tensor upsampleNearest2d(int outH, int outW);

    /** Bilinear resize of {@code (N, C, H, W)} to {@code (N, C, outH, outW)}, PyTorch semantics for both corner modes. */
    Tensor upsampleBilinear2d(int outH, int outW, boolean alignCorners);

    /** {@code x - logsumexp(x)} along an axis, fused and numerically stable. */
    Tensor logSoftmax(int axis);

    // ---- movement ------------------------------------------------------------------------------

    /** Same elements, new shape; one size may be -1 to be inferred. Shares memory. */
    Tensor reshape(int... shape);

    /** Reorders the axes: result axis i is input axis {@code order[i]}. */
    Tensor permute(int... order);

    /** Swaps two axes. */
    Tensor transpose(int axis0, int axis1);

    /** Elements {@code start, start+step, ...} below {@code end} along an axis (Python slicing, step >= 1). */
    Tensor slice(int axis, int start, int end, int step);

    /**
     * Constant padding as {@code torch.nn.functional.pad}: {@code padding} holds (before, after) pairs
     * starting from the last axis; negative values crop.
     */
    Tensor pad(int[] padding, double value);

    /** Broadcasts to a larger shape (PyTorch {@code expand}, copying). */
    Tensor expand(int... shape);

    /** Selects entries along an axis by an int64 index vector ({@code index_select}). */
    Tensor indexSelect(int axis, Tensor index);

    /**
     * {@code out[i][j][k] = this[index[i][j][k]][j][k]} for axis 0, and so on ({@code torch.gather});
     * the int64 index has this tensor's rank and sizes no larger than it on the other axes.
     */
    Tensor gather(int axis, Tensor index);

    /** Converts to another dtype; gradients flow between floating-point types. */
    Tensor to(DType dtype);

    // ---- data -----------------------------------------------------------------------------------

    /** The value of a one-element tensor. */
    double item();

    /** All elements in row-major order, converted to float. */
    float[] toFloatArray();

    /** All elements in row-major order, converted to double. */
    double[] toDoubleArray();

    /** All elements in row-major order, converted to long. */
    long[] toLongArray();

    /**
     * Overwrites this tensor's values in place with {@code source} (broadcast to this shape), without
     * recording a graph. For optimizers and initializers; not allowed on a tensor that is part of a
     * recorded graph.
     */
    void assign(Tensor source);

    /** Frees this tensor's memory now (idempotent). */
    @Override
    void close();
}
