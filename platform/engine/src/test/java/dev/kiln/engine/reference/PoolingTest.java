package dev.kiln.engine.reference;

import static dev.kiln.engine.reference.KernelTestData.dot;
import static dev.kiln.engine.reference.KernelTestData.filled;
import static dev.kiln.engine.reference.KernelTestData.random;
import static dev.kiln.engine.reference.KernelTestData.storage;
import static dev.kiln.engine.reference.KernelTestData.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Pool2dOptions;
import dev.kiln.engine.backend.PoolGeometry;
import dev.kiln.engine.backend.Storage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PoolingTest {

    private static final double EXACT = 1e-12;

    /** A 1x1x4x4 input; flat index = 4*row + col. */
    private static Storage x4() {
        return storage(
                1, 5, 2, 0,
                3, 4, 8, 7,
                6, 0, 1, 2,
                9, 2, 3, 4);
    }

    private static long[] longs(Storage s) {
        long[] v = new long[s.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = s.getLong(i);
        }
        return v;
    }

    private static Storage indices(long... v) {
        Storage s = Storage.heap(DType.INT64, v.length);
        for (int i = 0; i < v.length; i++) {
            s.setLong(i, v[i]);
        }
        return s;
    }

    // ---- max pooling ------------------------------------------------------------------------------

    @Test
    void maxPoolTwoByTwoPicksWindowMaximaAndTheirFlatIndicesWithinThePlane() {
        Storage out = Storage.heap(DType.FLOAT64, 4);
        Storage idx = Storage.heap(DType.INT64, 4);
        Pooling.maxForward(x4(), out, idx, new PoolGeometry(1, 1, 4, 4, 2, 2, Pool2dOptions.of(2)));
        assertArrayEquals(new double[] {5, 8, 9, 4}, values(out), EXACT);
        assertArrayEquals(new long[] {1, 6, 12, 15}, longs(idx));
    }

    @Test
    void maxPoolIndicesAreRelativeToEachPlane() {
        // Two planes: the second plane's indices restart at 0.
        double[] xs = new double[32];
        for (int i = 0; i < 16; i++) {
            xs[i] = x4().get(i);
            xs[16 + i] = -x4().get(i);
        }
        Storage out = Storage.heap(DType.FLOAT64, 8);
        Storage idx = Storage.heap(DType.INT64, 8);
        Pooling.maxForward(storage(xs), out, idx, new PoolGeometry(1, 2, 4, 4, 2, 2, Pool2dOptions.of(2)));
        assertArrayEquals(new double[] {5, 8, 9, 4, -1, 0, 0, -1}, values(out), EXACT);
        assertArrayEquals(new long[] {1, 6, 12, 15, 0, 3, 9, 10}, longs(idx));
    }

    @Test
    void ceilModeKeepsAPartialLastWindowAndOverlappingGradientsAdd() {
        // kernel 3, stride 2 on 4x4: floor mode gives 1x1, ceil mode 2x2 with last windows of rows/cols 2..3.
        PoolGeometry g = new PoolGeometry(1, 1, 4, 4, 2, 2, new Pool2dOptions(3, 3, 2, 2, 0, 0, true));
        Storage out = Storage.heap(DType.FLOAT64, 4);
        Storage idx = Storage.heap(DType.INT64, 4);
        Pooling.maxForward(x4(), out, idx, g);
        assertArrayEquals(new double[] {8, 8, 9, 4}, values(out), EXACT);
        assertArrayEquals(new long[] {6, 6, 12, 15}, longs(idx));

        Storage gradIn = Storage.heap(DType.FLOAT64, 16);
        Pooling.maxBackward(storage(1, 2, 3, 4), idx, gradIn, g);
        double[] expected = new double[16];
        expected[6] = 1 + 2;
        expected[12] = 3;
        expected[15] = 4;
        assertArrayEquals(expected, values(gradIn), EXACT);
    }

    @Test
    void maxPoolPaddingIsNeverSelectedAndTiesPickTheFirstMaximumInRowMajorOrder() {
        // All -1: zero padding would win if padding were read as 0; every window ties.
        Storage x = storage(-1, -1, -1, -1);
        PoolGeometry g = new PoolGeometry(1, 1, 2, 2, 3, 3, new Pool2dOptions(2, 2, 1, 1, 1, 1, false));
        Storage out = Storage.heap(DType.FLOAT64, 9);
        Storage idx = Storage.heap(DType.INT64, 9);
        Pooling.maxForward(x, out, idx, g);
        assertArrayEquals(filledArray(9, -1), values(out), EXACT);
        assertArrayEquals(new long[] {0, 0, 1, 0, 0, 1, 2, 2, 3}, longs(idx));
    }

    @Test
    void maxPoolOfOnlyNegativeInfinityReportsTheFirstInBoundsPosition() {
        double inf = Double.NEGATIVE_INFINITY;
        Storage out = Storage.heap(DType.FLOAT64, 1);
        Storage idx = Storage.heap(DType.INT64, 1);
        Pooling.maxForward(storage(inf, inf, inf, inf), out, idx, new PoolGeometry(1, 1, 2, 2, 1, 1, Pool2dOptions.of(2)));
        assertEquals(inf, out.get(0));
        assertEquals(0L, idx.getLong(0));
    }

    @Test
    void maxPoolPropagatesNaNAndTheLastNaNOfTheWindowWinsAsInPyTorch() {
        // PyTorch replaces the running max when (val > max || isnan(val)), so each later NaN takes over.
        PoolGeometry g = new PoolGeometry(1, 1, 2, 2, 1, 1, Pool2dOptions.of(2));
        Storage out = Storage.heap(DType.FLOAT64, 1);
        Storage idx = Storage.heap(DType.INT64, 1);
        Pooling.maxForward(storage(1, Double.NaN, 3, 2), out, idx, g);
        assertTrue(Double.isNaN(out.get(0)));
        assertEquals(1L, idx.getLong(0));

        Pooling.maxForward(storage(Double.NaN, 5, Double.NaN, 2), out, idx, g);
        assertTrue(Double.isNaN(out.get(0)));
        assertEquals(2L, idx.getLong(0));
    }

    @Test
    void maxPoolBackwardIsTheAdjointOfGatheringAtTheForwardIndices() {
        Random rnd = new Random(3);
        PoolGeometry g = new PoolGeometry(2, 3, 7, 6, 4, 3, new Pool2dOptions(3, 2, 2, 2, 1, 1, true));
        int in = g.planes() * 7 * 6, out = g.planes() * 4 * 3;
        Storage x = random(rnd, in);
        Storage pooled = Storage.heap(DType.FLOAT64, out);
        Storage idx = Storage.heap(DType.INT64, out);
        Pooling.maxForward(x, pooled, idx, g);

        // At fixed indices the forward is the linear gather v -> v[idx]; check <gather(v), y> == <v, backward(y)>.
        Storage v = random(rnd, in);
        Storage y = random(rnd, out);
        Storage gathered = Storage.heap(DType.FLOAT64, out);
        for (int p = 0; p < g.planes(); p++) {
            for (int i = 0; i < 12; i++) {
                gathered.set(p * 12 + i, v.get(p * 42 + (int) idx.getLong(p * 12 + i)));
                assertEquals(pooled.get(p * 12 + i), x.get(p * 42 + (int) idx.getLong(p * 12 + i)));
            }
        }
        Storage gradIn = Storage.heap(DType.FLOAT64, in);
        Pooling.maxBackward(y, idx, gradIn, g);
        assertEquals(dot(gathered, y), dot(v, gradIn), 1e-10);
    }

    // ---- average pooling --------------------------------------------------------------------------

    @Test
    void avgPoolTwoByTwoAveragesEachWindow() {
        Storage out = Storage.heap(DType.FLOAT64, 4);
        Pooling.avgForward(x4(), out, new PoolGeometry(1, 1, 4, 4, 2, 2, Pool2dOptions.of(2)), true);
        assertArrayEquals(new double[] {13 / 4.0, 17 / 4.0, 17 / 4.0, 10 / 4.0}, values(out), EXACT);
    }

    @Test
    void countIncludePadDividesByTheFullKernelOtherwiseByTheInBoundsArea() {
        // kernel 3, stride 2, padding 1 on 4x4 -> 2x2; window rows (and cols) [-1,2) and [1,4).
        PoolGeometry g = new PoolGeometry(1, 1, 4, 4, 2, 2, Pool2dOptions.of(3, 2, 1));
        Storage out = Storage.heap(DType.FLOAT64, 4);
        Pooling.avgForward(x4(), out, g, true);
        assertArrayEquals(new double[] {13 / 9.0, 26 / 9.0, 24 / 9.0, 31 / 9.0}, values(out), EXACT);
        Pooling.avgForward(x4(), out, g, false);
        assertArrayEquals(new double[] {13 / 4.0, 26 / 6.0, 24 / 6.0, 31 / 9.0}, values(out), EXACT);
    }

    @Test
    void ceilModeWindowPastTheRightPaddingCountsOnlyUpToThePadding() {
        // kernel 3, stride 2, padding 1, ceil mode on 4x4 -> 3x3. Window rows: [-1,2), [1,4), [3,6) which
        // PyTorch first cuts to [3,5) (input + padding): pool sizes per axis 3, 3, 2, not 3, 3, 3.
        PoolGeometry g = new PoolGeometry(1, 1, 4, 4, 3, 3, new Pool2dOptions(3, 3, 2, 2, 1, 1, true));
        Storage out = Storage.heap(DType.FLOAT64, 9);
        Pooling.avgForward(x4(), out, g, true);
        assertArrayEquals(new double[] {
                13 / 9.0, 26 / 9.0, 7 / 6.0,
                24 / 9.0, 31 / 9.0, 13 / 6.0,
                11 / 6.0, 9 / 6.0, 4 / 4.0}, values(out), EXACT);
        Pooling.avgForward(x4(), out, g, false);
        assertArrayEquals(new double[] {
                13 / 4.0, 26 / 6.0, 7 / 2.0,
                24 / 6.0, 31 / 9.0, 13 / 3.0,
                11 / 2.0, 9 / 3.0, 4 / 1.0}, values(out), EXACT);
    }

    @Test
    void avgPoolBackwardIsTheAdjointOfTheForwardWithCeilModeAndBothPaddingCounts() {
        Random rnd = new Random(11);
        // 7x6, kernel (3, 2), stride 2, padding 1, ceil mode: outputs 4x4, the last column window partial.
        int h = 7, w = 6;
        Pool2dOptions o = new Pool2dOptions(3, 2, 2, 2, 1, 1, true);
        int outH = ceilOut(h, 3, 2, 1), outW = ceilOut(w, 2, 2, 1);
        PoolGeometry g = new PoolGeometry(2, 2, h, w, outH, outW, o);
        for (boolean countIncludePad : new boolean[] {true, false}) {
            Storage x = random(rnd, g.planes() * h * w);
            Storage y = random(rnd, g.planes() * outH * outW);
            Storage out = Storage.heap(DType.FLOAT64, y.length());
            Pooling.avgForward(x, out, g, countIncludePad);
            Storage gradIn = Storage.heap(DType.FLOAT64, x.length());
            Pooling.avgBackward(y, gradIn, g, countIncludePad);
            assertEquals(dot(out, y), dot(x, gradIn), 1e-10, "countIncludePad=" + countIncludePad);
        }
    }

    /** PyTorch's ceil-mode output size, dropping a last window that would start in the right padding. */
    private static int ceilOut(int in, int k, int s, int pad) {
        int out = (in + 2 * pad - k + s - 1) / s + 1;
        if ((out - 1) * s >= in + pad) {
            out--;
        }
        return out;
    }

    // ---- max unpooling ----------------------------------------------------------------------------

    @Test
    void unpoolWritesEachValueAtItsIndexInItsPlane() {
        Storage x = storage(5, 8, 9, 4, /* plane 1 */ -1, -2, -3, -4);
        Storage idx = indices(1, 6, 12, 15, /* plane 1 */ 0, 3, 9, 10);
        Storage out = Storage.heap(DType.FLOAT64, 32);
        Pooling.unpool(x, idx, out, 2, 4, 16);
        double[] expected = new double[32];
        expected[1] = 5;
        expected[6] = 8;
        expected[12] = 9;
        expected[15] = 4;
        expected[16] = -1;
        expected[19] = -2;
        expected[25] = -3;
        expected[26] = -4;
        assertArrayEquals(expected, values(out), EXACT);
    }

    @Test
    void unpoolLastWriteWinsOnDuplicateIndices() {
        Storage out = Storage.heap(DType.FLOAT64, 4);
        Pooling.unpool(storage(1, 2, 3), indices(2, 2, 0), out, 1, 3, 4);
        assertArrayEquals(new double[] {3, 0, 2, 0}, values(out), EXACT);
    }

    @Test
    void unpoolRejectsAnIndexOutsideTheOutputPlaneNamingTheIndexAndThePlaneSize() {
        Storage out = Storage.heap(DType.FLOAT64, 8);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Pooling.unpool(storage(1, 2), indices(1, 4), out, 2, 1, 4));
        assertTrue(e.getMessage().contains("index 4"), e.getMessage());
        assertTrue(e.getMessage().contains("size 4"), e.getMessage());
        IndexOutOfBoundsException negative = assertThrows(IndexOutOfBoundsException.class,
                () -> Pooling.unpoolBackward(out, indices(-1, 0), Storage.heap(DType.FLOAT64, 2), 2, 1, 4));
        assertTrue(negative.getMessage().contains("index -1"), negative.getMessage());
    }

    @Test
    void unpoolBackwardGathersAtTheIndicesAndIsTheAdjointOfUnpool() {
        Storage gradIn = filled(2, Double.NaN);
        Pooling.unpoolBackward(storage(10, 11, 12, 13, 20, 21, 22, 23), indices(3, 1), gradIn, 2, 1, 4);
        assertArrayEquals(new double[] {13, 21}, values(gradIn), EXACT);

        // Distinct indices per plane (as max pooling without overlap produces) make unpool linear.
        Random rnd = new Random(5);
        int planes = 3, inPlane = 6, outPlane = 20;
        Storage idx = Storage.heap(DType.INT64, planes * inPlane);
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < inPlane; i++) {
                idx.setLong(p * inPlane + i, (7L * i + 3 * p) % outPlane);
            }
        }
        Storage x = random(rnd, planes * inPlane);
        Storage y = random(rnd, planes * outPlane);
        Storage out = Storage.heap(DType.FLOAT64, y.length());
        Pooling.unpool(x, idx, out, planes, inPlane, outPlane);
        Storage back = filled(x.length(), Double.NaN);
        Pooling.unpoolBackward(y, idx, back, planes, inPlane, outPlane);
        assertEquals(dot(out, y), dot(x, back), 1e-10);
    }

    private static double[] filledArray(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
