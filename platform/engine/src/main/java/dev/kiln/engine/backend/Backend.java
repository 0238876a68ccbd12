package dev.kiln.engine.backend;

import dev.kiln.api.tensor.DType;

/**
 * The kernels a tensor backend provides. The engine owns shapes, broadcasting plans, autograd and
 * memory accounting; a backend only computes over flat, contiguous, row-major {@link Storage}.
 *
 * <p>Contract for every kernel: inputs are not modified; {@code out} is fully written unless the
 * kernel says it accumulates, in which case the engine passes zeroed memory. Storages passed to one
 * backend were allocated by it. Integer parameters are element counts or sizes, never bytes.
 *
 * <p>The reference backend ({@code dev.kiln.engine.reference.ReferenceBackend}) is the specification
 * of every kernel; native backends must match it within float32 tolerance.
 */
public interface Backend {

    /** Short stable name: {@code "java"}, {@code "cpu"}, {@code "cuda"}. */
    String name();

    /** Higher ranks are preferred when several backends are available. */
    int rank();

    /** Threads the backend computes with. */
    int threads();

    /** One line on what runs underneath (library versions, kernel flavour), for run records and benchmarks. */
    String describe();

    // ---- memory -------------------------------------------------------------------------------

    /** Uninitialised memory for {@code length} elements. */
    Storage allocate(DType dtype, int length);

    /** Zeroed memory for {@code length} elements. */
    Storage allocateZeroed(DType dtype, int length);

    /** Sets every element to {@code value}. */
    void fill(Storage out, double value);

    /** Converts {@code n} elements between dtypes (float to int64 truncates toward zero). */
    void convert(Storage src, Storage dst, int n);

    /**
     * Generic strided copy: for every index {@code i} of {@code shape},
     * {@code dst[dstOffset + i·dstStrides] = src[srcOffset + i·srcStrides]} (strides in elements,
     * a stride of 0 repeats). Covers permute, slice, expand, pad, concat and their gradients.
     */
    void copyStrided(Storage src, int srcOffset, int[] srcStrides, Storage dst, int dstOffset, int[] dstStrides, int[] shape);

    // ---- element-wise -------------------------------------------------------------------------

    /** {@code out[i] = op(x[i])} for {@code i < n}. */
    void unary(UnaryOp op, Storage x, Storage out, int n);

    /**
     * {@code out[i] = op(a[i·aStrides], b[i·bStrides])} over every index {@code i} of
     * {@code outShape}; a stride of 0 broadcasts. {@code out} is contiguous.
     */
    void binary(BinaryOp op, Storage a, int[] aStrides, Storage b, int[] bStrides, Storage out, int[] outShape);

    /** {@code out = cond != 0 ? a : b}, each input with its own broadcast strides over {@code outShape}. */
    void where(Storage cond, int[] condStrides, Storage a, int[] aStrides, Storage b, int[] bStrides, Storage out, int[] outShape);

    // ---- reductions ---------------------------------------------------------------------------

    /** Reduces the middle axis of the {@code (outer, n, inner)} view of {@code x} into {@code (outer, inner)}. */
    void reduce(ReduceOp op, Storage x, Storage out, int outer, int n, int inner);

    /** Fused, stable {@code log_softmax} over the middle axis of {@code (outer, n, inner)}. */
    void logSoftmax(Storage x, Storage out, int outer, int n, int inner);

    /** {@code gradIn = gradOut - exp(out) * sum(gradOut)} over the middle axis, where {@code out} is the log-softmax. */
    void logSoftmaxBackward(Storage gradOut, Storage out, Storage gradIn, int outer, int n, int inner);

    // ---- linear algebra -----------------------------------------------------------------------

    /**
     * Batched matrix product {@code out[b] = op(a[b]) · op(b[b])} with {@code op(a)} of shape
     * {@code (m, k)} and {@code op(b)} of shape {@code (k, n)}, {@code out[b]} of shape {@code (m, n)}.
     * With {@code transA} the stored matrix is {@code (k, m)}; with {@code transB} it is {@code (n, k)}.
     * An operand whose {@code batched} flag is false is shared by every batch entry.
     */
    void matmul(Storage a, boolean aBatched, boolean transA, Storage b, boolean bBatched, boolean transB,
                Storage out, int batch, int m, int k, int n);

    // ---- convolution ----------------------------------------------------------------------------

    /** Forward convolution; {@code bias} may be null. */
    void conv2d(Storage x, Storage weight, Storage bias, Storage out, ConvGeometry g);

    /** Gradient of the convolution with respect to its input (= transposed convolution, no bias). */
    void conv2dBackwardInput(Storage gradOut, Storage weight, Storage gradIn, ConvGeometry g);

    /** Gradient of the convolution with respect to its weight. */
    void conv2dBackwardWeight(Storage x, Storage gradOut, Storage gradWeight, ConvGeometry g);

    // ---- pooling and resizing ---------------------------------------------------------------------

    /** Max pooling; {@code indices} (int64) receives the flat index within the input plane of each maximum. */
    void maxPool2d(Storage x, Storage out, Storage indices, PoolGeometry g);

    /** Accumulates {@code gradOut} into zeroed {@code gradIn} at {@code indices}. */
    void maxPool2dBackward(Storage gradOut, Storage indices, Storage gradIn, PoolGeometry g);

    void avgPool2d(Storage x, Storage out, PoolGeometry g, boolean countIncludePad);

    /** Accumulates into zeroed {@code gradIn}. */
    void avgPool2dBackward(Storage gradOut, Storage gradIn, PoolGeometry g, boolean countIncludePad);

    /**
     * Writes each of the {@code planes × inPlane} values of {@code x} at its index within a zeroed
     * {@code planes × outPlane} output (max unpooling); where indices repeat, the last write wins.
     */
    void maxUnpool2d(Storage x, Storage indices, Storage out, int planes, int inPlane, int outPlane);

    /** {@code out[p][i] = x[p][indices[p][i]]}: the gradient of max unpooling. */
    void maxUnpool2dBackward(Storage gradOut, Storage indices, Storage gradIn, int planes, int inPlane, int outPlane);

    void upsampleNearest2d(Storage x, Storage out, ResizeGeometry g);

    /** Accumulates into zeroed {@code gradIn}. */
    void upsampleNearest2dBackward(Storage gradOut, Storage gradIn, ResizeGeometry g);

    void upsampleBilinear2d(Storage x, Storage out, ResizeGeometry g, boolean alignCorners);

    /** Accumulates into zeroed {@code gradIn}. */
    void upsampleBilinear2dBackward(Storage gradOut, Storage gradIn, ResizeGeometry g, boolean alignCorners);

    // ---- indexing --------------------------------------------------------------------------------

    /**
     * {@code index_select}: {@code out[o][j][i] = x[o][index[j]][i]} for the {@code (outer, axis, inner)}
     * view of {@code x} and {@code nIndex} int64 indices, each checked to lie in {@code [0, axis)}.
     */
    void indexSelect(Storage x, Storage index, Storage out, int outer, int axis, int nIndex, int inner);

    /** The gradient of {@link #indexSelect}: accumulates {@code gradOut} rows into zeroed {@code gradIn}. */
    void indexAdd(Storage gradOut, Storage index, Storage gradIn, int outer, int axis, int nIndex, int inner);

    /**
     * {@code torch.gather} along {@code axis}: {@code out} has {@code indexShape}; indices are checked
     * to lie in {@code [0, xShape[axis])}.
     */
    void gather(Storage x, int[] xShape, Storage index, int[] indexShape, int axis, Storage out);

    /** The gradient of {@link #gather}: accumulates {@code src} (of {@code indexShape}) into zeroed {@code out}. */
    void scatterAdd(Storage src, Storage index, int[] indexShape, int axis, Storage out, int[] outShape);

    /**
     * One Adam update of {@code n} elements in place ({@code Tensors.adamStep}): {@code m}, {@code v} the
     * moments, {@code stepSize} = lr / (1 − β₁ᵗ), {@code sqrtBiasCorrection2} = √(1 − β₂ᵗ).
     */
    void adamStep(Storage w, Storage g, Storage m, Storage v, int n, double beta1, double beta2, double eps, double stepSize,
                  double sqrtBiasCorrection2);
}
