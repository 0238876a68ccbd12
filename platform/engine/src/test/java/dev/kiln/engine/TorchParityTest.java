package dev.kiln.engine;

import dev.kiln.api.tensor.DType;
import dev.kiln.engine.reference.ReferenceBackend;
import dev.kiln.engine.testkit.TorchFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/** The reference backend matches PyTorch 1.13, forward and backward, on every committed fixture. */
class TorchParityTest {

    @TestFactory
    Stream<DynamicTest> float64MatchesPyTorchTightly() {
        return cases(DType.FLOAT64, 1e-10, 1e-9);
    }

    @TestFactory
    Stream<DynamicTest> float32MatchesPyTorchWithinSinglePrecision() {
        return cases(DType.FLOAT32, 1e-5, 1e-4);
    }

    @Test
    void indexListsAFixtureForEveryOp() {
        List<String> names = TorchFixtures.caseNames();
        for (String op : List.of("conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "max_unpool2d",
                "upsample_nearest", "upsample_bilinear", "log_softmax")) {
            assertTrue(names.stream().anyMatch(n -> n.startsWith(op)), () -> "no fixture for " + op + " in " + names);
        }
        System.out.println("TorchParityTest: " + names.size() + " PyTorch fixtures");
    }

    private static Stream<DynamicTest> cases(DType dtype, double atol, double rtol) {
        TorchFixtures kit = new TorchFixtures(new Engine(new ReferenceBackend()), dtype, atol, rtol);
        return TorchFixtures.caseNames().stream().map(name -> dynamicTest(name + " " + dtype, () -> {
            TorchFixtures.CaseResult r = kit.run(name);
            assertTrue(r.passed(), r::report);
        }));
    }
}
