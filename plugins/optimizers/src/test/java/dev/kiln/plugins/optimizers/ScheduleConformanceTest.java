package dev.kiln.plugins.optimizers;

import dev.kiln.model.conformance.CheckTally;
import dev.kiln.model.conformance.ScheduleConformance;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every schedule of this bundle passes the schedule conformance kit. */
class ScheduleConformanceTest {

    @Test
    void everySchedulePassesTheConformanceKit() {
        CheckTally tally = new ScheduleConformance().run(OptimizerPlugins.source(), ScheduleExamples.all());
        System.out.println(tally.summary());
        assertTrue(tally.allPassed(), tally.summary());
    }
}
