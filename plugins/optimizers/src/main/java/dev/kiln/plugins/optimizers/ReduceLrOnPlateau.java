package dev.kiln.plugins.optimizers;

import dev.kiln.api.plugin.Params;

import java.util.Map;

/**
 * Cuts the rate by {@code factor} when the monitored metric stops improving, as
 * {@code torch.optim.lr_scheduler.ReduceLROnPlateau}. After each reported metric: it is an
 * improvement when below {@code best·(1 − threshold)} (mode {@code min}, {@code threshold_mode: rel};
 * {@code best − threshold} for {@code abs}; mirrored for {@code max}); otherwise a bad epoch. Bad epochs
 * during {@code cooldown} epochs after a cut are ignored; more than {@code patience} bad epochs in a
 * row cut the rate. After {@code k} cuts {@code η_k = min(η, max(η·factorᵏ, min_lr))}, which is
 * PyTorch's {@code max(η_{k−1}·factor, min_lr)} applied {@code k} times (its 1e-8 "too small to cut"
 * rule only matters for rates already within 1e-8 of {@code min_lr}).
 * Hyper-parameters: {@code mode} (min), {@code factor} (0.1, in [0, 1)), {@code patience} (10),
 * {@code threshold} (1e-4), {@code threshold_mode} (rel), {@code cooldown} (0), {@code min_lr} (0). It
 * counts reported metrics, so its {@code interval} is accepted but has no effect.
 * <pre>{@code
 * schedule: {name: reduce_on_plateau, params: {mode: max, factor: 0.5, patience: 3}}
 * }</pre>
 */
final class ReduceLrOnPlateau extends IntervalSchedule {

    record Spec(String mode, double factor, int patience, double threshold, String thresholdMode, int cooldown,
                double minLr) {
        Spec {
            Check.oneOf("mode", mode, "min", "max");
            Check.fraction("factor", factor);
            Check.atLeast("patience", patience, 0);
            Check.nonNegative("threshold", threshold);
            Check.oneOf("threshold_mode", thresholdMode, "rel", "abs");
            Check.atLeast("cooldown", cooldown, 0);
            Check.nonNegative("min_lr", minLr);
        }
    }

    private final Spec spec;
    private double best;
    private int badEpochs;
    private int cooldownLeft;
    private int cuts;

    ReduceLrOnPlateau(Params params) {
        super(params);
        this.spec = Check.read(params, p -> new Spec(p.getString("mode", "min"), p.getDouble("factor", 0.1),
                p.getInt("patience", 10), p.getDouble("threshold", 1e-4), p.getString("threshold_mode", "rel"),
                p.getInt("cooldown", 0), p.getDouble("min_lr", 0)));
        this.best = minimizing() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    private boolean minimizing() {
        return spec.mode().equals("min");
    }

    private boolean improves(double value) {
        boolean rel = spec.thresholdMode().equals("rel");
        if (minimizing()) {
            return value < (rel ? best * (1 - spec.threshold()) : best - spec.threshold());
        }
        return value > (rel ? best * (1 + spec.threshold()) : best + spec.threshold());
    }

    @Override
    public void observe(double metric) {
        if (improves(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
        }
        if (badEpochs > spec.patience()) {
            cuts++;
            cooldownLeft = spec.cooldown();
            badEpochs = 0;
        }
    }

    @Override
    protected double rate(double base, long t) {
        return cuts == 0 ? base : Math.min(base, Math.max(base * Math.pow(spec.factor(), cuts), spec.minLr()));
    }

    @Override
    public Map<String, Double> exportState() {
        return Map.of("best", best, "bad_epochs", (double) badEpochs, "cooldown_left", (double) cooldownLeft,
                "cuts", (double) cuts);
    }

    @Override
    public void importState(Map<String, Double> state) {
        for (String key : exportState().keySet()) {
            if (!state.containsKey(key)) {
                throw new IllegalArgumentException("reduce_on_plateau state is missing '" + key + "'; keys present: "
                        + state.keySet());
            }
        }
        best = state.get("best");
        badEpochs = state.get("bad_epochs").intValue();
        cooldownLeft = state.get("cooldown_left").intValue();
        cuts = state.get("cuts").intValue();
    }
}
