package dev.kiln.plugins.optimizers;

import dev.kiln.api.plugin.Params;

/**
 * Cosine annealing from the base rate down to {@code eta_min} over {@code T_max} epochs (or steps),
 * the closed form of {@code torch.optim.lr_scheduler.CosineAnnealingLR} (SGDR without restarts):
 * {@code η_t = η_min + (η − η_min)·(1 + cos(π·t / T_max)) / 2}; past {@code T_max} it rises again
 * (the cosine's period is {@code 2·T_max}), as PyTorch's.
 * Hyper-parameters: {@code T_max} (required, >= 1), {@code eta_min} (0), {@code interval}.
 * Paper: Loshchilov &amp; Hutter 2017, <a href="https://arxiv.org/abs/1608.03983">SGDR</a>.
 * <pre>{@code
 * schedule: {name: cosine, params: {T_max: 100, eta_min: 1e-5}}
 * }</pre>
 */
final class CosineAnnealingLr extends IntervalSchedule {

    record Spec(int tMax, double etaMin) {
        Spec {
            Check.atLeast("T_max", tMax, 1);
            Check.nonNegative("eta_min", etaMin);
        }
    }

    private final Spec spec;

    CosineAnnealingLr(Params params) {
        super(params);
        this.spec = Check.read(params, p -> new Spec(p.getInt("T_max"), p.getDouble("eta_min", 0)));
    }

    @Override
    protected double rate(double base, long t) {
        return spec.etaMin() + (base - spec.etaMin()) * (1 + Math.cos(Math.PI * t / spec.tMax())) / 2;
    }
}
