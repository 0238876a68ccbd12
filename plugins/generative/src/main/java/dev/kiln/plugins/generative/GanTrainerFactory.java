package dev.kiln.plugins.generative;

import dev.kiln.api.plugin.Params;
import dev.kiln.api.train.Trainer;
import dev.kiln.api.train.TrainerFactory;
import org.osgi.service.component.annotations.Component;

/**
 * A generative adversarial net trained by Goodfellow et al.'s Algorithm 1; see {@link GanTrainer}. The spec names
 * models {@code generator} (input {@code input_shape: [latent_dim]}) and {@code discriminator} (one logit per
 * example), optimizers {@code generator} and {@code discriminator}, and {@code loss: {name: bce_with_logits}}.
 * <pre>{@code
 * trainer:
 *   name: gan
 *   params:
 *     latent_dim: 100
 *     k: 1                           # discriminator steps per generator step
 *     generator_loss: non_saturating # or saturating: log(1 - D(G(z))) as in the minimax game
 *     output: tanh                   # the generator's output as an image: tanh ([-1, 1] data), sigmoid or identity
 *     samples: 64
 *     checkpoint_every_steps: 0
 *     frechet_samples: 10000         # generated and test images of the final frechet_distance (0: off); see FrechetMetric
 * }</pre>
 */
@Component(property = {"kiln.kind=trainer", "kiln.name=gan"})
public final class GanTrainerFactory implements TrainerFactory {

    /** Validated settings; see the class comment. */
    public record GanSpec(int latentDim, int k, boolean saturating, String output, int samples, int checkpointEverySteps,
                          int frechetSamples) {
        public GanSpec {
            if (checkpointEverySteps < 0) {
                throw new IllegalArgumentException("checkpoint_every_steps must be in [0, inf), got " + checkpointEverySteps);
            }
        }
    }

    static GanSpec read(Params params) {
        try {
            String g = params.getString("generator_loss", "non_saturating");
            if (!g.equals("saturating") && !g.equals("non_saturating")) {
                throw new IllegalArgumentException("generator_loss must be saturating or non_saturating, got \"" + g + "\"");
            }
            return new GanSpec(Parts.positive(params, "latent_dim", 100), Parts.positive(params, "k", 1), g.equals("saturating"),
                    Parts.output(params, "output", "tanh"), Parts.positive(params, "samples", 64), params.getInt("checkpoint_every_steps", 0),
                    FrechetMetric.samples(params));
        } catch (IllegalArgumentException e) {
            throw Parts.located(params, e);
        }
    }

    @Override
    public Trainer create(Params params) {
        return new GanTrainer(read(params));
    }
}
