package dev.kiln.engine.reference;

import dev.kiln.api.tensor.DType;
import dev.kiln.engine.backend.Backend;
import dev.kiln.engine.backend.BinaryOp;
import dev.kiln.engine.backend.ConvGeometry;
import dev.kiln.engine.backend.PoolGeometry;
import dev.kiln.engine.backend.ReduceOp;
import dev.kiln.engine.backend.ResizeGeometry;
import dev.kiln.engine.backend.Storage;
import dev.kiln.engine.backend.UnaryOp;

/**
 * The pure-Java backend: plain loops over heap buffers, computing in double precision and rounding
 * once to the storage type. It is the living specification of every kernel — written for clarity,
 * single-threaded — and native backends are tested against it.
 *
 * <p>Native backends extend it and override the kernels they accelerate; the loops here work on
 * direct buffers too, so a kernel without a native version still runs, just slower.
 */
public class ReferenceBackend implements Backend {

    @Override
    public String name() {
        return "java";
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int threads() {
        return 1;
    }

    @Override
    public String describe() {
        return "pure-Java reference kernels, double-precision accumulation, 1 thread";
    }

    // ---- memory ---------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, int length) {
        return Storage.heap(dtype, length);
    }

    @Override
    public Storage allocateZeroed(DType dtype, int length) {
        return Storage.heap(dtype, length);
    }

    @Override
    public void fill(Storage out, double value) {
        for (int i = 0; i < out.length(); i++) {
            out.set(i, value);
        }
    }

    @Override
    public void convert(Storage src, Storage dst, int n) {
        if (dst.dtype() == DType.INT64) {
            for (int i = 0; i < n; i++) {
                dst.setLong(i, src.dtype() == DType.INT64 ? src.getLong(i) : (long) src.get(i));
            }
        } else {
            for (int i = 0; i < n; i++) {
                dst.set(i, src.get(i));
            }
        }
    }

    @Override
    public void copyStrided(Storage src, int srcOffset, int[] srcStrides, Storage dst, int dstOffset, int[] dstStrides, int[] shape) {
        int rank = shape.length;
        int total = Shapes.numel(shape);
        if (total == 0) {
            return;
        }
        int[] index = new int[rank];
        boolean ints = src.dtype() == DType.INT64 && dst.dtype() == DType.INT64;
        for (int count = 0; count < total; count++) {
            int s = srcOffset;
            int d = dstOffset;
            for (int a = 0; a < rank; a++) {
                s += index[a] * srcStrides[a];
                d += index[a] * dstStrides[a];
            }
            if (ints) {
                dst.setLong(d, src.getLong(s));
            } else {
                dst.set(d, src.get(s));
            }
            Shapes.increment(index, shape);
        }
    }

    // ---- element-wise ---------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, Storage x, Storage out, int n) {
        for (int i = 0; i < n; i++) {
            out.set(i, Scalars.unary(op, x.get(i)));
        }
    }

    @Override
    public void binary(BinaryOp op, Storage a, int[] aStrides, Storage b, int[] bStrides, Storage out, int[] outShape) {
        int total = Shapes.numel(outShape);
        int rank = outShape.length;
        int[] index = new int[rank];
        for (int i = 0; i < total; i++) {
            int ia = Shapes.dot(index, aStrides);
            int ib = Shapes.dot(index, bStrides);
            out.set(i, Scalars.binary(op, a.get(ia), b.get(ib)));
            Shapes.increment(index, outShape);
        }
    }

    @Override
    public void where(Storage cond, int[] condStrides, Storage a, int[] aStrides, Storage b, int[] bStrides, Storage out, int[] outShape) {
        int total = Shapes.numel(outShape);
        int[] index = new int[outShape.length];
        for (int i = 0; i < total; i++) {
            boolean c = cond.get(Shapes.dot(index, condStrides)) != 0;
            out.set(i, c ? a.get(Shapes.dot(index, aStrides)) : b.get(Shapes.dot(index, bStrides)));
            Shapes.increment(index, outShape);
        }
    }

    // ---- reductions -------------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, Storage x, Storage out, int outer, int n, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                int target = o * inner + i;
                switch (op) {
                    case SUM -> {
                        double s = 0;
                        for (int j = 0; j < n; j++) {
                            s += x.get(base + j * inner);
                        }
                        out.set(target, s);
                    }
                    case MAX, ARGMAX -> {
                        double best = Double.NEGATIVE_INFINITY;
                        int arg = 0;
                        for (int j = 0; j < n; j++) {
                            double v = x.get(base + j * inner);
                            if (Double.isNaN(v)) { // NaN wins, as in PyTorch
                                best = v;
                                arg = j;
                                break;
                            }
                            if (v > best || j == 0) {
                                best = v;
                                arg = j;
                            }
                        }
                        if (op == ReduceOp.MAX) {
                            out.set(target, best);
                        } else {
                            out.setLong(target, arg);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void logSoftmax(Storage x, Storage out, int outer, int n, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, x.get(base + j * inner));
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += Math.exp(x.get(base + j * inner) - max);
                }
                double lse = max + Math.log(sum);
                for (int j = 0; j < n; j++) {
                    out.set(base + j * inner, x.get(base + j * inner) - lse);
                }
            }
        }
    }

    @Override
    public void logSoftmaxBackward(Storage gradOut, Storage out, Storage gradIn, int outer, int n, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += gradOut.get(base + j * inner);
                }
                for (int j = 0; j < n; j++) {
                    int at = base + j * inner;
                    gradIn.set(at, gradOut.get(at) - Math.exp(out.get(at)) * sum);
                }
            }
        }
    }

    // ---- linear algebra ---------------------------------------------------------------------------

    @Override
    public void matmul(Storage a, boolean aBatched, boolean transA, Storage b, boolean bBatched, boolean transB,
                       Storage out, int batch, int m, int k, int n) {
        for (int p = 0; p < batch; p++) {
            int aBase = aBatched ? p * m * k : 0;
            int bBase = bBatched ? p * k * n : 0;
            int oBase = p * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        double av = a.get(aBase + (transA ? q * m + i : i * k + q));
                        double bv = b.get(bBase + (transB ? j * k + q : q * n + j));
                        s += av * bv;
                    }
                    out.set(oBase + i * n + j, s);
                }
            }
        }
    }

    // ---- convolution, pooling, resizing ------------------------------------------------------------

    @Override
    public void conv2d(Storage x, Storage weight, Storage bias, Storage out, ConvGeometry g) {
        Convolutions.forward(x, weight, bias, out, g);
    }

    @Override
    public void conv2dBackwardInput(Storage gradOut, Storage weight, Storage gradIn, ConvGeometry g) {
        Convolutions.backwardInput(gradOut, weight, gradIn, g);
    }

    @Override
    public void conv2dBackwardWeight(Storage x, Storage gradOut, Storage gradWeight, ConvGeometry g) {
        Convolutions.backwardWeight(x, gradOut, gradWeight, g);
    }

    @Override
    public void maxPool2d(Storage x, Storage out, Storage indices, PoolGeometry g) {
        Pooling.maxForward(x, out, indices, g);
    }

    @Override
    public void maxPool2dBackward(Storage gradOut, Storage indices, Storage gradIn, PoolGeometry g) {
        Pooling.maxBackward(gradOut, indices, gradIn, g);
    }

    @Override
    public void avgPool2d(Storage x, Storage out, PoolGeometry g, boolean countIncludePad) {
        Pooling.avgForward(x, out, g, countIncludePad);
    }

    @Override
    public void avgPool2dBackward(Storage gradOut, Storage gradIn, PoolGeometry g, boolean countIncludePad) {
        Pooling.avgBackward(gradOut, gradIn, g, countIncludePad);
    }

    @Override
    public void maxUnpool2d(Storage x, Storage indices, Storage out, int planes, int inPlane, int outPlane) {
        Pooling.unpool(x, indices, out, planes, inPlane, outPlane);
    }

    @Override
    public void maxUnpool2dBackward(Storage gradOut, Storage indices, Storage gradIn, int planes, int inPlane, int outPlane) {
        Pooling.unpoolBackward(gradOut, indices, gradIn, planes, inPlane, outPlane);
    }

    @Override
    public void upsampleNearest2d(Storage x, Storage out, ResizeGeometry g) {
        Resizing.nearest(x, out, g);
    }

    @Override
    public void upsampleNearest2dBackward(Storage gradOut, Storage gradIn, ResizeGeometry g) {
        Resizing.nearestBackward(gradOut, gradIn, g);
    }

    @Override
    public void upsampleBilinear2d(Storage x, Storage out, ResizeGeometry g, boolean alignCorners) {
        Resizing.bilinear(x, out, g, alignCorners);
    }

    @Override
    public void upsampleBilinear2dBackward(Storage gradOut, Storage gradIn, ResizeGeometry g, boolean alignCorners) {
        Resizing.bilinearBackward(gradOut, gradIn, g, alignCorners);
    }

    // ---- indexing ---------------------------------------------------------------------------------

    @Override
    public void indexSelect(Storage x, Storage index, Storage out, int outer, int axis, int nIndex, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < nIndex; j++) {
                int src = Shapes.checkIndex(index.getLong(j), axis, "index_select");
                for (int i = 0; i < inner; i++) {
                    out.set((o * nIndex + j) * inner + i, x.get((o * axis + src) * inner + i));
                }
            }
        }
    }

    @Override
    public void indexAdd(Storage gradOut, Storage index, Storage gradIn, int outer, int axis, int nIndex, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < nIndex; j++) {
                int dst = Shapes.checkIndex(index.getLong(j), axis, "index_select");
                for (int i = 0; i < inner; i++) {
                    int at = (o * axis + dst) * inner + i;
                    gradIn.set(at, gradIn.get(at) + gradOut.get((o * nIndex + j) * inner + i));
                }
            }
        }
    }

    @Override
    public void gather(Storage x, int[] xShape, Storage index, int[] indexShape, int axis, Storage out) {
        int[] xStrides = Shapes.strides(xShape);
        int total = Shapes.numel(indexShape);
        int[] at = new int[indexShape.length];
        for (int i = 0; i < total; i++) {
            int k = Shapes.checkIndex(index.getLong(i), xShape[axis], "gather");
            int src = 0;
            for (int a = 0; a < at.length; a++) {
                src += (a == axis ? k : at[a]) * xStrides[a];
            }
            out.set(i, x.get(src));
            Shapes.increment(at, indexShape);
        }
    }

    @Override
    public void scatterAdd(Storage src, Storage index, int[] indexShape, int axis, Storage out, int[] outShape) {
        int[] outStrides = Shapes.strides(outShape);
        int total = Shapes.numel(indexShape);
        int[] at = new int[indexShape.length];
        for (int i = 0; i < total; i++) {
            int k = Shapes.checkIndex(index.getLong(i), outShape[axis], "gather");
            int dst = 0;
            for (int a = 0; a < at.length; a++) {
                dst += (a == axis ? k : at[a]) * outStrides[a];
            }
            out.set(dst, out.get(dst) + src.get(i));
            Shapes.increment(at, indexShape);
        }
    }

    /** In double precision, each stored value rounded once; the order of operations is torch's. */
    @Override
    public void adamStep(Storage w, Storage g, Storage m, Storage v, int n, double beta1, double beta2, double eps, double stepSize,
                         double sqrtBiasCorrection2) {
        for (int i = 0; i < n; i++) {
            double gi = g.get(i);
            m.set(i, beta1 * m.get(i) + (1 - beta1) * gi);
            v.set(i, beta2 * v.get(i) + (1 - beta2) * gi * gi);
            double denom = Math.sqrt(v.get(i)) / sqrtBiasCorrection2 + eps;
            w.set(i, w.get(i) - stepSize * m.get(i) / denom);
        }
    }
}
