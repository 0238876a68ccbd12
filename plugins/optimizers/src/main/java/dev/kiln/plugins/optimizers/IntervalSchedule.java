package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Schedule;
import dev.kiln.api.plugin.Params;

/**
 * A schedule that is a function of one counter {@code t}: completed epochs ({@code interval: epoch},
 * the default, as PyTorch's schedulers stepped once per epoch) or optimizer steps taken
 * ({@code interval: step}, as schedulers stepped once per batch).
 */
abstract class IntervalSchedule implements Schedule {

    private final boolean perStep;

    protected IntervalSchedule(Params params) {
        this.perStep = "step".equals(Check.oneOf("interval", params.getString("interval", "epoch"), "epoch", "step"));
    }

    /** The learning rate at counter {@code t} for a group whose configured rate is {@code base}. */
    protected abstract double rate(double base, long t);

    @Override
    public final double learningRate(double baseRate, long step, int epoch) {
        return rate(baseRate, perStep ? step : epoch);
    }
}
