package dev.kiln.engine.testkit;

import dev.kiln.api.tensor.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchFixturesTest {

    private final Engine engine = new Engine(new ReferenceBackend());

    @Test
    void comparesOutputIndicesAndEveryGradient() {
        TorchFixtures kit = new TorchFixtures(engine, DType.FLOAT64, 1e-10, 1e-9);
        assertEquals(List.of("y", "gx", "gw", "gb"), kit.run("conv2d_basic").compared());
        assertEquals(List.of("y", "gx", "gw"), kit.run("conv2d_dilation_nobias").compared());
        assertEquals(List.of("indices", "y", "gx"), kit.run("max_pool2d_overlap_pad").compared());
    }

    @Test
    void reportsCaseTensorWorstIndexExpectedAndActual() {
        TorchFixtures.CaseResult r = new TorchFixtures(engine, DType.FLOAT32, 0, 0).run("conv2d_basic");
        assertFalse(r.passed());
        String report = r.report();
        assertTrue(report.startsWith("conv2d_basic (conv2d): FAILED"), report);
        assertTrue(report.contains("y: ") && report.contains("worst at [") && report.contains("expected ")
                && report.contains("actual "), report);
    }

    @Test
    void runAllCoversTheWholeIndex() {
        List<TorchFixtures.CaseResult> results = new TorchFixtures(engine, DType.FLOAT64, 1e-10, 1e-9).runAll();
        assertEquals(TorchFixtures.caseNames().size(), results.size());
        results.forEach(r -> assertTrue(r.passed(), r::report));
    }
}
