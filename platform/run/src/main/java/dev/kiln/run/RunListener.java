package dev.kiln.run;

import java.util.Map;

/** What a front end (the CLI's progress bar, a worker's event stream) hears while a run trains. */
public interface RunListener {

    /**
     * After each optimizer step.
     *
     * @param imagesPerSecond training throughput over the recent steps
     */
    default void step(int epoch, int epochs, int batch, int batches, long step, Map<String, Double> metrics,
                      double imagesPerSecond) {
    }

    /** At the end of an epoch. */
    default void epoch(int epoch, int epochs, Map<String, Double> metrics) {
    }

    /** A log line (run start, checkpoints, early stopping, results). */
    default void log(String line) {
    }

    RunListener NONE = new RunListener() {
    };
}
