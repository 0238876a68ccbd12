package com.example.kiln;

import dev.kiln.api.plugin.PluginKind;
import dev.kiln.engine.Engine;
import dev.kiln.model.StaticPluginSource;
import dev.kiln.model.conformance.OptimizerConformance;
import dev.kiln.model.conformance.OptimizerConformance.Report;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kiln's optimizer conformance kit over this plugin: what every optimizer owes the trainer. */
class SignSgdConformanceTest {

    @Test
    void passesTheOptimizerConformanceKit() {
        StaticPluginSource source = new StaticPluginSource().register(PluginKind.OPTIMIZER, "signsgd", new SignSgdFactory());
        Report report = new OptimizerConformance(Engine.reference()).run(source);
        System.out.println(report.summary());
        assertTrue(report.total() >= 5, report::toString);
        assertEquals(report.total(), report.passed(), report::failures);
    }
}
