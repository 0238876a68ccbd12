package dev.kiln.plugins.generative;

import dev.kiln.api.plugin.Params;
import dev.kiln.api.train.Trainer;
import dev.kiln.api.train.TrainerFactory;
import org.osgi.service.component.annotations.Component;

/**
 * DCGAN (Radford et al., 2016, arXiv:1511.06434): the {@link GanTrainer} loop with the architecture in the spec — a
 * generator of transposed convolutions with batch norm and ReLU ending in tanh, a discriminator of strided
 * convolutions with leaky ReLU (0.2) — trained with Adam (lr 0.0002, beta1 0.5) on images scaled to
 * [-1, 1]. Same parameters as {@code gan}.
 */
@Component(property = {"kiln.kind=trainer", "kiln.name=dcgan"})
public final class DcganTrainerFactory implements TrainerFactory {

    @Override
    public Trainer create(Params params) {
        return new GanTrainer(GanTrainerFactory.read(params));
    }
}
