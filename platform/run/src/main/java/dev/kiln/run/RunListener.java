package dev.kiln.run;

import java.nio.file.Path;
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

    /**
     * A checkpoint was written completely and is now the run's latest ({@code checkpoints/LATEST} names it). Called on
     * the training thread, which waits: copy what you need before returning, because the next checkpoint deletes
     * this folder.
     *
     * @param dir  {@code RUN/checkpoints/step-NNNNNNNN}
     * @param step the optimizer steps taken before it (a resumed run continues with step {@code step + 1})
     */
    default void checkpoint(Path dir, long step) {
    }

    /** A sample image grid was written (a PNG under {@code RUN/images/}). */
    default void image(String name, long step, Path png) {
    }

    RunListener NONE = new RunListener() {
    };
}
