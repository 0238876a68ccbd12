package dev.kiln.plugins.generative;

import dev.kiln.api.plugin.Params;
import dev.kiln.api.train.Trainer;
import dev.kiln.api.train.TrainerFactory;
import org.osgi.service.component.annotations.Component;

/**
 * A variational autoencoder; see {@link VaeTrainer} and {@link Elbo}. The spec names models {@code encoder} (output
 * {@code 2 × latent_dim}: means then log-variances) and {@code decoder} ({@code input_shape: [latent_dim]}, output one
 * value per pixel), and the decoder's negative log-likelihood as {@code loss}, summed over pixels:
 * {@code {name: bce_with_logits, params: {reduction: sum}}} (Bernoulli) or
 * {@code {name: mse, params: {half: true, reduction: sum}}} (Gaussian, unit variance).
 * <pre>{@code
 * trainer:
 *   name: vae
 *   params:
 *     latent_dim: 20
 *     likelihood: bernoulli     # or gaussian
 *     samples: 64               # prior samples per grid (a square number lays out evenly)
 *     interpolations: 8         # rows of 8-step latent interpolations between test images
 *     checkpoint_every_steps: 0
 *     frechet_samples: 10000    # prior samples and test images of the final frechet_distance (0: off); see FrechetMetric
 * }</pre>
 */
@Component(property = {"kiln.kind=trainer", "kiln.name=vae"})
public final class VaeTrainerFactory implements TrainerFactory {

    /** Validated settings; see the class comment. */
    public record VaeSpec(int latentDim, boolean bernoulli, int samples, int interpolations, int checkpointEverySteps,
                          int frechetSamples) {
        public VaeSpec {
            if (checkpointEverySteps < 0) {
                throw new IllegalArgumentException("checkpoint_every_steps must be in [0, inf), got " + checkpointEverySteps);
            }
        }
    }

    @Override
    public Trainer create(Params params) {
        try {
            String likelihood = params.getString("likelihood", "bernoulli");
            if (!likelihood.equals("bernoulli") && !likelihood.equals("gaussian")) {
                throw new IllegalArgumentException("likelihood must be bernoulli or gaussian, got \"" + likelihood + "\"");
            }
            return new VaeTrainer(new VaeSpec(Parts.positive(params, "latent_dim", 20), likelihood.equals("bernoulli"),
                    Parts.positive(params, "samples", 64), Parts.positive(params, "interpolations", 8),
                    params.getInt("checkpoint_every_steps", 0), FrechetMetric.samples(params)));
        } catch (IllegalArgumentException e) {
            throw Parts.located(params, e);
        }
    }
}
