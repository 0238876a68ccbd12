package dev.kiln.plugins.optimizers;

import dev.kiln.api.plugin.Params;

/**
 * Decays the rate by {@code gamma} every epoch (or step), as
 * {@code torch.optim.lr_scheduler.ExponentialLR}: {@code η_t = η · gammaᵗ}.
 * Hyper-parameters: {@code gamma} (required), {@code interval}.
 * <pre>{@code
 * schedule: {name: exponential, params: {gamma: 0.95}}
 * }</pre>
 */
final class ExponentialLr extends IntervalSchedule {

    private final double gamma;

    ExponentialLr(Params params) {
        super(params);
        this.gamma = Check.read(params, p -> Check.nonNegative("gamma", p.getDouble("gamma")));
    }

    @Override
    protected double rate(double base, long t) {
        return base * Math.pow(gamma, t);
    }
}
