package dev.kiln.api.nn;

import org.osgi.annotation.versioning.ConsumerType;

import java.util.Map;

/**
 * A learning-rate schedule: the rate to use for a step, from the optimizer's base rate. The trainer
 * asks before every step and reports the monitored metric after every epoch (for reduce-on-plateau).
 */
@ConsumerType
public interface Schedule {

    /**
     * @param baseRate the optimizer's configured learning rate
     * @param step     optimizer steps taken so far (0 before the first)
     * @param epoch    completed epochs
     */
    double learningRate(double baseRate, long step, int epoch);

    /** Reports the monitored metric at the end of an epoch; schedules that ignore metrics do nothing. */
    default void observe(double metric) {
    }

    /** State to checkpoint (empty for stateless schedules). */
    default Map<String, Double> exportState() {
        return Map.of();
    }

    default void importState(Map<String, Double> state) {
    }
}
