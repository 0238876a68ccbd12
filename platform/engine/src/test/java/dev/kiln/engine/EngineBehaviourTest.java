package dev.kiln.engine;

import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Pool2dOptions;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.engine.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Semantics of the tensor API beyond single-op gradients: broadcasting, scopes, grad mode, errors. */
class EngineBehaviourTest {

    private final Engine t = Engine.reference();

    @Test
    void broadcastingAddsARowToEveryRow() {
        Tensor a = t.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = t.of(new float[] {10, 20, 30}, 3);
        assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, a.add(b).toFloatArray());
    }

    @Test
    void incompatibleShapesNameBothShapesAndTheAxis() {
        Tensor a = t.zeros(DType.FLOAT32, 2, 3);
        Tensor b = t.zeros(DType.FLOAT32, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Tensor x = t.of(new double[] {1, 2}, 2).requiresGrad(true);
        x.mul(3.0).sum().backward();
        x.mul(3.0).sum().backward();
        assertArrayEquals(new double[] {6, 6}, x.grad().toDoubleArray());
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = t.of(new double[] {3}, 1).requiresGrad(true);
        x.mul(x).add(x).sum().backward(); // d(x^2 + x) = 2x + 1
        assertEquals(7.0, x.grad().item());
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = t.of(new double[] {1}, 1).requiresGrad(true);
        try (GradMode off = t.noGrad()) {
            Tensor y = x.mul(2.0);
            assertFalse(y.requiresGrad());
            assertFalse(t.isGradEnabled());
        }
        assertTrue(t.isGradEnabled());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = t.of(new double[] {2}, 1).requiresGrad(true);
        Tensor y = x.detach().mul(x);
        y.sum().backward();
        assertEquals(2.0, x.grad().item());
    }

    @Test
    void scopeFreesEveryTensorCreatedInsideIt() {
        long before = t.liveBytes();
        Tensor w = t.ones(DType.FLOAT32, 100, 100).requiresGrad(true);
        long withParam = t.liveBytes();
        for (int step = 0; step < 5; step++) {
            try (MemoryScope s = t.scope()) {
                Tensor x = t.ones(DType.FLOAT32, 8, 100);
                x.matmul(w).relu().sum().backward();
            }
            w.zeroGrad();
        }
        assertEquals(withParam, t.liveBytes(), "a step leaked tensor memory");
        w.close();
        assertEquals(before, t.liveBytes());
    }

    @Test
    void gradientsOfLeavesOutliveTheStepScope() {
        Tensor w = t.ones(DType.FLOAT64, 2).requiresGrad(true);
        try (MemoryScope s = t.scope()) {
            w.mul(4.0).sum().backward();
        }
        assertArrayEquals(new double[] {4, 4}, w.grad().toDoubleArray());
    }

    @Test
    void keptTensorsSurviveTheirScope() {
        Tensor kept;
        try (MemoryScope s = t.scope()) {
            kept = s.keep(t.ones(DType.FLOAT32, 3).mul(2.0));
        }
        assertArrayEquals(new float[] {2, 2, 2}, kept.toFloatArray());
    }

    @Test
    void usingAClosedTensorSaysHowToKeepIt() {
        Tensor x;
        try (MemoryScope s = t.scope()) {
            x = t.ones(DType.FLOAT32, 3);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, x::toFloatArray);
        assertTrue(e.getMessage().contains("keep"), e.getMessage());
    }

    @Test
    void memoryCapIsEnforcedWithAClearMessage() {
        Engine capped = new Engine(new ReferenceBackend(), 1000);
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> capped.zeros(DType.FLOAT64, 200));
        assertTrue(e.getMessage().contains("cap"), e.getMessage());
        assertEquals(0, capped.liveBytes());
    }

    @Test
    void equalSeedsDrawEqualNumbersAndTheCounterRestores() {
        Generator a = t.generator(7);
        Generator b = t.generator(7);
        assertArrayEquals(t.normal(a, 0, 1, DType.FLOAT32, 10).toFloatArray(), t.normal(b, 0, 1, DType.FLOAT32, 10).toFloatArray());
        long saved = a.counter();
        float[] next = t.uniform(a, 0, 1, DType.FLOAT32, 5).toFloatArray();
        a.restore(saved);
        assertArrayEquals(next, t.uniform(a, 0, 1, DType.FLOAT32, 5).toFloatArray());
        assertNotEquals(t.generator(8).nextDouble(), t.generator(7).nextDouble());
    }

    @Test
    void normalDrawsHaveTheRequestedMoments() {
        double[] v = t.normal(t.generator(3), 2.0, 0.5, DType.FLOAT64, 20000).toDoubleArray();
        double mean = 0, var = 0;
        for (double x : v) {
            mean += x / v.length;
        }
        for (double x : v) {
            var += (x - mean) * (x - mean) / v.length;
        }
        assertEquals(2.0, mean, 0.02);
        assertEquals(0.25, var, 0.01);
    }

    @Test
    void bernoulliMaskHasTheRequestedRate() {
        double[] v = t.bernoulli(t.generator(5), 0.3, DType.FLOAT64, 20000).toDoubleArray();
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        assertEquals(0.3, sum / v.length, 0.015);
    }

    @Test
    void bernoulliMasksAreExactlyTheScalarDrawsInEveryDtype() {
        // the bulk kernel compares 53-bit integers with ceil(p * 2^53); it must give what nextDouble() < p gives,
        // draw for draw (checkpointed runs replay masks from the counter), across chunk boundaries
        int n = (1 << 14) * 2 + 37;
        for (double p : new double[] {0, 1e-17, 0.25, 0.3, 0.5, 1 - 1e-16, 1}) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
                var g = t.generator(11);
                g.nextDouble();
                var scalar = t.generator(11);
                scalar.nextDouble();
                double[] mask = t.bernoulli(g, p, dtype, n).toDoubleArray();
                for (int i = 0; i < n; i++) {
                    double expected = scalar.nextDouble() < p ? 1 : 0;
                    if (mask[i] != expected) {
                        fail("p=" + p + " " + dtype + " draw " + i + ": " + mask[i] + ", scalar draw gives " + expected);
                    }
                }
                assertEquals(scalar.counter(), g.counter(), "counter after the mask, p=" + p);
            }
        }
    }

    @Test
    void fusedAdamStepIsTheComposedUpdate() {
        var g0 = t.generator(3);
        Tensor w = t.normal(g0, 0, 1, DType.FLOAT64, 5, 7);
        Tensor g = t.normal(g0, 0, 1, DType.FLOAT64, 5, 7);
        Tensor m = t.normal(g0, 0, 0.1, DType.FLOAT64, 5, 7);
        Tensor v = t.uniform(g0, 0, 0.1, DType.FLOAT64, 5, 7);
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, c1 = 1 - Math.pow(b1, 3), c2 = 1 - Math.pow(b2, 3);
        Tensor m2 = m.mul(b1).add(g.mul(1 - b1));
        Tensor v2 = v.mul(b2).add(g.mul(g).mul(1 - b2));
        Tensor w2 = w.sub(m2.div(v2.sqrt().div(Math.sqrt(c2)).add(eps)).mul(lr / c1));
        try (GradMode off = t.noGrad()) {
            t.adamStep(w, g, m, v, lr, b1, b2, eps, c1, c2);
        }
        assertArrayEquals(m2.toDoubleArray(), m.toDoubleArray(), 1e-15);
        assertArrayEquals(v2.toDoubleArray(), v.toDoubleArray(), 1e-15);
        assertArrayEquals(w2.toDoubleArray(), w.toDoubleArray(), 1e-14);
    }

    @Test
    void fusedAdamStepRefusesTheGraphAndMismatchedTensors() {
        Tensor w = t.zeros(DType.FLOAT64, 3);
        Tensor g = t.zeros(DType.FLOAT64, 3);
        IllegalStateException graph = assertThrows(IllegalStateException.class,
                () -> t.adamStep(w, g, t.zeros(DType.FLOAT64, 3), t.zeros(DType.FLOAT64, 3), 0.1, 0.9, 0.999, 1e-8, 0.1, 0.001));
        assertTrue(graph.getMessage().contains("under tensors.noGrad()"), graph.getMessage());
        try (GradMode off = t.noGrad()) {
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> t.adamStep(w, g, t.zeros(DType.FLOAT64, 4), t.zeros(DType.FLOAT64, 3), 0.1, 0.9, 0.999, 1e-8, 0.1, 0.001));
            assertTrue(shape.getMessage().startsWith("adamStep needs w, g, m, v of one shape and dtype"), shape.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> t.adamStep(w, g, t.zeros(DType.FLOAT32, 3), t.zeros(DType.FLOAT64, 3), 0.1, 0.9, 0.999, 1e-8, 0.1, 0.001));
        }
    }

    @Test
    void maxPoolIndicesFeedUnpoolingBack() {
        Tensor x = t.of(new double[] {1, 5, 2, 0, 3, 4, 8, 7, 6, 9, 1, 2, 0, 3, 4, 5}, 1, 1, 4, 4);
        var r = x.maxPool2d(Pool2dOptions.of(2));
        assertArrayEquals(new double[] {5, 8, 9, 5}, r.values().toDoubleArray());
        assertArrayEquals(new long[] {1, 6, 9, 15}, r.indices().toLongArray());
        Tensor back = r.values().maxUnpool2d(r.indices(), 4, 4);
        assertArrayEquals(new double[] {0, 5, 0, 0, 0, 0, 8, 0, 0, 9, 0, 0, 0, 0, 0, 5}, back.toDoubleArray());
    }

    @Test
    void logSoftmaxIsStableForHugeLogits() {
        Tensor x = t.of(new float[] {1000, 0, -1000}, 1, 3);
        float[] y = x.logSoftmax(1).toFloatArray();
        assertEquals(0f, y[0], 1e-6);
        assertEquals(-1000f, y[1], 1e-3);
        assertTrue(Float.isFinite(y[2]));
        assertEquals(1000.0, x.logsumexp(1, false).item(), 1e-3);
    }

    @Test
    void argmaxAndMaxAgree() {
        Tensor x = t.of(new float[] {1, 9, 3, 7, 2, 8}, 2, 3);
        assertArrayEquals(new long[] {1, 2}, x.argmax(1, false).toLongArray());
        assertArrayEquals(new float[] {9, 8}, x.max(1, false).toFloatArray());
    }

    @Test
    void catAndStackJoinAlongTheAxis() {
        Tensor a = t.of(new float[] {1, 2}, 1, 2);
        Tensor b = t.of(new float[] {3, 4}, 1, 2);
        assertArrayEquals(new int[] {2, 2}, t.cat(List.of(a, b), 0).shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.cat(List.of(a, b), 1).toFloatArray());
        assertArrayEquals(new int[] {1, 2, 2}, t.stack(List.of(a, b), 1).shape());
    }

    @Test
    void assignRefusesNonLeavesAndBroadcasts() {
        Tensor w = t.zeros(DType.FLOAT32, 2, 2).requiresGrad(true);
        w.assign(t.of(new float[] {1, 2}, 2));
        assertArrayEquals(new float[] {1, 2, 1, 2}, w.toFloatArray());
        Tensor y = w.mul(2.0);
        assertThrows(IllegalStateException.class, () -> y.assign(t.zeros(DType.FLOAT32, 2, 2)));
    }

    @Test
    void indexOutOfRangeNamesTheValidRange() {
        Tensor x = t.zeros(DType.FLOAT32, 3, 2);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> x.indexSelect(0, t.of(new long[] {3}, 1)));
        assertTrue(e.getMessage().contains("0..2"), e.getMessage());
    }
}
