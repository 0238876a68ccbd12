package dev.kiln.plugins.generative;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The two updates of one CycleGAN iteration (Zhu et al., 2017, §3 and §4), built on {@link GanSteps}:
 * <pre>
 * generators:      ŷ = G(x), x̂ = F(y)
 *                  L = adv(D_Y(ŷ), 1) + adv(D_X(x̂), 1)
 *                    + λ_cyc (cyc(F(ŷ), x) + cyc(G(x̂), y))           cycle consistency (cyc: the spec's loss, L1)
 *                    + λ_id (cyc(G(y), y) + cyc(F(x), x))             identity (only when λ_id &gt; 0)
 *                  one step of the generators' optimizer (over G and F only: D_X and D_Y stay unchanged)
 * discriminators:  L = ½ [adv(D_Y(y), 1) + adv(D_Y(ŷ), 0)] + ½ [adv(D_X(x), 1) + adv(D_X(x̂), 0)]
 *                  on the detached ŷ, x̂ (no gradient reaches G or F); one step of the discriminators' optimizer
 * </pre>
 * The halving of the discriminators' objective is Zhu et al.'s ("we divide the objective by 2 while optimizing D").
 * {@code adv} is least squares {@code mean((D(·) - target)²)} (LSGAN, as the paper) or binary cross-entropy on logits.
 */
final class CycleSteps {

    private CycleSteps() {
    }

    /** The four networks; {@code g}: X → Y, {@code f}: Y → X. */
    record Nets(Layer g, Layer f, Layer dX, Layer dY) {

        List<Parameter> generatorParameters() {
            List<Parameter> all = new ArrayList<>(Parts.named("g", g));
            all.addAll(Parts.named("f", f));
            return all;
        }

        List<Parameter> discriminatorParameters() {
            List<Parameter> all = new ArrayList<>(Parts.named("d_x", dX));
            all.addAll(Parts.named("d_y", dY));
            return all;
        }
    }

    /** {@code mean((prediction - target)²)}: the least-squares GAN objective of Mao et al. (2017) that CycleGAN uses. */
    static final Loss LEAST_SQUARES = (prediction, target) -> {
        Tensor d = prediction.sub(target);
        return d.mul(d).mean();
    };

    /** {@code mean(max(p, 0) - p·t + log(1 + exp(-|p|)))}: binary cross-entropy on logits, computed stably. */
    static final Loss BCE_WITH_LOGITS = (prediction, target) ->
            prediction.relu().sub(prediction.mul(target)).add(prediction.abs().neg().exp().add(1).log()).mean();

    /** Weights of the generators' objective. */
    record Weights(double cycle, double identity) {
    }

    /**
     * What one generator update measured, and its fakes (detached) for the discriminators' update.
     *
     * @param adversarial {@code adv(D_Y(G(x)), 1) + adv(D_X(F(y)), 1)}
     * @param cycleX      {@code cyc(F(G(x)), x)}
     * @param cycleY      {@code cyc(G(F(y)), y)}
     * @param identity    {@code cyc(G(y), y) + cyc(F(x), x)}, 0 when not weighted
     * @param total       the objective descended
     */
    record GeneratorStep(double adversarial, double cycleX, double cycleY, double identity, double total, Tensor fakeY, Tensor fakeX) {
    }

    static GeneratorStep generatorStep(Nets n, Optimizer generators, Loss adversarial, Loss cycle, Weights w, Tensor x, Tensor y,
                                       ForwardContext c) {
        Tensor fakeY = n.g().forward(x, c);
        Tensor fakeX = n.f().forward(y, c);
        Tensor adv = GanSteps.fooling(n.dY(), adversarial, fakeY, c).add(GanSteps.fooling(n.dX(), adversarial, fakeX, c));
        Tensor cycX = cycle.compute(n.f().forward(fakeY, c), x);
        Tensor cycY = cycle.compute(n.g().forward(fakeX, c), y);
        Tensor total = adv.add(cycX.add(cycY).mul(w.cycle()));
        double identity = 0;
        if (w.identity() > 0) {
            Tensor idt = cycle.compute(n.g().forward(y, c), y).add(cycle.compute(n.f().forward(x, c), x));
            identity = idt.item();
            total = total.add(idt.mul(w.identity()));
        }
        double advValue = adv.item();
        double cx = cycX.item();
        double cy = cycY.item();
        double value = GanSteps.descend(total, generators);
        return new GeneratorStep(advValue, cx, cy, identity, value, fakeY.detach(), fakeX.detach());
    }

    /** What one discriminator update measured: the objective and the mean outputs on real and fake images (probabilities for bce). */
    record DiscriminatorStep(double loss, double dXReal, double dXFake, double dYReal, double dYFake) {
    }

    /** Updates D_X and D_Y together (one optimizer) on real batches and the generators' detached fakes. */
    static DiscriminatorStep discriminatorStep(Nets n, Optimizer discriminators, Loss adversarial, Tensor x, Tensor y, Tensor fakeX,
                                               Tensor fakeY, ForwardContext c) {
        GanSteps.DiscriminatorLoss lx = GanSteps.discriminatorLoss(n.dX(), adversarial, x, fakeX, c);
        GanSteps.DiscriminatorLoss ly = GanSteps.discriminatorLoss(n.dY(), adversarial, y, fakeY, c);
        double value = GanSteps.descend(lx.loss().add(ly.loss()).mul(0.5), discriminators);
        boolean logits = adversarial == BCE_WITH_LOGITS;
        return new DiscriminatorStep(value, mean(lx.realLogits(), logits), mean(lx.fakeLogits(), logits), mean(ly.realLogits(), logits),
                mean(ly.fakeLogits(), logits));
    }

    /** The mean output: raw (least squares, targets 1 and 0) or as a probability (logits). */
    private static double mean(Tensor output, boolean logits) {
        Tensor o = output.detach();
        return (logits ? o.sigmoid() : o).mean().item();
    }
}
