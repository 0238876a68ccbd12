package dev.kiln.backend.openblas;

import dev.kiln.engine.Engine;
import dev.kiln.engine.backend.Backends;
import dev.kiln.engine.testkit.BackendParity;
import dev.kiln.engine.testkit.PrimitiveCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every primitive, forward and backward, on the native backend matches the reference backend in float32. */
class NativeMatchesReferenceTest {

    private static final Engine REFERENCE = Engine.reference();
    private static final Engine NATIVE = new Engine(Backends.discover().select("cpu", 2).backend());
    private static final AtomicInteger PASSED = new AtomicInteger();

    @TestFactory
    Stream<DynamicTest> everyPrimitiveMatchesTheReference() {
        return PrimitiveCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            BackendParity.Result r = BackendParity.compare(c, REFERENCE, NATIVE, 1e-5, 1e-4);
            assertTrue(r.passed(), c.name() + ": " + r.worst() + " (error/allowed " + r.worstScore() + ")");
            PASSED.incrementAndGet();
        }));
    }

    @AfterAll
    static void report() {
        System.out.println("native parity: " + PASSED.get() + "/" + PrimitiveCases.all().size() + " primitive cases within float32 tolerance");
    }
}
