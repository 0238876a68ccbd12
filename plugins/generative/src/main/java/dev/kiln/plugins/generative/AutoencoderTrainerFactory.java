package dev.kiln.plugins.generative;

import dev.kiln.api.plugin.Params;
import dev.kiln.api.train.Trainer;
import dev.kiln.api.train.TrainerFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Autoencoders: plain, denoising and sparse, fully connected or convolutional (the architecture is the spec's);
 * see {@link AutoencoderTrainer}. The spec's {@code loss} compares the decoder's output with the clean input
 * ({@code mse}, or {@code bce_with_logits} with {@code output: sigmoid}).
 * <pre>{@code
 * trainer:
 *   name: autoencoder
 *   params:
 *     split: true            # models encoder and decoder (needed for sparsity); false: the spec's one model
 *     sparsity: 0.001        # λ of the L1 penalty λ·Σ|code| per example (sparse autoencoder; needs split)
 *     noise_std: 0.3         # denoising: x̃ = clip(x + ε), ε ~ N(0, noise_std²)
 *     mask_p: 0.0            # denoising: each pixel of x̃ zeroed with probability mask_p
 *     output: identity       # how the output becomes an image: identity, sigmoid (logits) or tanh
 *     samples: 32            # input/reconstruction pairs in each grid
 *     checkpoint_every_steps: 0
 * }</pre>
 */
@Component(property = {"kiln.kind=trainer", "kiln.name=autoencoder"})
public final class AutoencoderTrainerFactory implements TrainerFactory {

    /** Validated settings; see the class comment for their meaning. */
    public record AutoencoderSpec(boolean split, double sparsity, double noiseStd, double maskP, String output, int samples,
                                  int checkpointEverySteps) {
        public AutoencoderSpec {
            if (sparsity > 0 && !split) {
                throw new IllegalArgumentException("sparsity needs the code: set split: true and name models encoder and decoder");
            }
            if (maskP < 0 || maskP >= 1) {
                throw new IllegalArgumentException("mask_p must be in [0, 1), got " + maskP);
            }
            if (checkpointEverySteps < 0) {
                throw new IllegalArgumentException("checkpoint_every_steps must be in [0, inf), got " + checkpointEverySteps);
            }
        }

        boolean denoising() {
            return noiseStd > 0 || maskP > 0;
        }
    }

    @Override
    public Trainer create(Params params) {
        try {
            return new AutoencoderTrainer(new AutoencoderSpec(params.getBoolean("split", false), Parts.nonNegative(params, "sparsity", 0),
                    Parts.nonNegative(params, "noise_std", 0), params.getDouble("mask_p", 0), Parts.output(params, "output", "identity"),
                    Parts.positive(params, "samples", 32), params.getInt("checkpoint_every_steps", 0)));
        } catch (IllegalArgumentException e) {
            throw Parts.located(params, e);
        }
    }
}
