package dev.kiln.plugins.optimizers;

import dev.kiln.engine.Engine;
import dev.kiln.model.conformance.OptimizerConformance;
import dev.kiln.model.conformance.OptimizerConformance.Report;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OptimizerConformanceTest {

    @Test
    void everyOptimizerPassesTheConformanceKit() {
        Report report = new OptimizerConformance(Engine.reference()).run(OptimizerPlugins.source());
        System.out.println(report.summary());
        assertEquals(8 * 5 + 2 * 2 + 4, report.total(), report::toString); // 4 checks + lr each; betas: adam, adamw; momentum: sgd family, rmsprop
        assertEquals(report.total(), report.passed(), report::failures);
    }
}
