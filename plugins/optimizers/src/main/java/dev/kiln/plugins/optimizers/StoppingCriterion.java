package dev.kiln.plugins.optimizers;

import java.util.Map;

/**
 * What a trainer asks of a stopping rule after each epoch. Local to this bundle until it moves to
 * {@code dev.kiln.api.nn} (bundles export nothing); proposed there, as a consumer type, with a
 * {@code StoppingCriterionFactory} registered under a new kind {@code regularizer}.
 */
interface StoppingCriterion {

    /** The metric the trainer must pass to {@link #observe}, e.g. {@code "val_loss"}. */
    String monitor();

    /**
     * Reports the monitored metric at the end of an epoch.
     *
     * @return whether training should stop now
     */
    boolean observe(int epoch, double value);

    /** The epoch with the best value so far, or -1 before the first observation. */
    int bestEpoch();

    double bestValue();

    /** Whether the trainer should restore the weights of {@link #bestEpoch()} when it stops. */
    boolean restoreBest();

    /** State to checkpoint, so a resumed run stops where an uninterrupted one would. */
    Map<String, Double> exportState();

    void importState(Map<String, Double> state);
}
