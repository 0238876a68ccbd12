package dev.kiln.plugins.generative;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

/**
 * The two updates of Goodfellow et al. (2014), Algorithm 1, with {@code loss} the binary cross-entropy on the
 * discriminator's logits ({@code bce_with_logits}, mean), so that {@code BCE(D(x), 1) = -log D(x)} and
 * {@code BCE(D(G(z)), 0) = -log(1 - D(G(z)))}.
 */
final class GanSteps {

    private GanSteps() {
    }

    /** Losses and mean discriminator outputs of one discriminator update. */
    record DiscriminatorStep(double loss, double dReal, double dFake) {
    }

    /**
     * Ascends {@code log D(x) + log(1 - D(G(z)))} by descending {@code BCE(D(x), 1) + BCE(D(G(z)), 0)}. The fake batch is
     * detached: no gradient reaches the generator.
     */
    static DiscriminatorStep discriminatorStep(Layer generator, Layer discriminator, Optimizer optimizer, Loss loss, Tensor real,
                                               Tensor z, ForwardContext c) {
        Tensors t = c.tensors();
        Tensor fake = generator.forward(z, c).detach();
        Tensor realLogits = discriminator.forward(real, c);
        Tensor fakeLogits = discriminator.forward(fake.reshape(real.shape()), c);
        Tensor l = loss.compute(realLogits, Parts.ones(realLogits, t)).add(loss.compute(fakeLogits, Parts.zeros(fakeLogits, t)));
        double value = l.item();
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return new DiscriminatorStep(value, realLogits.detach().sigmoid().mean().item(), fakeLogits.detach().sigmoid().mean().item());
    }

    /**
     * Descends the generator's loss through the discriminator without updating it: saturating
     * {@code log(1 - D(G(z))) = -BCE(D(G(z)), 0)}, or non-saturating {@code -log D(G(z)) = BCE(D(G(z)), 1)}. Only the
     * generator's optimizer steps; the gradients this leaves on the discriminator's parameters are dropped by its
     * next {@code zeroGrad}.
     */
    static double generatorStep(Layer generator, Layer discriminator, Optimizer optimizer, Loss loss, Tensor z, int[] imageShape,
                                boolean saturating, ForwardContext c) {
        Tensors t = c.tensors();
        Tensor fake = generator.forward(z, c);
        Tensor logits = discriminator.forward(fake.reshape(imageShape), c);
        Tensor l = saturating ? loss.compute(logits, Parts.zeros(logits, t)).neg() : loss.compute(logits, Parts.ones(logits, t));
        double value = l.item();
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return value;
    }
}
