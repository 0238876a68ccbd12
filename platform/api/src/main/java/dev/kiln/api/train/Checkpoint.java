package dev.kiln.api.train;

import java.util.Map;

/**
 * Where a trainer stands, as it hands it to {@link TrainingRun#checkpoint} and gets it back from
 * {@link TrainingRun#resumePoint()}: the next batch to train ({@code epoch}, {@code batch}), the optimizer
 * steps taken, and the trainer's own state (running sums, best metrics, stopping-rule counters) whose
 * values must restore bit for bit.
 */
public record Checkpoint(int epoch, int batch, long step, Map<String, Double> state) {

    public Checkpoint {
        if (epoch < 0 || batch < 0 || step < 0) {
            throw new IllegalArgumentException("checkpoint cursor must be non-negative, got epoch " + epoch
                    + ", batch " + batch + ", step " + step);
        }
        state = Map.copyOf(state);
    }
}
