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
        Tensor fake = generator.forward(z, c).reshape(real.shape());
        DiscriminatorLoss l = discriminatorLoss(discriminator, loss, real, fake, c);
        double value = descend(l.loss(), optimizer);
        return new DiscriminatorStep(value, l.realLogits().detach().sigmoid().mean().item(), l.fakeLogits().detach().sigmoid().mean().item());
    }

    /** The discriminator's objective on a real and a fake batch, with the logits it saw. */
    record DiscriminatorLoss(Tensor loss, Tensor realLogits, Tensor fakeLogits) {
    }

    /**
     * {@code loss(D(real), 1) + loss(D(fake), 0)}, the fake batch detached so that no gradient reaches whatever made it.
     * Real and fake go through D separately (batch statistics are not mixed).
     */
    static DiscriminatorLoss discriminatorLoss(Layer discriminator, Loss loss, Tensor real, Tensor fake, ForwardContext c) {
        Tensors t = c.tensors();
        Tensor realLogits = discriminator.forward(real, c);
        Tensor fakeLogits = discriminator.forward(fake.detach(), c);
        Tensor l = loss.compute(realLogits, Parts.ones(realLogits, t)).add(loss.compute(fakeLogits, Parts.zeros(fakeLogits, t)));
        return new DiscriminatorLoss(l, realLogits, fakeLogits);
    }

    /**
     * {@code loss(D(fake), 1)}: the generator's non-saturating (or least-squares) objective. The gradient flows through D
     * into {@code fake}; D's parameters change only if the optimizer that steps holds them.
     */
    static Tensor fooling(Layer discriminator, Loss loss, Tensor fake, ForwardContext c) {
        Tensor logits = discriminator.forward(fake, c);
        return loss.compute(logits, Parts.ones(logits, c.tensors()));
    }

    /** One update of the optimizer's parameters down {@code l}: zero their gradients, back-propagate, step. Returns l. */
    static double descend(Tensor l, Optimizer optimizer) {
        double value = l.item();
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return value;
    }

    /**
     * Descends the generator's loss through the discriminator without updating it: saturating
     * {@code log(1 - D(G(z))) = -BCE(D(G(z)), 0)}, or non-saturating {@code -log D(G(z)) = BCE(D(G(z)), 1)}. Only the
     * generator's optimizer steps; the gradients this leaves on the discriminator's parameters are dropped by its
     * next {@code zeroGrad}.
     */
    static double generatorStep(Layer generator, Layer discriminator, Optimizer optimizer, Loss loss, Tensor z, int[] imageShape,
                                boolean saturating, ForwardContext c) {
        Tensor fake = generator.forward(z, c).reshape(imageShape);
        Tensor l;
        if (saturating) {
            Tensor logits = discriminator.forward(fake, c);
            l = loss.compute(logits, Parts.zeros(logits, c.tensors())).neg();
        } else {
            l = fooling(discriminator, loss, fake, c);
        }
        return descend(l, optimizer);
    }
}
