package dev.kiln.plugins.optimizers;

import dev.kiln.model.conformance.ScheduleConformance.Example;

import java.util.List;
import java.util.Map;

/** Conformance examples of this bundle's schedules (also used by the in-framework run). */
public final class ScheduleExamples {

    private ScheduleExamples() {
    }

    public static List<Example> all() {
        return List.of(
                new Example("step", Map.of("step_size", 5, "gamma", 0.5), "step_size", 0),
                new Example("exponential", Map.of("gamma", 0.9), "gamma", -0.5),
                new Example("cosine", Map.of("T_max", 20, "eta_min", 0.001), "T_max", 0),
                new Example("linear_warmup", Map.of("warmup", 3, "start_factor", 0.1), "start_factor", 1.5),
                new Example("reduce_on_plateau", Map.of("mode", "min", "factor", 0.5, "patience", 1, "cooldown", 1),
                        "factor", 1.5));
    }
}
