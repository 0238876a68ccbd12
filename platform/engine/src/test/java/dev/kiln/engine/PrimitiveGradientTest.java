package dev.kiln.engine;

import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.engine.testkit.GradientCheck;
import dev.kiln.engine.testkit.PrimitiveCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every primitive's backward rule agrees with central differences in float64 on the reference backend. */
class PrimitiveGradientTest {

    private static final Engine ENGINE = Engine.reference();
    private static final AtomicInteger PASSED = new AtomicInteger();

    @TestFactory
    Stream<DynamicTest> gradientsMatchFiniteDifferences() {
        return PrimitiveCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Tensor> inputs = c.makeInputs(ENGINE, DType.FLOAT64, 42);
            GradientCheck.Result r = GradientCheck.check(ENGINE, c.on(ENGINE), inputs);
            assertTrue(r.passed(), c.name() + ": " + r.worst() + " (error/allowed " + r.worstError() + ")");
            assertTrue(r.checkedElements() > 0, c.name() + " checked nothing");
            PASSED.incrementAndGet();
        }));
    }

    @AfterAll
    static void report() {
        System.out.println("gradient check: " + PASSED.get() + "/" + PrimitiveCases.all().size() + " primitive cases passed");
    }

    @Test
    void refusesFloat32() {
        Tensor x = ENGINE.of(new float[] {1, 2}, 2).requiresGrad(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.check(ENGINE, a -> a.get(0).exp(), List.of(x)));
        assertTrue(e.getMessage().contains("FLOAT64"), e.getMessage());
    }

    @Test
    void refusesUnseededRandomness() {
        Tensor x = ENGINE.of(new double[] {1, 2}, 2).requiresGrad(true);
        var shared = ENGINE.generator(1); // advances between calls: not reseeded inside the function
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GradientCheck.check(ENGINE,
                a -> a.get(0).mul(ENGINE.bernoulli(shared, 0.5, DType.FLOAT64, 2)), List.of(x)));
        assertTrue(e.getMessage().contains("seed"), e.getMessage());
    }

    @Test
    void detectsAWrongGradient() {
        // x.detach() * x has gradient x, not 2x: a check that cannot fail would pass this
        Tensor x = ENGINE.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        GradientCheck.Result r = GradientCheck.check(ENGINE, a -> a.get(0).detach().mul(a.get(0)), List.of(x));
        assertEquals(false, r.passed(), r.worst());
    }
}
