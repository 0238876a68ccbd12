package dev.kiln.api.train;

import dev.kiln.api.tensor.Tensor;
import org.osgi.annotation.versioning.ProviderType;

import java.util.List;
import java.util.Map;

/**
 * Where a trainer's results go: the host turns them into the progress bar, {@code metrics.jsonl},
 * {@code summary.json}, plots and, on a server, run events. Metric names are lower_snake_case
 * ({@code loss}, {@code accuracy}, {@code val_loss}, {@code test_top5_accuracy}).
 */
@ProviderType
public interface Reporter {

    /**
     * After every optimizer step; drives the progress bar, and every logging interval writes a line.
     *
     * @param batch    the batch just trained (0-based) of {@code batches} in the epoch
     * @param examples examples in this step's batch (for images/s)
     */
    void step(long step, int epoch, int batch, int batches, int examples, Map<String, Double> metrics);

    /** At the end of an epoch ({@code epoch} counts from 0): train and validation metrics. */
    void epoch(int epoch, Map<String, Double> metrics);

    /** Final results for the run's summary, e.g. {@code test_accuracy}, {@code best_val_accuracy}. */
    void result(Map<String, Double> metrics);

    /** A labelled matrix of counts, e.g. {@code "confusion"} with rows the true class, columns the prediction. */
    void matrix(String name, List<String> labels, long[][] counts);

    /** A grid of images {@code (N, C, H, W)} with values in [0, 1] (samples, reconstructions). */
    void images(String name, long step, Tensor images);

    /** A line for the run's log. */
    void log(String line);
}
