package dev.kiln.plugins.optimizers;

import dev.kiln.api.plugin.Params;

import java.util.Map;

/**
 * Early stopping: stop when the monitored metric has not improved by more than {@code min_delta} for
 * {@code patience} epochs in a row, as Keras' {@code EarlyStopping}. An epoch improves when its value
 * is below {@code best − min_delta} (mode {@code min}) or above {@code best + min_delta} (mode
 * {@code max}); the first observation always improves. With {@code restore_best} the trainer puts back
 * the parameters of {@link #bestEpoch()}.
 * Hyper-parameters: {@code monitor} ({@code "val_loss"}), {@code mode} (min), {@code patience} (5,
 * >= 1), {@code min_delta} (0, >= 0), {@code restore_best} (true).
 * <pre>{@code
 * EarlyStopping stop = new EarlyStopping(params);
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     if (stop.observe(epoch, validate())) break;
 * }
 * }</pre>
 */
final class EarlyStopping implements StoppingCriterion {

    record Spec(String monitor, String mode, int patience, double minDelta, boolean restoreBest) {
        Spec {
            if (monitor == null || monitor.isBlank()) {
                throw new IllegalArgumentException("monitor must name a metric, e.g. \"val_loss\", got \"" + monitor + "\"");
            }
            Check.oneOf("mode", mode, "min", "max");
            Check.atLeast("patience", patience, 1);
            Check.nonNegative("min_delta", minDelta);
        }
    }

    private final Spec spec;
    private double best;
    private int bestEpoch = -1;
    private int badEpochs;

    EarlyStopping(Spec spec) {
        this.spec = spec;
        this.best = spec.mode().equals("min") ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    EarlyStopping(Params params) {
        this(Check.<Spec>read(params, p -> new Spec(p.getString("monitor", "val_loss"), p.getString("mode", "min"),
                p.getInt("patience", 5), p.getDouble("min_delta", 0), p.getBoolean("restore_best", true))));
    }

    @Override
    public String monitor() {
        return spec.monitor();
    }

    @Override
    public boolean observe(int epoch, double value) {
        boolean improved = spec.mode().equals("min") ? value < best - spec.minDelta() : value > best + spec.minDelta();
        if (improved || bestEpoch < 0 && !Double.isNaN(value)) {
            best = value;
            bestEpoch = epoch;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        return badEpochs >= spec.patience();
    }

    @Override
    public int bestEpoch() {
        return bestEpoch;
    }

    @Override
    public double bestValue() {
        return best;
    }

    @Override
    public boolean restoreBest() {
        return spec.restoreBest();
    }

    @Override
    public Map<String, Double> exportState() {
        return Map.of("best", best, "best_epoch", (double) bestEpoch, "bad_epochs", (double) badEpochs);
    }

    @Override
    public void importState(Map<String, Double> state) {
        best = state.get("best");
        bestEpoch = state.get("best_epoch").intValue();
        badEpochs = state.get("bad_epochs").intValue();
    }
}
