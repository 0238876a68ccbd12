package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Schedule;
import dev.kiln.model.MapParams;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closed forms and state; the PyTorch trajectories cover the schedules driving an optimizer. */
class ScheduleTest {

    private static MapParams params(Map<String, ?> values) {
        return new MapParams("schedule.params", values);
    }

    @Test
    void stepDecaysEveryStepSizeEpochsByDefault() {
        Schedule s = new StepLrFactory().create(params(Map.of("step_size", 2, "gamma", 0.5)));
        assertEquals(1.0, s.learningRate(1.0, 1000, 1));
        assertEquals(0.5, s.learningRate(1.0, 0, 2));
        assertEquals(0.25, s.learningRate(1.0, 0, 5));
    }

    @Test
    void cosineReachesEtaMinAtTMax() {
        Schedule s = new CosineAnnealingLrFactory().create(params(Map.of("T_max", 10, "eta_min", 0.1)));
        assertEquals(1.0, s.learningRate(1.0, 0, 0), 1e-15);
        assertEquals(0.55, s.learningRate(1.0, 0, 5), 1e-15);
        assertEquals(0.1, s.learningRate(1.0, 0, 10), 1e-15);
    }

    @Test
    void warmupWithoutThenHoldsTheBaseRate() {
        Schedule s = new LinearWarmupFactory().create(params(Map.of("warmup", 4, "interval", "step")));
        assertEquals(0.0, s.learningRate(0.2, 0, 0));
        assertEquals(0.1, s.learningRate(0.2, 2, 0), 1e-15);
        assertEquals(0.2, s.learningRate(0.2, 4, 0));
        assertEquals(0.2, s.learningRate(0.2, 400, 0));
    }

    @Test
    void warmupRejectsAnUnknownFollowingSchedule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LinearWarmupFactory()
                .create(params(Map.of("warmup", 4, "then", Map.of("name", "cosin", "T_max", 3)))));
        assertTrue(e.getMessage().startsWith("schedule.params.then.name: linear_warmup can continue with"), e.getMessage());
    }

    @Test
    void plateauStateSurvivesCheckpointRoundTrip() {
        Map<String, Object> spec = Map.of("patience", 0, "factor", 0.5);
        Schedule a = new ReduceLrOnPlateauFactory().create(params(spec));
        a.observe(1.0);
        a.observe(1.0); // no improvement with patience 0: cut
        assertEquals(0.5, a.learningRate(1.0, 0, 0));
        Schedule b = new ReduceLrOnPlateauFactory().create(params(spec));
        b.importState(a.exportState());
        a.observe(2.0);
        b.observe(2.0);
        assertEquals(0.25, b.learningRate(1.0, 0, 0));
        assertEquals(a.learningRate(1.0, 0, 0), b.learningRate(1.0, 0, 0));
    }

    @Test
    void rejectsAnUnknownModeListingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReduceLrOnPlateauFactory().create(params(Map.of("mode", "minimum"))));
        assertEquals("schedule.params: mode must be one of min, max, got \"minimum\"", e.getMessage());
    }
}
