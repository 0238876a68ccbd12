package dev.kiln.plugins.trainers;

import dev.kiln.api.plugin.Params;
import dev.kiln.api.train.Trainer;
import dev.kiln.api.train.TrainerFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Supervised classification: minibatch training of the spec's model with its loss and optimizer, validation after
 * every epoch, test metrics, per-class accuracy and the confusion matrix at the end; see {@link SupervisedTrainer}.
 * Gradient clipping is an optimizer option ({@code clip_norm}, {@code clip_value}).
 * <pre>{@code
 * trainer:
 *   name: supervised
 *   epochs: 15
 *   batch_size: 64
 *   params:
 *     early_stopping: {monitor: val_accuracy, mode: max, patience: 3, min_delta: 0, restore_best: true}
 *     schedule_monitor: val_loss      # what reduce_on_plateau observes (default val_loss, or loss without validation)
 *     top_k: 5                        # top-k accuracy is reported when there are more than k classes
 *     checkpoint_every_steps: 0       # extra checkpoints within epochs (0: at epoch ends only)
 * }</pre>
 */
@Component(property = {"kiln.kind=trainer", "kiln.name=supervised"})
public final class SupervisedTrainerFactory implements TrainerFactory {

    /**
     * @param earlyStopping        null for none
     * @param scheduleMonitor      the epoch metric reported to the schedule (empty: val_loss, or loss without validation)
     * @param topK                 k of top-k accuracy (>= 2)
     * @param checkpointEverySteps extra checkpoint interval in optimizer steps (>= 0; 0 for epoch ends only)
     */
    public record SupervisedSpec(EarlyStopping.Spec earlyStopping, String scheduleMonitor, int topK, int checkpointEverySteps) {
        public SupervisedSpec {
            if (topK < 2) {
                throw new IllegalArgumentException("top_k must be in [2, inf), got " + topK);
            }
            if (checkpointEverySteps < 0) {
                throw new IllegalArgumentException("checkpoint_every_steps must be in [0, inf), got " + checkpointEverySteps);
            }
        }
    }

    @Override
    public Trainer create(Params params) {
        try {
            EarlyStopping.Spec es = null;
            if (params.has("early_stopping")) {
                Params p = params.getParams("early_stopping");
                es = new EarlyStopping.Spec(p.getString("monitor", "val_loss"), p.getString("mode", "min"),
                        p.getInt("patience", 5), p.getDouble("min_delta", 0), p.getBoolean("restore_best", true));
            }
            return new SupervisedTrainer(new SupervisedSpec(es, params.getString("schedule_monitor", ""),
                    params.getInt("top_k", 5), params.getInt("checkpoint_every_steps", 0)));
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw m != null && m.startsWith(params.path()) ? e : new IllegalArgumentException(params.path() + ": " + m, e);
        }
    }
}
