package dev.kiln.plugins.trainers;

import java.util.Map;

/**
 * Early stopping, as Keras' {@code EarlyStopping}: stop when the monitored metric has not improved by more than
 * {@code min_delta} for {@code patience} epochs in a row. An epoch improves when its value is below
 * {@code best − min_delta} (mode {@code min}) or above {@code best + min_delta} (mode {@code max}); the first finite
 * observation always improves. With {@code restore_best} the trainer puts back the weights of the best epoch.
 * (Moved here from the optimizers bundle: bundles export nothing, and the trainer is what consults it.)
 * <pre>{@code
 * trainer: {name: supervised, params: {early_stopping: {monitor: val_loss, patience: 3}}}
 * }</pre>
 */
final class EarlyStopping {

    /**
     * @param monitor     the epoch metric to watch, e.g. {@code "val_loss"}, {@code "val_accuracy"}
     * @param mode        {@code min} or {@code max}
     * @param patience    epochs without improvement before stopping (>= 1)
     * @param minDelta    the smallest change that counts as improvement (>= 0)
     * @param restoreBest put back the best epoch's weights when training ends
     */
    record Spec(String monitor, String mode, int patience, double minDelta, boolean restoreBest) {
        Spec {
            if (monitor == null || monitor.isBlank()) {
                throw new IllegalArgumentException("early_stopping.monitor must name an epoch metric, e.g. \"val_loss\"");
            }
            if (!mode.equals("min") && !mode.equals("max")) {
                throw new IllegalArgumentException("early_stopping.mode must be one of min, max, got \"" + mode + "\"");
            }
            if (patience < 1) {
                throw new IllegalArgumentException("early_stopping.patience must be in [1, inf), got " + patience);
            }
            if (!(minDelta >= 0 && Double.isFinite(minDelta))) {
                throw new IllegalArgumentException("early_stopping.min_delta must be in [0, inf), got " + minDelta);
            }
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

    Spec spec() {
        return spec;
    }

    /** Reports an epoch's value; returns whether it improved on the best so far. */
    boolean observe(int epoch, double value) {
        boolean improved = spec.mode().equals("min") ? value < best - spec.minDelta() : value > best + spec.minDelta();
        if (improved || bestEpoch < 0 && !Double.isNaN(value)) {
            best = value;
            bestEpoch = epoch;
            badEpochs = 0;
            return true;
        }
        badEpochs++;
        return false;
    }

    boolean shouldStop() {
        return badEpochs >= spec.patience();
    }

    int bestEpoch() {
        return bestEpoch;
    }

    double bestValue() {
        return best;
    }

    void exportState(Map<String, Double> out) {
        out.put("early_stopping.best", best);
        out.put("early_stopping.best_epoch", (double) bestEpoch);
        out.put("early_stopping.bad_epochs", (double) badEpochs);
    }

    void importState(Map<String, Double> state) {
        best = state.getOrDefault("early_stopping.best", best);
        bestEpoch = state.getOrDefault("early_stopping.best_epoch", (double) bestEpoch).intValue();
        badEpochs = state.getOrDefault("early_stopping.bad_epochs", (double) badEpochs).intValue();
    }
}
