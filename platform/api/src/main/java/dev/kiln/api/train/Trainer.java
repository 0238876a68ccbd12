package dev.kiln.api.train;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A training loop. Trainers compose what the {@link TrainingRun} gives them (models, loss, optimizers,
 * batches) and never inherit from layers; they report through {@link TrainingRun#reporter()}.
 */
@ConsumerType
public interface Trainer {

    /**
     * Trains from {@link TrainingRun#resumePoint()} (or the start) until the epochs are done, a stopping
     * rule fires or {@link TrainingRun#stopRequested()}; then reports its final metrics. Throws
     * {@link IllegalStateException} to fail the run (e.g. a non-finite loss, naming step and layer).
     */
    void train(TrainingRun run);

    /** Evaluates the run's model (weights already loaded) on the test split and reports the metrics. */
    void evaluate(TrainingRun run);
}
