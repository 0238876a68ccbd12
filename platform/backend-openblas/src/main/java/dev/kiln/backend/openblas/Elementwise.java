package dev.kiln.backend.openblas;

import dev.kiln.engine.backend.BinaryOp;
import dev.kiln.engine.backend.ReduceOp;
import dev.kiln.engine.backend.UnaryOp;

import java.nio.FloatBuffer;
import java.util.Arrays;

import static dev.kiln.backend.openblas.Scratch.CHUNK;

/**
 * float32 element-wise, reduction and softmax kernels. Each one moves chunks of direct memory into
 * per-thread arrays with absolute bulk get/put, runs a plain array loop (vectorised by C2) and moves
 * the result back. Arithmetic that the reference does in double precision and rounds once is done
 * the same way here, so most results are bit-identical to it.
 */
final class Elementwise {
    private Elementwise() {
    }

    // ---- unary ------------------------------------------------------------------------------------

    static void unary(Parallel par, UnaryOp op, FloatBuffer x, FloatBuffer out, int n) {
        par.forRange(n, work(op), (from, to) -> {
            Scratch s = Scratch.get();
            float[] a = s.a;
            float[] o = s.o;
            for (int start = from; start < to; start += CHUNK) {
                int len = Math.min(CHUNK, to - start);
                x.get(start, a, 0, len);
                unaryKernel(op, a, o, len);
                out.put(start, o, 0, len);
            }
        });
    }

    /** Work per element of an op, for {@link Parallel#forRange}. */
    private static long work(UnaryOp op) {
        return switch (op) {
            case EXP, LOG, TANH, SIGMOID, SQRT, STEP -> Parallel.HEAVY;
            default -> Parallel.LIGHT;
        };
    }

    private static long work(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, MAX, MIN, MUL_STEP -> Parallel.LIGHT;
            default -> Parallel.HEAVY;
        };
    }

    static void unaryKernel(UnaryOp op, float[] a, float[] o, int len) {
        switch (op) {
            case NEG -> {
                for (int i = 0; i < len; i++) {
                    o[i] = -a[i];
                }
            }
            case EXP -> {
                for (int i = 0; i < len; i++) {
                    o[i] = (float) Math.exp(a[i]);
                }
            }
            case LOG -> {
                for (int i = 0; i < len; i++) {
                    o[i] = (float) Math.log(a[i]);
                }
            }
            case SQRT -> {
                for (int i = 0; i < len; i++) {
                    o[i] = (float) Math.sqrt(a[i]);
                }
            }
            case TANH -> {
                for (int i = 0; i < len; i++) {
                    o[i] = (float) Math.tanh(a[i]);
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < len; i++) {
                    double v = a[i];
                    o[i] = (float) (v >= 0 ? 1.0 / (1.0 + Math.exp(-v)) : Math.exp(v) / (1.0 + Math.exp(v)));
                }
            }
            case ABS -> {
                for (int i = 0; i < len; i++) {
                    o[i] = Math.abs(a[i]);
                }
            }
            case RELU -> {
                // max(v, 0) is branch-free and vectorises; it keeps NaN and maps -0 to +0, as the reference
                for (int i = 0; i < len; i++) {
                    o[i] = Math.max(a[i], 0f);
                }
            }
            case SIGN -> {
                for (int i = 0; i < len; i++) {
                    o[i] = Math.signum(a[i]);
                }
            }
            case STEP -> {
                // no data-dependent branch (relu masks are random, a comparison mispredicts half the time): any
                // x > 0, even the smallest subnormal, times 2^126 twice is >= 1, and x <= 0 clamps to 0; the NaN
                // test is never taken on real data, so it predicts perfectly.
                for (int i = 0; i < len; i++) {
                    float m = Math.min(Math.max(a[i], 0f) * 0x1p126f * 0x1p126f, 1f);
                    o[i] = m == m ? m : 0f;
                }
            }
        }
    }

    // ---- fused optimizer updates ----------------------------------------------------------------------

    /**
     * Adam in one pass, float32 arithmetic in torch's order of operations (its single-tensor CPU path
     * rounds after every op, as this does): m and v updated, then w.
     */
    static void adamStep(Parallel par, FloatBuffer w, FloatBuffer g, FloatBuffer m, FloatBuffer v, int n, float beta1, float beta2,
                         float eps, float stepSize, float sqrtBiasCorrection2) {
        float oneMinusBeta1 = 1 - beta1;
        float oneMinusBeta2 = 1 - beta2;
        par.forRange(n, Parallel.HEAVY, (from, to) -> {
            Scratch s = Scratch.get();
            float[] wv = s.a;
            float[] gv = s.b;
            float[] mv = s.c;
            float[] vv = s.o;
            for (int start = from; start < to; start += CHUNK) {
                int len = Math.min(CHUNK, to - start);
                w.get(start, wv, 0, len);
                g.get(start, gv, 0, len);
                m.get(start, mv, 0, len);
                v.get(start, vv, 0, len);
                for (int i = 0; i < len; i++) {
                    float gi = gv[i];
                    float mi = mv[i] * beta1 + gi * oneMinusBeta1;
                    float vi = vv[i] * beta2 + gi * gi * oneMinusBeta2;
                    float denom = (float) Math.sqrt(vi) / sqrtBiasCorrection2 + eps;
                    mv[i] = mi;
                    vv[i] = vi;
                    wv[i] = wv[i] - stepSize * (mi / denom);
                }
                m.put(start, mv, 0, len);
                v.put(start, vv, 0, len);
                w.put(start, wv, 0, len);
            }
        });
    }

    // ---- binary / where -------------------------------------------------------------------------

    static void binaryKernel(BinaryOp op, float[] a, float[] b, float[] o, int len) {
        switch (op) {
            case ADD -> {
                for (int i = 0; i < len; i++) {
                    o[i] = a[i] + b[i];
                }
            }
            case SUB -> {
                for (int i = 0; i < len; i++) {
                    o[i] = a[i] - b[i];
                }
            }
            case MUL -> {
                for (int i = 0; i < len; i++) {
                    o[i] = a[i] * b[i];
                }
            }
            case DIV -> {
                for (int i = 0; i < len; i++) {
                    o[i] = a[i] / b[i];
                }
            }
            case POW -> {
                for (int i = 0; i < len; i++) {
                    o[i] = (float) Math.pow(a[i], b[i]);
                }
            }
            case MAX -> {
                for (int i = 0; i < len; i++) {
                    o[i] = Math.max(a[i], b[i]);
                }
            }
            case MIN -> {
                for (int i = 0; i < len; i++) {
                    o[i] = Math.min(a[i], b[i]);
                }
            }
            case GT -> {
                for (int i = 0; i < len; i++) {
                    o[i] = a[i] > b[i] ? 1f : 0f;
                }
            }
            case GE -> {
                for (int i = 0; i < len; i++) {
                    o[i] = a[i] >= b[i] ? 1f : 0f;
                }
            }
            case LT -> {
                for (int i = 0; i < len; i++) {
                    o[i] = a[i] < b[i] ? 1f : 0f;
                }
            }
            case LE -> {
                for (int i = 0; i < len; i++) {
                    o[i] = a[i] <= b[i] ? 1f : 0f;
                }
            }
            case EQ -> {
                for (int i = 0; i < len; i++) {
                    o[i] = a[i] == b[i] ? 1f : 0f;
                }
            }
            case MUL_STEP -> {
                // no branch at all, so it vectorises (8x faster than with a NaN test): any b > 0, even the smallest
                // subnormal, times 2^126 twice is >= 1, b <= 0 clamps to 0, and a NaN b stays NaN
                for (int i = 0; i < len; i++) {
                    o[i] = a[i] * Math.min(Math.max(b[i], 0f) * 0x1p126f * 0x1p126f, 1f);
                }
            }
        }
    }

    /**
     * Shapes and strides with size-1 axes dropped and mergeable neighbours merged, for an output
     * that is contiguous and any number of operand stride sets.
     */
    static final class Plan {
        int rank;
        final int[] shape;
        final int[][] strides;

        Plan(int[] outShape, int[]... operandStrides) {
            int r = outShape.length;
            shape = new int[Math.max(r, 1)];
            strides = new int[operandStrides.length][Math.max(r, 1)];
            int k = 0;
            for (int axis = 0; axis < r; axis++) {
                if (outShape[axis] == 1) {
                    continue;
                }
                if (k > 0 && mergeable(k - 1, outShape[axis], operandStrides, axis)) {
                    shape[k - 1] *= outShape[axis];
                    for (int t = 0; t < operandStrides.length; t++) {
                        strides[t][k - 1] = operandStrides[t][axis];
                    }
                    continue;
                }
                shape[k] = outShape[axis];
                for (int t = 0; t < operandStrides.length; t++) {
                    strides[t][k] = operandStrides[t][axis];
                }
                k++;
            }
            if (k == 0) { // a scalar
                shape[0] = 1;
                for (int[] st : strides) {
                    st[0] = 0;
                }
                k = 1;
            }
            rank = k;
        }

        private boolean mergeable(int prev, int size, int[][] operandStrides, int axis) {
            for (int t = 0; t < operandStrides.length; t++) {
                if (strides[t][prev] != (long) operandStrides[t][axis] * size) {
                    return false;
                }
            }
            return true;
        }

        int numel() {
            int n = 1;
            for (int i = 0; i < rank; i++) {
                n *= shape[i];
            }
            return n;
        }
    }

    /** Reads {@code len} elements starting at {@code start} with {@code stride} into {@code dst[off..]}. */
    private static void read(FloatBuffer src, int start, int stride, float[] dst, int off, int len) {
        if (stride == 1) {
            src.get(start, dst, off, len);
        } else if (stride == 0) {
            Arrays.fill(dst, off, off + len, src.get(start));
        } else {
            for (int i = 0; i < len; i++) {
                dst[off + i] = src.get(start + i * stride);
            }
        }
    }

    static void binary(Parallel par, BinaryOp op, FloatBuffer a, int[] aStrides, FloatBuffer b, int[] bStrides, FloatBuffer out,
                       int[] outShape) {
        Plan p = new Plan(outShape, aStrides, bStrides);
        int total = p.numel();
        int rank = p.rank;
        int last = p.shape[rank - 1];
        if (rank == 1 && p.strides[0][0] == 1 && p.strides[1][0] == 1) { // same shape, contiguous
            par.forRange(total, work(op), (from, to) -> {
                Scratch s = Scratch.get();
                for (int start = from; start < to; start += CHUNK) {
                    int len = Math.min(CHUNK, to - start);
                    a.get(start, s.a, 0, len);
                    b.get(start, s.b, 0, len);
                    binaryKernel(op, s.a, s.b, s.o, len);
                    out.put(start, s.o, 0, len);
                }
            });
            return;
        }
        par.forRange(total / last, 2 * work(op) * last, (from, to) -> binaryRows(op, p, a, b, out, from, to)); // strided reads: 2x
    }

    /** Rows {@code [from, to)} of a broadcast or strided binary op (a row: the plan's last axis). */
    private static void binaryRows(BinaryOp op, Plan p, FloatBuffer a, FloatBuffer b, FloatBuffer out, int from, int to) {
        int rank = p.rank;
        int last = p.shape[rank - 1];
        int sa = p.strides[0][rank - 1];
        int sb = p.strides[1][rank - 1];
        Scratch s = Scratch.get();
        float[] av = s.a;
        float[] bv = s.b;
        float[] ov = s.o;
        // the outer (all but last) index of row `from`, and the operands' offsets there
        int[] index = new int[rank];
        int offA = 0;
        int offB = 0;
        int rest = from;
        for (int axis = rank - 2; axis >= 0; axis--) {
            index[axis] = rest % p.shape[axis];
            rest /= p.shape[axis];
            offA += index[axis] * p.strides[0][axis];
            offB += index[axis] * p.strides[1][axis];
        }
        int filled = 0;
        int written = from * last;
        for (int row = from; row < to; row++) {
            int col = 0;
            while (col < last) {
                int seg = Math.min(last - col, CHUNK - filled);
                read(a, offA + col * sa, sa, av, filled, seg);
                read(b, offB + col * sb, sb, bv, filled, seg);
                filled += seg;
                col += seg;
                if (filled == CHUNK) {
                    binaryKernel(op, av, bv, ov, CHUNK);
                    out.put(written, ov, 0, CHUNK);
                    written += CHUNK;
                    filled = 0;
                }
            }
            // advance the outer (all but last) index
            for (int axis = rank - 2; axis >= 0; axis--) {
                offA += p.strides[0][axis];
                offB += p.strides[1][axis];
                if (++index[axis] < p.shape[axis]) {
                    break;
                }
                offA -= p.strides[0][axis] * p.shape[axis];
                offB -= p.strides[1][axis] * p.shape[axis];
                index[axis] = 0;
            }
        }
        if (filled > 0) {
            binaryKernel(op, av, bv, ov, filled);
            out.put(written, ov, 0, filled);
        }
    }

    static void where(FloatBuffer cond, int[] cStrides, FloatBuffer a, int[] aStrides, FloatBuffer b, int[] bStrides,
                      FloatBuffer out, int[] outShape) {
        Plan p = new Plan(outShape, cStrides, aStrides, bStrides);
        int total = p.numel();
        int rank = p.rank;
        int last = p.shape[rank - 1];
        int sc = p.strides[0][rank - 1];
        int sa = p.strides[1][rank - 1];
        int sb = p.strides[2][rank - 1];
        Scratch s = Scratch.get();
        float[] cv = s.c;
        float[] av = s.a;
        float[] bv = s.b;
        float[] ov = s.o;
        int[] index = new int[rank];
        int offC = 0;
        int offA = 0;
        int offB = 0;
        int filled = 0;
        int written = 0;
        int rows = total / last;
        for (int row = 0; row < rows; row++) {
            int col = 0;
            while (col < last) {
                int seg = Math.min(last - col, CHUNK - filled);
                read(cond, offC + col * sc, sc, cv, filled, seg);
                read(a, offA + col * sa, sa, av, filled, seg);
                read(b, offB + col * sb, sb, bv, filled, seg);
                filled += seg;
                col += seg;
                if (filled == CHUNK) {
                    whereKernel(cv, av, bv, ov, CHUNK);
                    out.put(written, ov, 0, CHUNK);
                    written += CHUNK;
                    filled = 0;
                }
            }
            for (int axis = rank - 2; axis >= 0; axis--) {
                offC += p.strides[0][axis];
                offA += p.strides[1][axis];
                offB += p.strides[2][axis];
                if (++index[axis] < p.shape[axis]) {
                    break;
                }
                offC -= p.strides[0][axis] * p.shape[axis];
                offA -= p.strides[1][axis] * p.shape[axis];
                offB -= p.strides[2][axis] * p.shape[axis];
                index[axis] = 0;
            }
        }
        if (filled > 0) {
            whereKernel(cv, av, bv, ov, filled);
            out.put(written, ov, 0, filled);
        }
    }

    private static void whereKernel(float[] c, float[] a, float[] b, float[] o, int len) {
        for (int i = 0; i < len; i++) {
            o[i] = c[i] != 0f ? a[i] : b[i];
        }
    }

    // ---- reductions -----------------------------------------------------------------------------

    /** SUM / MAX / ARGMAX over the middle axis of {@code (outer, n, inner)}; ARGMAX writes {@code argOut}. */
    /** Rows ({@code inner == 1}) are split over the backend's threads: each output element is one thread's sum. */
    static void reduce(Parallel par, ReduceOp op, FloatBuffer x, FloatBuffer out, java.nio.LongBuffer argOut, int outer, int n,
                       int inner) {
        if (inner == 1) {
            par.forRange(outer, 4 * (long) n, (from, to) -> reduceRows(op, x, out, argOut, from, to, n, Scratch.get()));
        } else {
            reduceColumns(op, x, out, argOut, outer, n, inner, Scratch.get());
        }
    }

    /** Reduces rows {@code [from, to)} of length {@code n}. */
    private static void reduceRows(ReduceOp op, FloatBuffer x, FloatBuffer out, java.nio.LongBuffer argOut, int from, int to, int n,
                                   Scratch s) {
        if (op == ReduceOp.SUM && n <= 64) {
            sumShortRows(x, out, from, to, n, s);
            return;
        }
        float[] v = s.a;
        for (int o = from; o < to; o++) {
            int base = o * n;
            switch (op) {
                case SUM -> {
                    double s0 = 0;
                    double s1 = 0;
                    double s2 = 0;
                    double s3 = 0;
                    for (int start = 0; start < n; start += CHUNK) {
                        int len = Math.min(CHUNK, n - start);
                        x.get(base + start, v, 0, len);
                        int i = 0;
                        for (; i + 3 < len; i += 4) {
                            s0 += v[i];
                            s1 += v[i + 1];
                            s2 += v[i + 2];
                            s3 += v[i + 3];
                        }
                        for (; i < len; i++) {
                            s0 += v[i];
                        }
                    }
                    out.put(o, (float) ((s0 + s1) + (s2 + s3)));
                }
                case MAX -> {
                    float best = Float.NEGATIVE_INFINITY;
                    boolean nan = false;
                    for (int start = 0; start < n && !nan; start += CHUNK) {
                        int len = Math.min(CHUNK, n - start);
                        x.get(base + start, v, 0, len);
                        float m = best;
                        boolean seenNan = false;
                        for (int i = 0; i < len; i++) {
                            float e = v[i];
                            m = e > m ? e : m;
                            seenNan |= e != e;
                        }
                        best = m;
                        nan = seenNan;
                    }
                    out.put(o, nan ? Float.NaN : best);
                }
                case ARGMAX -> {
                    float best = 0;
                    int arg = 0;
                    boolean done = false;
                    for (int start = 0; start < n && !done; start += CHUNK) {
                        int len = Math.min(CHUNK, n - start);
                        x.get(base + start, v, 0, len);
                        for (int i = 0; i < len; i++) {
                            float e = v[i];
                            int j = start + i;
                            if (e != e) {
                                arg = j;
                                done = true;
                                break;
                            }
                            if (j == 0 || e > best) {
                                best = e;
                                arg = j;
                            }
                        }
                    }
                    argOut.put(o, arg);
                }
            }
        }
    }

    /** Sums of many short rows (e.g. the W axis of a bias gradient): whole rows per bulk read. */
    private static void sumShortRows(FloatBuffer x, FloatBuffer out, int from, int to, int n, Scratch s) {
        float[] v = s.a;
        float[] r = s.o;
        int rowsPerChunk = CHUNK / n;
        for (int o0 = from; o0 < to; o0 += rowsPerChunk) {
            int rows = Math.min(rowsPerChunk, to - o0);
            x.get(o0 * n, v, 0, rows * n);
            for (int row = 0; row < rows; row++) {
                // four float partial sums break the add-latency chain; over at most CHUNK/8 elements
                // their rounding stays far inside float32 tolerance of the double-precision reference
                int base = row * n;
                float s0 = 0;
                float s1 = 0;
                float s2 = 0;
                float s3 = 0;
                int i = 0;
                for (; i + 3 < n; i += 4) {
                    s0 += v[base + i];
                    s1 += v[base + i + 1];
                    s2 += v[base + i + 2];
                    s3 += v[base + i + 3];
                }
                for (; i < n; i++) {
                    s0 += v[base + i];
                }
                r[row] = (float) (((double) s0 + s1) + ((double) s2 + s3));
            }
            out.put(o0, r, 0, rows);
        }
    }

    private static void reduceColumns(ReduceOp op, FloatBuffer x, FloatBuffer out, java.nio.LongBuffer argOut,
                                      int outer, int n, int inner, Scratch s) {
        float[] v = s.a;
        float[] m = s.o;
        double[] acc = s.acc;
        int[] arg = s.arg;
        for (int o = 0; o < outer; o++) {
            int base = o * n * inner;
            for (int i0 = 0; i0 < inner; i0 += CHUNK) {
                int len = Math.min(CHUNK, inner - i0);
                switch (op) {
                    case SUM -> {
                        Arrays.fill(acc, 0, len, 0.0);
                        for (int j = 0; j < n; j++) {
                            x.get(base + j * inner + i0, v, 0, len);
                            for (int i = 0; i < len; i++) {
                                acc[i] += v[i];
                            }
                        }
                        for (int i = 0; i < len; i++) {
                            m[i] = (float) acc[i];
                        }
                        out.put(o * inner + i0, m, 0, len);
                    }
                    case MAX -> {
                        x.get(base + i0, m, 0, len);
                        for (int j = 1; j < n; j++) {
                            x.get(base + j * inner + i0, v, 0, len);
                            for (int i = 0; i < len; i++) {
                                float e = v[i];
                                float b = m[i];
                                m[i] = (e > b || e != e) && b == b ? e : b;
                            }
                        }
                        out.put(o * inner + i0, m, 0, len);
                    }
                    case ARGMAX -> {
                        x.get(base + i0, m, 0, len);
                        Arrays.fill(arg, 0, len, 0);
                        for (int j = 1; j < n; j++) {
                            x.get(base + j * inner + i0, v, 0, len);
                            for (int i = 0; i < len; i++) {
                                float e = v[i];
                                float b = m[i];
                                if ((e > b || e != e) && b == b) {
                                    m[i] = e;
                                    arg[i] = j;
                                }
                            }
                        }
                        for (int i = 0; i < len; i++) {
                            argOut.put(o * inner + i0 + i, arg[i]);
                        }
                    }
                }
            }
        }
    }

    // ---- log-softmax over the last axis ---------------------------------------------------------

    static void logSoftmaxRows(FloatBuffer x, FloatBuffer out, int outer, int n) {
        Scratch s = Scratch.get();
        float[] v = s.big1(n);
        float[] r = s.big2(n);
        for (int o = 0; o < outer; o++) {
            int base = o * n;
            x.get(base, v, 0, n);
            float max = Float.NEGATIVE_INFINITY;
            boolean nan = false;
            for (int j = 0; j < n; j++) {
                float e = v[j];
                max = e > max ? e : max;
                nan |= e != e;
            }
            double mx = nan ? Double.NaN : max;
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += Math.exp(v[j] - mx);
            }
            double lse = mx + Math.log(sum);
            for (int j = 0; j < n; j++) {
                r[j] = (float) (v[j] - lse);
            }
            out.put(base, r, 0, n);
        }
    }

    static void logSoftmaxBackwardRows(FloatBuffer gradOut, FloatBuffer out, FloatBuffer gradIn, int outer, int n) {
        Scratch s = Scratch.get();
        float[] g = s.big1(n);
        float[] y = s.big2(n);
        float[] r = s.big3(n);
        for (int o = 0; o < outer; o++) {
            int base = o * n;
            gradOut.get(base, g, 0, n);
            out.get(base, y, 0, n);
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += g[j];
            }
            for (int j = 0; j < n; j++) {
                r[j] = (float) (g[j] - Math.exp(y[j]) * sum);
            }
            gradIn.put(base, r, 0, n);
        }
    }
}
