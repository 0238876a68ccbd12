package dev.kiln.api.train;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.Split;
import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.nn.Schedule;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import org.osgi.annotation.versioning.ProviderType;

import java.util.List;
import java.util.Optional;

/**
 * What the host gives a {@link Trainer}: everything built from the experiment spec, and the services of
 * a run (batches, reporting, checkpoints, cancellation). When resuming, models, optimizers, the schedule
 * and the generator already hold the checkpoint's state.
 *
 * <pre>{@code
 * Layer net = run.model();
 * Optimizer opt = run.optimizer(net.parameters());
 * try (MiniBatches batches = run.batches(Split.TRAIN, epoch, 0)) {
 *     while (batches.hasNext()) { try (MemoryScope s = run.tensors().scope()) { ... } }
 * }
 * }</pre>
 */
@ProviderType
public interface TrainingRun {

    Tensors tensors();

    /** The run's seeded generator (dropout, noise); its state is checkpointed. */
    Generator generator();

    /** A forward context over the run's generator, in training or evaluation mode. */
    ForwardContext forward(boolean training);

    int epochs();

    int batchSize();

    /** The spec's {@code model}. */
    Layer model();

    /** A model by name: {@code "model"} is the spec's {@code model}; trainers with several name theirs. */
    Layer model(String name);

    Loss loss();

    /** The spec's {@code optimizer} over these parameters (one group). */
    Optimizer optimizer(List<Parameter> parameters);

    /**
     * The spec's optimizer named {@code name} over these parameters; {@code "optimizer"} is the spec's
     * {@code optimizer}. Its state is checkpointed under the name; create each name once.
     */
    Optimizer optimizer(String name, List<Parameter> parameters);

    /** The spec's learning-rate schedule, if it has one; its state is checkpointed. */
    Optional<Schedule> schedule();

    Dataset dataset();

    /**
     * The batches of {@code epoch} of a split from batch {@code startBatch} on: training batches shuffled by
     * the run's seed and augmented, other splits in order; the same for every call with the same arguments.
     */
    MiniBatches batches(Split split, int epoch, int startBatch);

    Reporter reporter();

    /** Saves models, optimizers, schedule, generator and this cursor and state, so that a resumed run continues exactly. */
    void checkpoint(Checkpoint checkpoint);

    /** Where to continue when resuming, or empty for a fresh run. */
    Optional<Checkpoint> resumePoint();

    /** Saves every model's weights under a tag (e.g. {@code "best"}), kept across resumes. */
    void saveWeights(String tag);

    /** Loads the weights saved under a tag back into the models. */
    void restoreWeights(String tag);

    /**
     * Finds where non-finite values first appear for this input: a parameter or buffer, or the output of a
     * layer in an evaluation-mode forward; e.g. {@code layer "3" (linear): 12 NaN, 0 Inf in its output}.
     * Empty when everything is finite.
     */
    Optional<String> locateNonFinite(String model, Tensor input);

    /** Whether the user or the server asked the run to stop; checkpoint and return when it does. */
    boolean stopRequested();
}
