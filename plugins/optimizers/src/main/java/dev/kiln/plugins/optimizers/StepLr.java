package dev.kiln.plugins.optimizers;

import dev.kiln.api.plugin.Params;

/**
 * Decays the rate by {@code gamma} every {@code step_size} epochs (or steps), as
 * {@code torch.optim.lr_scheduler.StepLR}: {@code η_t = η · gamma^⌊t / step_size⌋}.
 * Hyper-parameters: {@code step_size} (required, >= 1), {@code gamma} (0.1), {@code interval}.
 * <pre>{@code
 * schedule: {name: step, params: {step_size: 30, gamma: 0.1}}
 * }</pre>
 */
final class StepLr extends IntervalSchedule {

    record Spec(int stepSize, double gamma) {
        Spec {
            Check.atLeast("step_size", stepSize, 1);
            Check.nonNegative("gamma", gamma);
        }
    }

    private final Spec spec;

    StepLr(Params params) {
        super(params);
        this.spec = Check.read(params, p -> new Spec(p.getInt("step_size"), p.getDouble("gamma", 0.1)));
    }

    @Override
    protected double rate(double base, long t) {
        return base * Math.pow(spec.gamma(), t / spec.stepSize());
    }
}
