package dev.kiln.backend.openblas;

import dev.kiln.api.tensor.DType;
import dev.kiln.engine.backend.BinaryOp;
import dev.kiln.engine.backend.ConvGeometry;
import dev.kiln.engine.backend.PoolGeometry;
import dev.kiln.engine.backend.ReduceOp;
import dev.kiln.engine.backend.Storage;
import dev.kiln.engine.backend.UnaryOp;
import dev.kiln.engine.reference.ReferenceBackend;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_full;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

import static dev.kiln.backend.openblas.Scratch.CHUNK;

/**
 * The native CPU backend: tensor memory from {@code malloc} (64-byte aligned, handed back when the
 * last holder releases it, to a {@link BlockCache} that reuses it for the next tensor of its size), float32 GEMM through oneDNN's {@code dnnl_sgemm} (or OpenBLAS's
 * {@code cblas_sgemm}, see {@link #dnnlGemm}), float64 GEMM through {@code cblas_dgemm}, float32
 * convolutions through oneDNN, and element-wise, reduction, softmax, pooling and copy kernels as
 * tight Java loops over per-thread arrays. Every kernel not overridden here (and every float64
 * convolution) runs the reference loops, which work on direct buffers too.
 */
public class NativeCpuBackend extends ReferenceBackend implements AutoCloseable {

    private static final int ALIGN = 64;
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private final int threads;
    private final AtomicLong nativeBytes = new AtomicLong();
    private final AtomicLong liveStorages = new AtomicLong();
    /** Freed blocks kept for the next allocation of their size ({@code -Dkiln.cpu.cacheBytes}, default 1 GiB). */
    private final BlockCache blocks;
    final DnnlConv conv;
    /** The Java kernels' share of the threads (element-wise ops and max pooling). */
    private final Parallel parallel;
    private final ThreadLocal<Ptrs.Gemm> gemmPtrs = ThreadLocal.withInitial(Ptrs.Gemm::new);
    private final String description;
    /**
     * float32 GEMM through oneDNN's {@code dnnl_sgemm} (the default) or OpenBLAS's {@code cblas_sgemm}
     * ({@code -Dkiln.cpu.gemm=openblas}). Measured here: with OpenBLAS's pthreads pool and oneDNN's
     * OpenMP pool taking turns (GEMM then convolution, as in a training step) the idle pool's
     * spinning threads made the pair 3-4x slower than its parts on a quiet machine and up to 20x
     * under load; with GEMM on oneDNN too there is one pool and the pair costs the sum of its parts
     * (1.02-1.05x). {@code dnnl_sgemm} runs level with {@code cblas_sgemm} on the Haswell kernels:
     * one thread, best of runs, gemm-256/512/1024/2048 at 96/93/92/93 GFLOP/s against 88/93/94/95
     * (0.98-1.09x); two threads gemm-256 186 vs 146, gemm-512 177 vs 162. float64 stays on OpenBLAS.
     */
    private final boolean dnnlGemm;

    /** @param threads threads for OpenBLAS and oneDNN (at least 1) */
    public NativeCpuBackend(int threads) {
        this(threads, layoutsFromProperty());
    }

    NativeCpuBackend(int threads, DnnlConv.Layout[] layouts) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        NativeLibs.load();
        openblas_full.openblas_set_num_threads(threads);
        OmpThreads.init();
        String omp = OmpThreads.describe(threads);
        this.conv = new DnnlConv(layouts);
        this.parallel = new Parallel(threads);
        this.dnnlGemm = !System.getProperty("kiln.cpu.gemm", "dnnl").equals("openblas");
        long cacheCap = cacheCapFromProperty();
        this.blocks = new BlockCache(cacheCap);
        this.description = NativeLibs.openblasConfig() + " (core " + NativeLibs.openblasCore()
                + ", OPENBLAS_CORETYPE=" + System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset") + ")"
                + " + oneDNN " + NativeLibs.dnnlVersion() + " (" + NativeLibs.dnnlIsa() + ", OpenMP " + omp + ")"
                + ", float32 GEMM " + (dnnlGemm ? "dnnl_sgemm" : "cblas_sgemm")
                + ", conv layouts " + (layouts == null ? "auto" : Arrays.toString(layouts)) + ", " + threads + " threads"
                + ", OMP_WAIT_POLICY=" + System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset")
                + ", block cache " + (cacheCap >> 20) + " MiB";
    }

    /** {@code -Dkiln.cpu.cacheBytes=N}: most bytes of freed tensor memory kept for reuse (0 turns the cache off). */
    static long cacheCapFromProperty() {
        String v = System.getProperty("kiln.cpu.cacheBytes", String.valueOf(1L << 30));
        try {
            long cap = Long.parseLong(v.trim());
            if (cap >= 0) {
                return cap;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("-Dkiln.cpu.cacheBytes=" + v + " is not a byte count; give a whole number >= 0"
                + " (0 turns the block cache off), e.g. -Dkiln.cpu.cacheBytes=536870912");
    }

    /**
     * Layouts per convolution pass from {@code -Dkiln.cpu.convLayout=plain|blocked|a,b,c,d} (fwd,
     * fwd+bias, backward-data, backward-weights); null (the default) picks per geometry what
     * measured fastest here ({@link DnnlConv#defaultLayout}).
     */
    static DnnlConv.Layout[] layoutsFromProperty() {
        String spec = System.getProperty("kiln.cpu.convLayout", "");
        if (spec.isBlank()) {
            return null;
        }
        String[] parts = spec.split(",");
        DnnlConv.Layout[] out = new DnnlConv.Layout[4];
        for (int i = 0; i < 4; i++) {
            out[i] = DnnlConv.Layout.valueOf(parts[Math.min(i, parts.length - 1)].trim().toUpperCase());
        }
        return out;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public String describe() {
        return description;
    }

    /** Bytes of tensor memory currently allocated by this backend and not yet freed. */
    public long nativeBytes() {
        return nativeBytes.get();
    }

    /** Storages currently allocated and not yet freed. */
    public long liveStorages() {
        return liveStorages.get();
    }

    /** Bytes of freed tensor memory kept for reuse (not counted in {@link #nativeBytes}). */
    public long blockCacheBytes() {
        return blocks.cachedBytes();
    }

    /** Allocations served from freed blocks so far, and those of a cacheable size that found none. */
    public long[] blockCacheHitsAndMisses() {
        return new long[] {blocks.hits(), blocks.misses()};
    }

    /** Bytes held by cached oneDNN plans (internal blocked buffers), outside tensor memory. */
    public long cacheBytes() {
        return conv.internalBytes();
    }

    /** What oneDNN runs for a pass ({@code 0} fwd, {@code 1} fwd+bias, {@code 2} backward-data, {@code 3} backward-weights). */
    public String convImplementation(int pass, ConvGeometry g) {
        return conv.implementation(pass, g);
    }

    /** Frees the cached oneDNN primitives and buffers; tensor storages stay valid. */
    @Override
    public void close() {
        conv.close();
        parallel.close();
        blocks.close();
    }

    // ---- memory -------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, int length) {
        return allocate(dtype, length, false);
    }

    @Override
    public Storage allocateZeroed(DType dtype, int length) {
        return allocate(dtype, length, true);
    }

    private Storage allocate(DType dtype, int length, boolean zeroed) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        long bytes = (long) length * dtype.byteSize();
        long total = BlockCache.sizeClass(bytes + ALIGN);
        Pointer raw = blocks.take(total);
        if (raw != null) {
            if (zeroed) {
                Pointer.memset(raw, 0, total);
            }
        } else {
            raw = zeroed ? Pointer.calloc(total, 1) : Pointer.malloc(total);
            if ((raw == null || raw.isNull()) && blocks.cachedBytes() > 0) {
                blocks.clear();
                raw = zeroed ? Pointer.calloc(total, 1) : Pointer.malloc(total);
            }
        }
        if (raw == null || raw.isNull()) {
            throw new OutOfMemoryError("native allocation of " + bytes + " bytes failed (" + nativeBytes.get()
                    + " bytes held by the cpu backend)");
        }
        long base = raw.address();
        long aligned = (base + ALIGN - 1) & -ALIGN;
        ByteBuffer bytesView = new BytePointer(raw).position(aligned - base).limit(aligned - base + Math.max(bytes, 1))
                .asByteBuffer().order(ByteOrder.nativeOrder());
        Buffer buffer = switch (dtype) {
            case FLOAT32 -> bytesView.asFloatBuffer().limit(length);
            case FLOAT64 -> bytesView.asDoubleBuffer().limit(length);
            case INT64 -> bytesView.asLongBuffer().limit(length);
        };
        nativeBytes.addAndGet(total);
        liveStorages.incrementAndGet();
        Pointer block = raw;
        return new Storage(dtype, length, buffer, aligned, () -> {
            blocks.give(block, total);
            nativeBytes.addAndGet(-total);
            liveStorages.decrementAndGet();
        });
    }

    @Override
    public void fill(Storage out, double value) {
        int n = out.length();
        if (n == 0) {
            return;
        }
        if (Double.doubleToRawLongBits(value) == 0L && out.address() != 0) {
            Pointer.memset(new Ptrs.Addr().at(out.address()), 0, out.byteSize());
            return;
        }
        switch (out.dtype()) {
            case FLOAT32 -> {
                float[] a = Scratch.get().a;
                Arrays.fill(a, (float) value);
                FloatBuffer f = out.floats();
                for (int s = 0; s < n; s += CHUNK) {
                    f.put(s, a, 0, Math.min(CHUNK, n - s));
                }
            }
            case FLOAT64 -> {
                double[] a = Scratch.get().doubles;
                Arrays.fill(a, value);
                DoubleBuffer d = out.doubles();
                for (int s = 0; s < n; s += CHUNK) {
                    d.put(s, a, 0, Math.min(CHUNK, n - s));
                }
            }
            case INT64 -> {
                long[] a = Scratch.get().longs;
                Arrays.fill(a, (long) value);
                LongBuffer l = out.longs();
                for (int s = 0; s < n; s += CHUNK) {
                    l.put(s, a, 0, Math.min(CHUNK, n - s));
                }
            }
        }
    }

    @Override
    public void convert(Storage src, Storage dst, int n) {
        DType from = src.dtype();
        DType to = dst.dtype();
        Scratch s = Scratch.get();
        if (from == to) {
            switch (from) {
                case FLOAT32 -> dst.floats().put(0, src.floats(), 0, n);
                case FLOAT64 -> dst.doubles().put(0, src.doubles(), 0, n);
                case INT64 -> dst.longs().put(0, src.longs(), 0, n);
            }
            return;
        }
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            switch (from) {
                case FLOAT32 -> {
                    float[] f = s.a;
                    src.floats().get(start, f, 0, len);
                    if (to == DType.FLOAT64) {
                        double[] d = s.doubles;
                        for (int i = 0; i < len; i++) {
                            d[i] = f[i];
                        }
                        dst.doubles().put(start, d, 0, len);
                    } else {
                        long[] l = s.longs;
                        for (int i = 0; i < len; i++) {
                            l[i] = (long) f[i];
                        }
                        dst.longs().put(start, l, 0, len);
                    }
                }
                case FLOAT64 -> {
                    double[] d = s.doubles;
                    src.doubles().get(start, d, 0, len);
                    if (to == DType.FLOAT32) {
                        float[] f = s.a;
                        for (int i = 0; i < len; i++) {
                            f[i] = (float) d[i];
                        }
                        dst.floats().put(start, f, 0, len);
                    } else {
                        long[] l = s.longs;
                        for (int i = 0; i < len; i++) {
                            l[i] = (long) d[i];
                        }
                        dst.longs().put(start, l, 0, len);
                    }
                }
                case INT64 -> {
                    long[] l = s.longs;
                    src.longs().get(start, l, 0, len);
                    if (to == DType.FLOAT32) {
                        float[] f = s.a;
                        for (int i = 0; i < len; i++) {
                            f[i] = (float) (double) l[i];
                        }
                        dst.floats().put(start, f, 0, len);
                    } else {
                        double[] d = s.doubles;
                        for (int i = 0; i < len; i++) {
                            d[i] = l[i];
                        }
                        dst.doubles().put(start, d, 0, len);
                    }
                }
            }
        }
    }

    @Override
    public void copyStrided(Storage src, int srcOffset, int[] srcStrides, Storage dst, int dstOffset, int[] dstStrides, int[] shape) {
        if (src.dtype() != dst.dtype()) {
            super.copyStrided(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape);
            return;
        }
        for (int d : shape) {
            if (d == 0) {
                return;
            }
        }
        Elementwise.Plan p = new Elementwise.Plan(shape, srcStrides, dstStrides);
        int rank = p.rank;
        int last = p.shape[rank - 1];
        int ss = p.strides[0][rank - 1];
        int ds = p.strides[1][rank - 1];
        if (src.dtype() == DType.FLOAT32 && rank >= 2 && ds == 1 && ss != 1 && ss != 0 && last >= 8) { // not a broadcast row (a fill)
            for (int j = 0; j < rank - 1; j++) {
                if (p.strides[0][j] == 1 && p.shape[j] >= 8) {
                    transposeTiles(src.floats(), srcOffset, dst.floats(), dstOffset, p, j);
                    return;
                }
            }
        }
        int rows = p.numel() / last;
        int[] index = new int[rank];
        int so = srcOffset;
        int dOff = dstOffset;
        DType t = src.dtype();
        for (int row = 0; row < rows; row++) {
            switch (t) {
                case FLOAT32 -> copyRow(src.floats(), so, ss, dst.floats(), dOff, ds, last);
                case FLOAT64 -> copyRow(src.doubles(), so, ss, dst.doubles(), dOff, ds, last);
                case INT64 -> copyRow(src.longs(), so, ss, dst.longs(), dOff, ds, last);
            }
            for (int axis = rank - 2; axis >= 0; axis--) {
                so += p.strides[0][axis];
                dOff += p.strides[1][axis];
                if (++index[axis] < p.shape[axis]) {
                    break;
                }
                so -= p.strides[0][axis] * p.shape[axis];
                dOff -= p.strides[1][axis] * p.shape[axis];
                index[axis] = 0;
            }
        }
    }

    private static final int TILE = 64;

    /**
     * A copy whose source is contiguous along axis {@code j} and whose destination is contiguous
     * along the last axis (a transpose, e.g. permute or {@code .t()} made contiguous): moved in
     * 64×64 tiles with bulk reads along {@code j} and bulk writes along the last axis, instead of
     * one strided element at a time.
     */
    private static void transposeTiles(FloatBuffer src, int srcOffset, FloatBuffer dst, int dstOffset, Elementwise.Plan p, int j) {
        int rank = p.rank;
        int last = rank - 1;
        int lj = p.shape[j];
        int ll = p.shape[last];
        int ssl = p.strides[0][last];
        int dsj = p.strides[1][j];
        Scratch s = Scratch.get();
        float[] tile = s.a; // TILE*TILE == CHUNK
        float[] row = s.o;
        int[] others = new int[rank];
        int nOthers = 0;
        int outerCount = 1;
        for (int a = 0; a < last; a++) {
            if (a != j) {
                others[nOthers++] = a;
                outerCount *= p.shape[a];
            }
        }
        int[] index = new int[rank];
        int so = srcOffset;
        int dOff = dstOffset;
        for (int outer = 0; outer < outerCount; outer++) {
            for (int j0 = 0; j0 < lj; j0 += TILE) {
                int tj = Math.min(TILE, lj - j0);
                for (int l0 = 0; l0 < ll; l0 += TILE) {
                    int tl = Math.min(TILE, ll - l0);
                    for (int l = 0; l < tl; l++) {
                        src.get(so + j0 + (l0 + l) * ssl, tile, l * TILE, tj);
                    }
                    for (int jj = 0; jj < tj; jj++) {
                        for (int l = 0; l < tl; l++) {
                            row[l] = tile[l * TILE + jj];
                        }
                        dst.put(dOff + (j0 + jj) * dsj + l0, row, 0, tl);
                    }
                }
            }
            for (int k = nOthers - 1; k >= 0; k--) {
                int a = others[k];
                so += p.strides[0][a];
                dOff += p.strides[1][a];
                if (++index[a] < p.shape[a]) {
                    break;
                }
                so -= p.strides[0][a] * p.shape[a];
                dOff -= p.strides[1][a] * p.shape[a];
                index[a] = 0;
            }
        }
    }

    private static void copyRow(FloatBuffer src, int s, int ss, FloatBuffer dst, int d, int ds, int len) {
        if (ss == 1 && ds == 1) {
            dst.put(d, src, s, len);
        } else if (ss == 0 && ds == 1 && len > 16) {
            float v = src.get(s);
            float[] a = Scratch.get().a;
            for (int start = 0; start < len; start += CHUNK) {
                int n = Math.min(CHUNK, len - start);
                Arrays.fill(a, 0, n, v);
                dst.put(d + start, a, 0, n);
            }
        } else {
            for (int i = 0; i < len; i++) {
                dst.put(d + i * ds, src.get(s + i * ss));
            }
        }
    }

    private static void copyRow(DoubleBuffer src, int s, int ss, DoubleBuffer dst, int d, int ds, int len) {
        if (ss == 1 && ds == 1) {
            dst.put(d, src, s, len);
        } else {
            for (int i = 0; i < len; i++) {
                dst.put(d + i * ds, src.get(s + i * ss));
            }
        }
    }

    private static void copyRow(LongBuffer src, int s, int ss, LongBuffer dst, int d, int ds, int len) {
        if (ss == 1 && ds == 1) {
            dst.put(d, src, s, len);
        } else {
            for (int i = 0; i < len; i++) {
                dst.put(d + i * ds, src.get(s + i * ss));
            }
        }
    }

    // ---- element-wise -------------------------------------------------------------------------

    private static boolean f32(Storage s) {
        return s.dtype() == DType.FLOAT32;
    }

    private static boolean empty(int[] shape) {
        for (int d : shape) {
            if (d == 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void unary(UnaryOp op, Storage x, Storage out, int n) {
        if (f32(x) && f32(out)) {
            Elementwise.unary(parallel, op, x.floats(), out.floats(), n);
        } else {
            super.unary(op, x, out, n);
        }
    }

    @Override
    public void adamStep(Storage w, Storage g, Storage m, Storage v, int n, double beta1, double beta2, double eps, double stepSize,
                         double sqrtBiasCorrection2) {
        if (f32(w) && f32(g) && f32(m) && f32(v)) {
            Elementwise.adamStep(parallel, w.floats(), g.floats(), m.floats(), v.floats(), n, (float) beta1, (float) beta2, (float) eps,
                    (float) stepSize, (float) sqrtBiasCorrection2);
        } else {
            super.adamStep(w, g, m, v, n, beta1, beta2, eps, stepSize, sqrtBiasCorrection2);
        }
    }

    @Override
    public void binary(BinaryOp op, Storage a, int[] aStrides, Storage b, int[] bStrides, Storage out, int[] outShape) {
        if (f32(a) && f32(b) && f32(out)) {
            if (!empty(outShape)) {
                Elementwise.binary(parallel, op, a.floats(), aStrides, b.floats(), bStrides, out.floats(), outShape);
            }
        } else {
            super.binary(op, a, aStrides, b, bStrides, out, outShape);
        }
    }

    @Override
    public void where(Storage cond, int[] condStrides, Storage a, int[] aStrides, Storage b, int[] bStrides, Storage out, int[] outShape) {
        if (f32(cond) && f32(a) && f32(b) && f32(out)) {
            if (!empty(outShape)) {
                Elementwise.where(cond.floats(), condStrides, a.floats(), aStrides, b.floats(), bStrides, out.floats(), outShape);
            }
        } else {
            super.where(cond, condStrides, a, aStrides, b, bStrides, out, outShape);
        }
    }

    // ---- reductions ---------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, Storage x, Storage out, int outer, int n, int inner) {
        boolean outOk = op == ReduceOp.ARGMAX ? out.dtype() == DType.INT64 : f32(out);
        if (f32(x) && outOk && n > 0) {
            Elementwise.reduce(parallel, op, x.floats(), op == ReduceOp.ARGMAX ? null : out.floats(),
                    op == ReduceOp.ARGMAX ? out.longs() : null, outer, n, inner);
        } else {
            super.reduce(op, x, out, outer, n, inner);
        }
    }

    @Override
    public void logSoftmax(Storage x, Storage out, int outer, int n, int inner) {
        if (f32(x) && f32(out) && inner == 1) {
            Elementwise.logSoftmaxRows(x.floats(), out.floats(), outer, n);
        } else {
            super.logSoftmax(x, out, outer, n, inner);
        }
    }

    @Override
    public void logSoftmaxBackward(Storage gradOut, Storage out, Storage gradIn, int outer, int n, int inner) {
        if (f32(gradOut) && f32(out) && f32(gradIn) && inner == 1) {
            Elementwise.logSoftmaxBackwardRows(gradOut.floats(), out.floats(), gradIn.floats(), outer, n);
        } else {
            super.logSoftmaxBackward(gradOut, out, gradIn, outer, n, inner);
        }
    }

    // ---- linear algebra -----------------------------------------------------------------------

    @Override
    public void matmul(Storage a, boolean aBatched, boolean transA, Storage b, boolean bBatched, boolean transB,
                       Storage out, int batch, int m, int k, int n) {
        DType t = out.dtype();
        if (t == DType.INT64 || a.dtype() != t || b.dtype() != t || a.address() == 0 || b.address() == 0 || out.address() == 0) {
            super.matmul(a, aBatched, transA, b, bBatched, transB, out, batch, m, k, n);
            return;
        }
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            fill(out, 0);
            return;
        }
        int ta = transA ? TRANS : NO_TRANS;
        int tb = transB ? TRANS : NO_TRANS;
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        long es = t.byteSize();
        Ptrs.Gemm p = gemmPtrs.get();
        long aAddr = a.address();
        long bAddr = b.address();
        long cAddr = out.address();
        if (aBatched && !bBatched && !transA && batch > 1) {
            // (batch·m, k) · (k, n): one call instead of a loop
            gemm(t, p, NO_TRANS, tb, batch * m, n, k, aAddr, lda, bAddr, ldb, cAddr);
            return;
        }
        long aStep = aBatched ? (long) m * k * es : 0;
        long bStep = bBatched ? (long) k * n * es : 0;
        long cStep = (long) m * n * es;
        for (int i = 0; i < batch; i++) {
            gemm(t, p, ta, tb, m, n, k, aAddr + i * aStep, lda, bAddr + i * bStep, ldb, cAddr + i * cStep);
        }
    }

    private void gemm(DType t, Ptrs.Gemm p, int ta, int tb, int m, int n, int k, long a, int lda, long b, int ldb, long c) {
        if (t == DType.FLOAT32 && dnnlGemm) {
            OmpThreads.apply(teamFor(2.0 * m * n * k));
            // oneDNN's sgemm is row-major, like the engine's storage
            int status = dnnl.dnnl_sgemm(ta == TRANS ? (byte) 'T' : (byte) 'N', tb == TRANS ? (byte) 'T' : (byte) 'N',
                    m, n, k, 1f, p.fa.at(a), lda, p.fb.at(b), ldb, 0f, p.fc.at(c), n);
            if (status != 0) {
                DnnlConv.check(status, "dnnl_sgemm(m=" + m + " n=" + n + " k=" + k + " lda=" + lda + " ldb=" + ldb + ")");
            }
        } else if (t == DType.FLOAT32) {
            openblas_full.cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, 1f, p.fa.at(a), lda, p.fb.at(b), ldb, 0f, p.fc.at(c), n);
        } else {
            openblas_full.cblas_dgemm(ROW_MAJOR, ta, tb, m, n, k, 1.0, p.da.at(a), lda, p.db.at(b), ldb, 0.0, p.dc.at(c), n);
        }
    }

    // ---- convolution --------------------------------------------------------------------------

    private boolean convable(ConvGeometry g, Storage... s) {
        if (g.n() == 0 || g.cIn() == 0 || g.cOut() == 0 || g.outH() <= 0 || g.outW() <= 0 || g.h() == 0 || g.w() == 0) {
            return false;
        }
        for (Storage x : s) {
            if (x != null && (x.dtype() != DType.FLOAT32 || x.address() == 0)) {
                return false;
            }
        }
        OmpThreads.apply(teamFor(g.flops()));
        return true;
    }

    /** Below this many FLOPs a oneDNN call runs on one thread: the fork/join costs more than it saves. */
    static final double SMALL_FLOPS = 2e6;

    /**
     * The OpenMP team for a call of {@code flops}: all threads, or one for tiny problems (a function
     * of the shape only, so results stay reproducible). On a loaded machine a barrier waiting for a
     * descheduled worker costs milliseconds, which tiny convolutions and GEMMs cannot amortise.
     */
    private int teamFor(double flops) {
        return flops < SMALL_FLOPS ? 1 : threads;
    }

    @Override
    public void conv2d(Storage x, Storage weight, Storage bias, Storage out, ConvGeometry g) {
        boolean done = false;
        if (convable(g, x, weight, bias, out)) {
            done = bias == null
                    ? conv.run(DnnlConv.FWD, g, x.address(), weight.address(), out.address(), 0)
                    : conv.run(DnnlConv.FWD_BIAS, g, x.address(), weight.address(), bias.address(), out.address());
        }
        if (!done) {
            super.conv2d(x, weight, bias, out, g);
        }
    }

    @Override
    public void conv2dBackwardInput(Storage gradOut, Storage weight, Storage gradIn, ConvGeometry g) {
        if (!(convable(g, gradOut, weight, gradIn)
                && conv.run(DnnlConv.BWD_DATA, g, gradOut.address(), weight.address(), gradIn.address(), 0))) {
            super.conv2dBackwardInput(gradOut, weight, gradIn, g);
        }
    }

    @Override
    public void conv2dBackwardWeight(Storage x, Storage gradOut, Storage gradWeight, ConvGeometry g) {
        if (!(convable(g, x, gradOut, gradWeight)
                && conv.run(DnnlConv.BWD_WEIGHTS, g, x.address(), gradOut.address(), gradWeight.address(), 0))) {
            super.conv2dBackwardWeight(x, gradOut, gradWeight, g);
        }
    }

    // ---- pooling ------------------------------------------------------------------------------

    @Override
    public void maxPool2d(Storage x, Storage out, Storage indices, PoolGeometry g) {
        if (f32(x) && f32(out) && indices.dtype() == DType.INT64) {
            PoolKernels.maxForward(parallel, x.floats(), out.floats(), indices.longs(), g);
        } else {
            super.maxPool2d(x, out, indices, g);
        }
    }

    @Override
    public void maxPool2dBackward(Storage gradOut, Storage indices, Storage gradIn, PoolGeometry g) {
        if (f32(gradOut) && f32(gradIn) && indices.dtype() == DType.INT64) {
            PoolKernels.maxBackward(parallel, gradOut.floats(), indices.longs(), gradIn.floats(), g);
        } else {
            super.maxPool2dBackward(gradOut, indices, gradIn, g);
        }
    }

    @Override
    public void avgPool2d(Storage x, Storage out, PoolGeometry g, boolean countIncludePad) {
        if (f32(x) && f32(out)) {
            PoolKernels.avgForward(x.floats(), out.floats(), g, countIncludePad);
        } else {
            super.avgPool2d(x, out, g, countIncludePad);
        }
    }

    @Override
    public void avgPool2dBackward(Storage gradOut, Storage gradIn, PoolGeometry g, boolean countIncludePad) {
        if (f32(gradOut) && f32(gradIn)) {
            PoolKernels.avgBackward(gradOut.floats(), gradIn.floats(), g, countIncludePad);
        } else {
            super.avgPool2dBackward(gradOut, gradIn, g, countIncludePad);
        }
    }
}
