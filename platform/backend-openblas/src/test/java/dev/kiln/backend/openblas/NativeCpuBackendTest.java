package dev.kiln.backend.openblas;

import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Pool2dOptions;
import dev.kiln.engine.backend.Backend;
import dev.kiln.engine.backend.BackendProvider;
import dev.kiln.engine.backend.Backends;
import dev.kiln.engine.backend.BinaryOp;
import dev.kiln.engine.backend.ConvGeometry;
import dev.kiln.engine.backend.PoolGeometry;
import dev.kiln.engine.backend.ReduceOp;
import dev.kiln.engine.backend.Storage;
import dev.kiln.engine.backend.UnaryOp;
import dev.kiln.engine.reference.ReferenceBackend;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Kernel-level parity of the native CPU backend against the reference backend, float32. */
class NativeCpuBackendTest {

    private static final double TOL = 1e-4;
    private static NativeCpuBackend cpu;
    private static final ReferenceBackend ref = new ReferenceBackend();
    private final List<Storage> owned = new ArrayList<>();
    private final Random rng = new Random(42);

    @BeforeAll
    static void start() {
        cpu = new NativeCpuBackend(2);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    @AfterEach
    void releaseAll() {
        for (Storage s : owned) {
            s.release();
        }
        owned.clear();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private float[] rand(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return v;
    }

    private Storage nat(DType t, int n) {
        Storage s = cpu.allocate(t, n);
        owned.add(s);
        return s;
    }

    private Storage nat(float[] v) {
        Storage s = nat(DType.FLOAT32, v.length);
        for (int i = 0; i < v.length; i++) {
            s.set(i, v[i]);
        }
        return s;
    }

    private static Storage heap(float[] v) {
        Storage s = Storage.heap(DType.FLOAT32, v.length);
        for (int i = 0; i < v.length; i++) {
            s.set(i, v[i]);
        }
        return s;
    }

    private static double[] read(Storage s) {
        double[] d = new double[s.length()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.get(i);
        }
        return d;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static void close(double[] expected, Storage actual, String what) {
        close(expected, read(actual), what);
    }

    private static void close(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1;
        for (double e : expected) {
            if (Double.isFinite(e)) {
                scale = Math.max(scale, Math.abs(e));
            }
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) || Double.isNaN(a)) {
                assertTrue(Double.isNaN(e) && Double.isNaN(a), what + " at " + i + ": expected " + e + ", got " + a);
                continue;
            }
            if (Double.isInfinite(e)) {
                assertEquals(e, a, what + " at " + i);
                continue;
            }
            if (Math.abs(e - a) > TOL * (scale + Math.abs(e))) {
                fail(what + " at " + i + ": expected " + e + ", got " + a);
            }
        }
    }

    /** The reference result, or the oracle's where the reference has no kernel yet. */
    private static double[] refOr(Supplier<double[]> reference, Supplier<double[]> oracle) {
        try {
            return reference.get();
        } catch (UnsupportedOperationException notYet) {
            return oracle.get();
        }
    }

    // ---- provider and memory -----------------------------------------------------------------------

    @Test
    void providerIsRegisteredAndProbes() {
        BackendProvider found = null;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals("cpu")) {
                found = p;
            }
        }
        assertNotNull(found, "cpu provider registered");
        assertEquals(10, found.rank());
        assertNull(found.probe());
        Backends.Selection sel = Backends.discover().select(null, 1);
        assertEquals("cpu", sel.backend().name());
        assertEquals(1, sel.backend().threads());
        Backend b = found.create(2);
        assertEquals(2, b.threads());
        assertTrue(b.describe().contains("OpenBLAS"), b.describe());
    }

    @Test
    void memoryIsNativeAlignedAndFreed() {
        long before = cpu.nativeBytes();
        long live = cpu.liveStorages();
        List<Storage> list = new ArrayList<>();
        for (DType t : DType.values()) {
            for (int n : new int[]{0, 1, 3, 17, 1000, 100_000}) {
                Storage s = cpu.allocate(t, n);
                Storage z = cpu.allocateZeroed(t, n);
                list.add(s);
                list.add(z);
                assertTrue(s.buffer().isDirect());
                assertEquals(0, s.address() % 64, "aligned");
                assertEquals(n, s.buffer().limit());
                if (n > 0) {
                    assertEquals(s.address(), new Pointer(s.buffer()).address(), "buffer starts at the address");
                    s.set(n - 1, 7);
                    assertEquals(7.0, s.get(n - 1));
                }
                for (int i = 0; i < n; i++) {
                    if (z.get(i) != 0) {
                        fail("allocateZeroed left " + z.get(i) + " at " + i);
                    }
                }
            }
        }
        assertTrue(cpu.nativeBytes() > before + 100_000L * 8 * 2);
        assertEquals(live + list.size(), cpu.liveStorages());
        Storage shared = list.get(5).retain();
        for (Storage s : list) {
            s.release();
        }
        assertTrue(cpu.nativeBytes() > before, "a retained storage stays allocated");
        shared.release();
        assertEquals(before, cpu.nativeBytes(), "native bytes back to the start");
        assertEquals(live, cpu.liveStorages());
    }

    @Test
    void fillAndConvert() {
        for (int n : new int[]{1, 3, 17, 5000}) {
            for (DType t : DType.values()) {
                Storage s = nat(t, n);
                cpu.fill(s, 3.0);
                for (int i = 0; i < n; i++) {
                    assertEquals(3.0, s.get(i));
                }
                cpu.fill(s, 0.0);
                for (int i = 0; i < n; i++) {
                    assertEquals(0.0, s.get(i));
                }
            }
            float[] v = rand(n);
            for (int i = 0; i < n; i++) {
                v[i] *= 1000;
            }
            for (DType from : DType.values()) {
                for (DType to : DType.values()) {
                    Storage src = nat(from, n);
                    Storage hsrc = Storage.heap(from, n);
                    for (int i = 0; i < n; i++) {
                        src.set(i, v[i]);
                        hsrc.set(i, v[i]);
                    }
                    Storage dst = nat(to, n);
                    Storage hdst = Storage.heap(to, n);
                    cpu.convert(src, dst, n);
                    ref.convert(hsrc, hdst, n);
                    for (int i = 0; i < n; i++) {
                        assertEquals(hdst.get(i), dst.get(i), from + "->" + to + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void copyStrided() {
        // permute (2,3,17) -> (17,2,3), slice with offsets, expand, write into a strided destination
        int[][][] cases = {
                // shape, srcStrides, dstStrides, {srcOffset, dstOffset, srcLen, dstLen}
                {{2, 3, 17}, {51, 17, 1}, {51, 17, 1}, {0, 0, 102, 102}},
                {{17, 2, 3}, {1, 51, 17}, {6, 3, 1}, {0, 0, 102, 102}},
                {{3, 5}, {17, 1}, {5, 1}, {4, 0, 60, 15}},
                {{4, 6000}, {0, 1}, {6000, 1}, {0, 0, 6000, 24000}},
                {{4, 33}, {1, 0}, {33, 1}, {0, 0, 4, 132}},
                {{3, 4}, {4, 1}, {10, 1}, {0, 11, 12, 40}},
                {{}, {}, {}, {2, 1, 3, 3}},
                {{1, 1, 5}, {5, 5, 1}, {0, 5, 1}, {0, 0, 5, 5}},
                // transposes large enough for the tiled path: (70, 130)^T, and a batched (3, 65, 9)->(3, 9, 65)
                {{130, 70}, {1, 130}, {70, 1}, {0, 0, 9100, 9100}},
                {{3, 9, 65}, {585, 1, 9}, {585, 65, 1}, {0, 0, 1755, 1755}},
                {{9, 3, 65}, {1, 585, 9}, {195, 65, 1}, {2, 1, 1757, 1756}},
        };
        for (int[][] c : cases) {
            for (DType t : DType.values()) {
                float[] v = rand(c[3][2]);
                Storage src = nat(t, v.length);
                Storage hsrc = Storage.heap(t, v.length);
                for (int i = 0; i < v.length; i++) {
                    src.set(i, v[i] * 100);
                    hsrc.set(i, v[i] * 100);
                }
                Storage dst = nat(t, c[3][3]);
                cpu.fill(dst, -1);
                Storage hdst = Storage.heap(t, c[3][3]);
                ref.fill(hdst, -1);
                cpu.copyStrided(src, c[3][0], c[1], dst, c[3][1], c[2], c[0]);
                ref.copyStrided(hsrc, c[3][0], c[1], hdst, c[3][1], c[2], c[0]);
                for (int i = 0; i < c[3][3]; i++) {
                    assertEquals(hdst.get(i), dst.get(i), t + " copy case at " + i);
                }
            }
        }
    }

    @Test
    void unaryOps() {
        for (int n : new int[]{1, 3, 17, 5000}) {
            float[] v = rand(n);
            for (int i = 0; i < n; i++) {
                v[i] *= 5;
            }
            if (n > 4) {
                v[0] = 0f;
                v[1] = -0f;
                v[2] = Float.NaN;
                v[3] = -1e-30f;
            }
            for (UnaryOp op : UnaryOp.values()) {
                float[] x = v.clone();
                if (op == UnaryOp.LOG || op == UnaryOp.SQRT) {
                    for (int i = 4; i < n; i++) {
                        x[i] = Math.abs(x[i]);
                    }
                }
                Storage out = nat(DType.FLOAT32, n);
                cpu.unary(op, nat(x), out, n);
                Storage hout = Storage.heap(DType.FLOAT32, n);
                ref.unary(op, heap(x), hout, n);
                close(read(hout), out, op + " n=" + n);
            }
        }
    }

    private record BinCase(int[] shape, int[] aShape, int[] bShape) {
    }

    /** Broadcast strides of {@code s} (right-aligned) against {@code out}. */
    private static int[] bstrides(int[] s, int[] out) {
        int[] st = new int[out.length];
        int stride = 1;
        for (int i = s.length - 1; i >= 0; i--) {
            int axis = out.length - s.length + i;
            st[axis] = s[i] == 1 ? 0 : stride;
            stride *= s[i];
        }
        return st;
    }

    private static int numel(int[] s) {
        int n = 1;
        for (int d : s) {
            n *= d;
        }
        return n;
    }

    @Test
    void binaryOpsWithBroadcasting() {
        List<BinCase> cases = List.of(
                new BinCase(new int[]{17}, new int[]{17}, new int[]{17}),
                new BinCase(new int[]{3, 5000}, new int[]{3, 5000}, new int[]{3, 5000}),
                new BinCase(new int[]{3, 17}, new int[]{3, 17}, new int[]{}),
                new BinCase(new int[]{3, 17}, new int[]{1}, new int[]{3, 17}),
                new BinCase(new int[]{128, 10}, new int[]{128, 10}, new int[]{10}),
                new BinCase(new int[]{2, 3, 4, 5}, new int[]{2, 3, 4, 5}, new int[]{1, 3, 1, 1}),
                new BinCase(new int[]{2, 3, 4, 5}, new int[]{3, 1, 1}, new int[]{2, 3, 4, 5}),
                new BinCase(new int[]{3, 1, 5}, new int[]{3, 1, 5}, new int[]{1, 1, 5}),
                new BinCase(new int[]{4, 5}, new int[]{4, 1}, new int[]{1, 5}),
                new BinCase(new int[]{1}, new int[]{1}, new int[]{1}),
                new BinCase(new int[]{}, new int[]{}, new int[]{}),
                new BinCase(new int[]{2, 4097}, new int[]{2, 4097}, new int[]{4097}));
        for (BinCase c : cases) {
            float[] a = rand(numel(c.aShape));
            float[] b = rand(numel(c.bShape));
            if (a.length > 3) {
                a[1] = Float.NaN;
                b[0] = a[0];
            }
            int n = numel(c.shape);
            for (BinaryOp op : BinaryOp.values()) {
                float[] aa = a.clone();
                if (op == BinaryOp.POW) {
                    for (int i = 0; i < aa.length; i++) {
                        aa[i] = Math.abs(aa[i]);
                    }
                }
                Storage out = nat(DType.FLOAT32, n);
                cpu.binary(op, nat(aa), bstrides(c.aShape, c.shape), nat(b), bstrides(c.bShape, c.shape), out, c.shape);
                Storage hout = Storage.heap(DType.FLOAT32, n);
                ref.binary(op, heap(aa), bstrides(c.aShape, c.shape), heap(b), bstrides(c.bShape, c.shape), hout, c.shape);
                close(read(hout), out, op + " " + java.util.Arrays.toString(c.shape));
            }
        }
        // a transposed (non-unit inner stride) operand
        float[] a = rand(15);
        float[] b = rand(15);
        int[] shape = {5, 3};
        Storage out = nat(DType.FLOAT32, 15);
        cpu.binary(BinaryOp.SUB, nat(a), new int[]{1, 5}, nat(b), new int[]{3, 1}, out, shape);
        Storage hout = Storage.heap(DType.FLOAT32, 15);
        ref.binary(BinaryOp.SUB, heap(a), new int[]{1, 5}, heap(b), new int[]{3, 1}, hout, shape);
        close(read(hout), out, "transposed");
    }

    @Test
    void whereSelects() {
        int[] shape = {4, 17, 70};
        int n = numel(shape);
        float[] c = rand(n);
        for (int i = 0; i < n; i++) {
            c[i] = c[i] > 0 ? 1 : 0;
        }
        float[] a = rand(n);
        float[] b = rand(17 * 70);
        int[] full = bstrides(shape, shape);
        int[] bs = bstrides(new int[]{17, 70}, shape);
        Storage out = nat(DType.FLOAT32, n);
        cpu.where(nat(c), full, nat(a), full, nat(b), bs, out, shape);
        Storage hout = Storage.heap(DType.FLOAT32, n);
        ref.where(heap(c), full, heap(a), full, heap(b), bs, hout, shape);
        close(read(hout), out, "where");
    }

    @Test
    void reductions() {
        int[][] dims = {{1, 1, 1}, {3, 17, 1}, {2, 5000, 1}, {1, 3, 17}, {3, 17, 5}, {2, 7, 4100}, {5, 1, 3}, {3001, 28, 1}, {7, 64, 1}, {9, 65, 1}};
        for (int[] d : dims) {
            int total = d[0] * d[1] * d[2];
            float[] x = rand(total);
            for (ReduceOp op : ReduceOp.values()) {
                DType ot = op == ReduceOp.ARGMAX ? DType.INT64 : DType.FLOAT32;
                Storage out = nat(ot, d[0] * d[2]);
                cpu.reduce(op, nat(x), out, d[0], d[1], d[2]);
                Storage hout = Storage.heap(ot, d[0] * d[2]);
                ref.reduce(op, heap(x), hout, d[0], d[1], d[2]);
                close(read(hout), out, op + " " + java.util.Arrays.toString(d));
            }
        }
        // NaN propagates through max and wins argmax
        float[] x = {1, Float.NaN, 3, 2, 5, 4};
        for (int inner : new int[]{1, 2}) {
            int n = 6 / inner;
            for (ReduceOp op : new ReduceOp[]{ReduceOp.MAX, ReduceOp.ARGMAX}) {
                DType ot = op == ReduceOp.ARGMAX ? DType.INT64 : DType.FLOAT32;
                Storage out = nat(ot, inner);
                cpu.reduce(op, nat(x), out, 1, n, inner);
                Storage hout = Storage.heap(ot, inner);
                ref.reduce(op, heap(x), hout, 1, n, inner);
                close(read(hout), out, "nan " + op + " inner " + inner);
            }
        }
    }

    @Test
    void logSoftmaxAndBackward() {
        int[][] dims = {{1, 1, 1}, {3, 17, 1}, {128, 10, 1}, {2, 5000, 1}, {2, 5, 3}};
        for (int[] d : dims) {
            int total = d[0] * d[1] * d[2];
            float[] x = rand(total);
            for (int i = 0; i < total; i++) {
                x[i] *= 10;
            }
            float[] g = rand(total);
            Storage out = nat(DType.FLOAT32, total);
            cpu.logSoftmax(nat(x), out, d[0], d[1], d[2]);
            Storage hout = Storage.heap(DType.FLOAT32, total);
            ref.logSoftmax(heap(x), hout, d[0], d[1], d[2]);
            close(read(hout), out, "log_softmax " + java.util.Arrays.toString(d));
            Storage gin = nat(DType.FLOAT32, total);
            cpu.logSoftmaxBackward(nat(g), out, gin, d[0], d[1], d[2]);
            Storage hgin = Storage.heap(DType.FLOAT32, total);
            ref.logSoftmaxBackward(heap(g), hout, hgin, d[0], d[1], d[2]);
            close(read(hgin), gin, "log_softmax backward " + java.util.Arrays.toString(d));
        }
    }

    @Test
    void matmulAllFlags() {
        matmulAllFlags(cpu);
    }

    @Test
    void matmulThroughOpenBlasSgemm() {
        assertTrue(cpu.describe().contains("dnnl_sgemm"), cpu.describe());
        System.setProperty("kiln.cpu.gemm", "openblas");
        try (NativeCpuBackend b = new NativeCpuBackend(2)) {
            assertTrue(b.describe().contains("cblas_sgemm"), b.describe());
            matmulAllFlags(b);
        } finally {
            System.clearProperty("kiln.cpu.gemm");
        }
    }

    private void matmulAllFlags(NativeCpuBackend cpu) {
        int[][] sizes = {{1, 1, 1, 1}, {1, 3, 17, 5}, {3, 17, 3, 1}, {2, 33, 17, 65}, {4, 1, 64, 3}};
        for (int[] s : sizes) {
            int batch = s[0];
            int m = s[1];
            int k = s[2];
            int n = s[3];
            for (int flags = 0; flags < 16; flags++) {
                boolean aB = (flags & 1) != 0;
                boolean bB = (flags & 2) != 0;
                boolean tA = (flags & 4) != 0;
                boolean tB = (flags & 8) != 0;
                float[] a = rand((aB ? batch : 1) * m * k);
                float[] b = rand((bB ? batch : 1) * k * n);
                for (DType t : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
                    Storage na = nat(t, a.length);
                    Storage nb = nat(t, b.length);
                    Storage ha = Storage.heap(t, a.length);
                    Storage hb = Storage.heap(t, b.length);
                    for (int i = 0; i < a.length; i++) {
                        na.set(i, a[i]);
                        ha.set(i, a[i]);
                    }
                    for (int i = 0; i < b.length; i++) {
                        nb.set(i, b[i]);
                        hb.set(i, b[i]);
                    }
                    Storage out = nat(t, batch * m * n);
                    Storage hout = Storage.heap(t, batch * m * n);
                    cpu.matmul(na, aB, tA, nb, bB, tB, out, batch, m, k, n);
                    ref.matmul(ha, aB, tA, hb, bB, tB, hout, batch, m, k, n);
                    close(read(hout), out, t + " matmul " + java.util.Arrays.toString(s) + " flags " + flags);
                }
            }
        }
        // k == 0 gives zeros
        Storage out = nat(DType.FLOAT32, 6);
        cpu.fill(out, 5);
        cpu.matmul(nat(DType.FLOAT32, 0), false, false, nat(DType.FLOAT32, 0), false, false, out, 1, 2, 0, 3);
        close(new double[6], out, "k=0");
    }

    // ---- convolution ---------------------------------------------------------------------------

    static ConvGeometry geometry(int n, int cIn, int h, int w, int cOut, int kH, int kW, Conv2dOptions o) {
        int outH = (h + 2 * o.padH() - o.dilationH() * (kH - 1) - 1) / o.strideH() + 1;
        int outW = (w + 2 * o.padW() - o.dilationW() * (kW - 1) - 1) / o.strideW() + 1;
        return new ConvGeometry(n, cIn, h, w, cOut, kH, kW, outH, outW, o);
    }

    static List<ConvGeometry> convCases() {
        List<ConvGeometry> list = new ArrayList<>();
        list.add(geometry(1, 1, 1, 1, 1, 1, 1, Conv2dOptions.DEFAULT));
        list.add(geometry(2, 3, 17, 17, 5, 3, 3, Conv2dOptions.DEFAULT));
        list.add(geometry(3, 1, 28, 28, 6, 5, 5, Conv2dOptions.of(1, 2)));
        list.add(geometry(2, 6, 14, 14, 16, 5, 5, Conv2dOptions.DEFAULT));
        list.add(geometry(2, 4, 9, 11, 8, 3, 2, new Conv2dOptions(2, 3, 1, 0, 1, 1, 1)));
        list.add(geometry(1, 3, 17, 13, 4, 3, 3, new Conv2dOptions(1, 1, 2, 1, 2, 3, 1)));
        list.add(geometry(2, 4, 10, 10, 6, 3, 3, Conv2dOptions.of(1, 1).withGroups(2)));
        list.add(geometry(1, 8, 7, 7, 8, 3, 3, Conv2dOptions.of(2, 1).withGroups(8)));
        list.add(geometry(1, 6, 12, 12, 9, 3, 3, new Conv2dOptions(2, 2, 1, 1, 2, 2, 3)));
        list.add(geometry(2, 16, 8, 8, 32, 3, 3, Conv2dOptions.of(1, 1)));
        list.add(geometry(1, 3, 5, 5, 2, 5, 5, Conv2dOptions.of(1, 2)));
        list.add(geometry(1, 2, 3, 3, 3, 1, 1, Conv2dOptions.of(3, 0)));
        // conv_transpose(8 -> 4, k4 s2 p1) of a 7x7 input, as its backward-input pass (output 14x14)
        list.add(new ConvGeometry(2, 4, 14, 14, 8, 4, 4, 7, 7, Conv2dOptions.of(2, 1)));
        // output_padding 1: the transposed output has one row/column more than the floor formula needs
        list.add(new ConvGeometry(1, 3, 8, 8, 5, 3, 3, 4, 4, Conv2dOptions.of(2, 1)));
        list.add(new ConvGeometry(1, 3, 6, 6, 5, 3, 3, 2, 2, Conv2dOptions.of(2, 0)));
        return list;
    }

    @Test
    void conv2dForwardAndBackwardMatchReference() {
        for (ConvGeometry g : convCases()) {
            int xs = g.n() * g.cIn() * g.h() * g.w();
            int ws = g.cOut() * g.cInPerGroup() * g.kH() * g.kW();
            int ys = g.n() * g.cOut() * g.outH() * g.outW();
            float[] x = rand(xs);
            float[] w = rand(ws);
            float[] b = rand(g.cOut());
            float[] gy = rand(ys);
            for (boolean withBias : new boolean[]{true, false}) {
                Storage out = nat(DType.FLOAT32, ys);
                cpu.conv2d(nat(x), nat(w), withBias ? nat(b) : null, out, g);
                double[] expected = refOr(() -> {
                    Storage h = Storage.heap(DType.FLOAT32, ys);
                    ref.conv2d(heap(x), heap(w), withBias ? heap(b) : null, h, g);
                    return read(h);
                }, () -> Oracle.conv(toDouble(x), toDouble(w), withBias ? toDouble(b) : null, g));
                close(expected, out, "conv2d bias=" + withBias + " " + g);
            }
            Storage gx = nat(DType.FLOAT32, xs);
            cpu.fill(gx, 9);
            cpu.conv2dBackwardInput(nat(gy), nat(w), gx, g);
            double[] egx = refOr(() -> {
                Storage h = Storage.heap(DType.FLOAT32, xs);
                ref.conv2dBackwardInput(heap(gy), heap(w), h, g);
                return read(h);
            }, () -> Oracle.convBackwardInput(toDouble(gy), toDouble(w), g));
            close(egx, gx, "conv2d backward input " + g);
            Storage gw = nat(DType.FLOAT32, ws);
            cpu.fill(gw, 9);
            cpu.conv2dBackwardWeight(nat(x), nat(gy), gw, g);
            double[] egw = refOr(() -> {
                Storage h = Storage.heap(DType.FLOAT32, ws);
                ref.conv2dBackwardWeight(heap(x), heap(gy), h, g);
                return read(h);
            }, () -> Oracle.convBackwardWeight(toDouble(x), toDouble(gy), g));
            close(egw, gw, "conv2d backward weight " + g);
        }
    }

    @Test
    void everyLayoutMatchesTheOracleAndPlansAreCached() {
        List<ConvGeometry> geometries = List.of(
                geometry(2, 8, 12, 12, 16, 3, 3, Conv2dOptions.of(1, 1)),
                geometry(2, 1, 11, 11, 5, 5, 5, Conv2dOptions.of(2, 2)),
                geometry(1, 6, 9, 9, 9, 3, 3, Conv2dOptions.of(1, 1).withGroups(3)));
        for (DnnlConv.Layout layout : DnnlConv.Layout.values()) {
            DnnlConv.Layout[] ls = {layout, layout, layout, layout};
            try (NativeCpuBackend b = new NativeCpuBackend(1, ls)) {
                for (ConvGeometry g : geometries) {
                    int xs = g.n() * g.cIn() * g.h() * g.w();
                    int ws = g.cOut() * g.cInPerGroup() * g.kH() * g.kW();
                    int ys = g.n() * g.cOut() * g.outH() * g.outW();
                    float[] x = rand(xs);
                    float[] w = rand(ws);
                    float[] bias = rand(g.cOut());
                    float[] gy = rand(ys);
                    for (int rep = 0; rep < 2; rep++) {
                        Storage out = nat(DType.FLOAT32, ys);
                        Storage gx = nat(DType.FLOAT32, xs);
                        Storage gw = nat(DType.FLOAT32, ws);
                        b.conv2d(nat(x), nat(w), nat(bias), out, g);
                        b.conv2dBackwardInput(nat(gy), nat(w), gx, g);
                        b.conv2dBackwardWeight(nat(x), nat(gy), gw, g);
                        String what = layout + " " + g;
                        close(Oracle.conv(toDouble(x), toDouble(w), toDouble(bias), g), out, "forward " + what);
                        close(Oracle.convBackwardInput(toDouble(gy), toDouble(w), g), gx, "backward input " + what);
                        close(Oracle.convBackwardWeight(toDouble(x), toDouble(gy), g), gw, "backward weight " + what);
                    }
                }
                assertEquals(3 * geometries.size(), b.conv.planCount(), "one plan per pass and geometry, reused");
                assertTrue(b.cacheBytes() > 0 == (layout != DnnlConv.Layout.PLAIN), "internal buffers only for blocked layouts");
            }
        }
    }

    @Test
    void repeatedCallsAreBitIdentical() {
        ConvGeometry g = geometry(8, 16, 14, 14, 32, 3, 3, Conv2dOptions.of(1, 1));
        int xs = g.n() * g.cIn() * g.h() * g.w();
        int ws = g.cOut() * g.cIn() * 9;
        int ys = g.n() * g.cOut() * g.outH() * g.outW();
        Storage x = nat(rand(xs));
        Storage w = nat(rand(ws));
        Storage b = nat(rand(g.cOut()));
        Storage gy = nat(rand(ys));
        Storage m = nat(rand(300 * 200));
        double[][] first = null;
        for (int rep = 0; rep < 3; rep++) {
            Storage y = nat(DType.FLOAT32, ys);
            Storage gx = nat(DType.FLOAT32, xs);
            Storage gw = nat(DType.FLOAT32, ws);
            Storage mm = nat(DType.FLOAT32, 300 * 300);
            Storage sum = nat(DType.FLOAT32, 200);
            cpu.conv2d(x, w, b, y, g);
            cpu.conv2dBackwardInput(gy, w, gx, g);
            cpu.conv2dBackwardWeight(x, gy, gw, g);
            cpu.matmul(m, false, false, m, false, true, mm, 1, 300, 200, 300);
            cpu.reduce(ReduceOp.SUM, m, sum, 1, 300, 200);
            double[][] now = {read(y), read(gx), read(gw), read(mm), read(sum)};
            if (first == null) {
                first = now;
            } else {
                for (int i = 0; i < now.length; i++) {
                    assertTrue(java.util.Arrays.equals(first[i], now[i]), "result " + i + " differs between identical calls");
                }
            }
        }
    }

    @Test
    void planCacheIsBounded() {
        try (NativeCpuBackend b = new NativeCpuBackend(1)) {
            for (int n = 1; n <= DnnlConv.MAX_GEOMETRIES + 10; n++) {
                ConvGeometry g = geometry(n, 1, 3, 3, 1, 1, 1, Conv2dOptions.DEFAULT);
                b.conv2d(nat(rand(n * 9)), nat(new float[]{2f}), null, nat(DType.FLOAT32, n * 9), g);
            }
            assertTrue(b.conv.planCount() <= DnnlConv.MAX_GEOMETRIES, "plans: " + b.conv.planCount());
        }
    }

    // ---- fused optimizer updates ------------------------------------------------------------------------

    @Test
    void adamStepMatchesTheReference() {
        for (int n : new int[]{1, 17, 5000}) {
            float[] w = rand(n);
            float[] g = rand(n);
            float[] m = rand(n);
            float[] v = rand(n);
            for (int i = 0; i < n; i++) {
                v[i] = Math.abs(v[i]) * 0.01f;
            }
            Storage nw = nat(w);
            Storage nm = nat(m);
            Storage nv = nat(v);
            cpu.adamStep(nw, nat(g), nm, nv, n, 0.9, 0.999, 1e-8, 0.01 / 0.1, Math.sqrt(0.001));
            Storage hw = heap(w);
            Storage hm = heap(m);
            Storage hv = heap(v);
            ref.adamStep(hw, heap(g), hm, hv, n, 0.9, 0.999, 1e-8, 0.01 / 0.1, Math.sqrt(0.001));
            close(read(hm), nm, "adam m n=" + n);
            close(read(hv), nv, "adam v n=" + n);
            close(read(hw), nw, "adam w n=" + n);
        }
    }

    // ---- Java kernels split across threads ------------------------------------------------------------

    /** Runs {@code op} on a one-thread backend and on {@code cpu} (2 threads) and demands the same bits. */
    private void sameOnOneThread(String what, int n, java.util.function.BiConsumer<NativeCpuBackend, Storage> op) {
        try (NativeCpuBackend one = new NativeCpuBackend(1)) {
            Storage single = one.allocate(DType.FLOAT32, n);
            Storage split = nat(DType.FLOAT32, n);
            try {
                op.accept(one, single);
                op.accept(cpu, split);
                double[] a = read(single);
                double[] b = read(split);
                for (int i = 0; i < n; i++) {
                    if (Double.doubleToRawLongBits(a[i]) != Double.doubleToRawLongBits(b[i])) {
                        fail(what + ": element " + i + " is " + b[i] + " on 2 threads, " + a[i] + " on one");
                    }
                }
            } finally {
                single.release();
            }
        }
    }

    @Test
    void largeKernelsSplitAcrossThreadsGiveTheOneThreadResult() {
        int n = 300_001; // above Parallel.MIN_WORK, odd so the ranges are uneven
        float[] x = rand(n);
        float[] y = rand(n);
        for (UnaryOp op : new UnaryOp[]{UnaryOp.RELU, UnaryOp.STEP, UnaryOp.EXP, UnaryOp.SQRT}) {
            sameOnOneThread("unary " + op, n, (b, out) -> b.unary(op, nat(x), out, n));
        }
        sameOnOneThread("binary contiguous", n, (b, out) -> b.binary(BinaryOp.MUL, nat(x), new int[]{1}, nat(y), new int[]{1}, out, new int[]{n}));
        // a conv bias (1, 64, 1, 1) over (16, 64, 24, 24), a row vector over rows shorter than a chunk, a transposed operand
        int[] act = {16, 64, 24, 24};
        int na = numel(act);
        float[] bias = rand(64);
        float[] activations = rand(na);
        sameOnOneThread("binary channel broadcast", na, (b, out) -> b.binary(BinaryOp.ADD, nat(activations), bstrides(act, act),
                nat(bias), bstrides(new int[]{1, 64, 1, 1}, act), out, act));
        int[] rows = {10_007, 10};
        float[] row = rand(10);
        float[] m = rand(100_070);
        sameOnOneThread("binary row broadcast", 100_070, (b, out) -> b.binary(BinaryOp.SUB, nat(m), bstrides(rows, rows),
                nat(row), bstrides(new int[]{10}, rows), out, rows));
        int[] t = {500, 301};
        float[] mt = rand(150_500);
        sameOnOneThread("binary transposed", 150_500, (b, out) -> b.binary(BinaryOp.DIV, nat(mt), new int[]{1, 500}, nat(mt),
                new int[]{301, 1}, out, t));
        float[] m0 = rand(n);
        float[] v0 = rand(n);
        for (int i = 0; i < n; i++) {
            v0[i] = Math.abs(v0[i]) * 0.01f;
        }
        for (int which = 0; which < 3; which++) { // w, m and v after one step
            int slot = which;
            sameOnOneThread("adam step slot " + slot, n, (b, out) -> {
                Storage w = nat(x);
                Storage mom = nat(m0);
                Storage v = nat(v0);
                b.adamStep(w, nat(y), mom, v, n, 0.9, 0.999, 1e-8, 1e-3 / 0.19, Math.sqrt(0.002997));
                b.copyStrided(slot == 0 ? w : slot == 1 ? mom : v, 0, new int[]{1}, out, 0, new int[]{1}, new int[]{n});
            });
        }
        for (Pool2dOptions o : List.of(Pool2dOptions.of(2), Pool2dOptions.of(3, 2, 1))) {
            PoolGeometry g = pool(16, 64, 24, 24, o);
            int xs = g.planes() * g.h() * g.w();
            int ys = g.planes() * g.outH() * g.outW();
            float[] px = rand(xs);
            float[] gy = rand(ys);
            Storage idx = nat(DType.INT64, ys);
            cpu.maxPool2d(nat(px), nat(DType.FLOAT32, ys), idx, g);
            sameOnOneThread("max pool " + o, ys, (b, out) -> b.maxPool2d(nat(px), out, nat(DType.INT64, ys), g));
            sameOnOneThread("max pool backward " + o, xs, (b, gx) -> {
                b.fill(gx, 0);
                b.maxPool2dBackward(nat(gy), idx, gx, g);
            });
        }
    }

    // ---- pooling --------------------------------------------------------------------------------

    static PoolGeometry pool(int n, int c, int h, int w, Pool2dOptions o) {
        int outH = poolOut(h, o.kernelH(), o.strideH(), o.padH(), o.ceilMode());
        int outW = poolOut(w, o.kernelW(), o.strideW(), o.padW(), o.ceilMode());
        return new PoolGeometry(n, c, h, w, outH, outW, o);
    }

    private static int poolOut(int in, int k, int s, int p, boolean ceil) {
        int num = in + 2 * p - k;
        int out = (ceil ? (num + s - 1) / s : num / s) + 1;
        if (ceil && (out - 1) * s >= in + p) {
            out--;
        }
        return out;
    }

    @Test
    void poolingMatchesReference() {
        List<PoolGeometry> cases = List.of(
                pool(2, 3, 28, 28, Pool2dOptions.of(2)),
                pool(1, 2, 17, 17, Pool2dOptions.of(3, 2, 1)),
                pool(1, 1, 1, 1, Pool2dOptions.of(1)),
                pool(2, 2, 7, 9, Pool2dOptions.of(2).withCeilMode(true)),
                pool(1, 3, 10, 11, new Pool2dOptions(3, 2, 2, 1, 1, 1, true)),
                pool(1, 1, 5, 5, Pool2dOptions.of(3, 3, 1).withCeilMode(true)));
        for (PoolGeometry g : cases) {
            int xs = g.planes() * g.h() * g.w();
            int ys = g.planes() * g.outH() * g.outW();
            float[] x = rand(xs);
            float[] gy = rand(ys);
            Storage out = nat(DType.FLOAT32, ys);
            Storage idx = nat(DType.INT64, ys);
            Storage nx = nat(x);
            cpu.maxPool2d(nx, out, idx, g);
            double[][] expected = refOr2(() -> {
                Storage h = Storage.heap(DType.FLOAT32, ys);
                Storage hi = Storage.heap(DType.INT64, ys);
                ref.maxPool2d(heap(x), h, hi, g);
                return new double[][]{read(h), read(hi)};
            }, () -> Oracle.maxPool(toDouble(x), g));
            close(expected[0], out, "max pool " + g);
            close(expected[1], idx, "max pool indices " + g);
            Storage gx = nat(DType.FLOAT32, xs);
            cpu.fill(gx, 0);
            cpu.maxPool2dBackward(nat(gy), idx, gx, g);
            double[] egx = new double[xs];
            for (int i = 0; i < ys; i++) {
                int plane = i / (g.outH() * g.outW());
                egx[plane * g.h() * g.w() + (int) expected[1][i]] += gy[i];
            }
            close(egx, gx, "max pool backward " + g);
            for (boolean include : new boolean[]{true, false}) {
                Storage aout = nat(DType.FLOAT32, ys);
                cpu.avgPool2d(nx, aout, g, include);
                double[] ea = refOr(() -> {
                    Storage h = Storage.heap(DType.FLOAT32, ys);
                    ref.avgPool2d(heap(x), h, g, include);
                    return read(h);
                }, () -> Oracle.avgPool(toDouble(x), g, include));
                close(ea, aout, "avg pool include=" + include + " " + g);
                Storage agx = nat(DType.FLOAT32, xs);
                cpu.fill(agx, 0);
                cpu.avgPool2dBackward(nat(gy), agx, g, include);
                double[] eag = refOr(() -> {
                    Storage h = Storage.heap(DType.FLOAT32, xs);
                    ref.avgPool2dBackward(heap(gy), h, g, include);
                    return read(h);
                }, () -> Oracle.avgPoolBackward(toDouble(gy), g, include));
                close(eag, agx, "avg pool backward include=" + include + " " + g);
            }
        }
    }

    private static double[][] refOr2(Supplier<double[][]> reference, Supplier<double[][]> oracle) {
        try {
            return reference.get();
        } catch (UnsupportedOperationException notYet) {
            return oracle.get();
        }
    }
}
