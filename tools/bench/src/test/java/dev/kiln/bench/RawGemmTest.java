package dev.kiln.bench;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class RawGemmTest {

    @Test
    void timesCblasSgemmWhenOpenBlasLoads() {
        String problem = RawGemm.probe();
        Assumptions.assumeTrue(problem == null, () -> "Bytedeco OpenBLAS does not load here: " + problem);
        Timing.Result r = RawGemm.measure(64, 1, new Timing(3, 0, 0, 3));
        assertTrue(r.medianMs() > 0);
        assertTrue(r.iterations() == 3);
    }
}
