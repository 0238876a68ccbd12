package dev.kiln.plugins.losses;

import dev.kiln.engine.Engine;
import dev.kiln.model.conformance.CheckTally;
import dev.kiln.model.conformance.LossConformance;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossConformanceTest {

    @Test
    void everyLossPassesTheConformanceKit() {
        CheckTally tally = LossConformance.run(Engine.reference(), Losses.source(), LossExamples.examples());
        System.out.println(tally.summary());
        assertTrue(tally.allPassed(), tally::summary);
        assertEquals(9, Losses.source().names(dev.kiln.api.plugin.PluginKind.LOSS).size());
    }
}
