package dev.kiln.plugins.generative;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.api.train.Checkpoint;
import dev.kiln.api.train.Trainer;
import dev.kiln.api.train.TrainingRun;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CycleGAN's loop (Zhu et al., 2017), one memory scope per iteration:
 * <pre>
 * for each iteration:  x a batch of domain X, y a batch of domain Y (independent orders: unpaired)
 *     update G, F down  adv(D_Y(G(x)), 1) + adv(D_X(F(y)), 1) + λ_cyc (|F(G(x)) - x| + |G(F(y)) - y|) [+ λ_id identity]
 *     update D_X, D_Y down  ½ [adv(D_Y(y), 1) + adv(D_Y(G(x)), 0)] + ½ [adv(D_X(x), 1) + adv(D_X(F(y)), 0)], fakes detached
 * </pre>
 * (see {@link CycleSteps}). The domains come from {@link UnpairedDomains}; an epoch is as many full batches as the smaller
 * domain has. One reported step is one iteration. Per step: {@code loss} (both objectives), {@code g_loss},
 * {@code g_adv}, {@code cycle_loss} (the spec's loss of both cycles, unweighted), {@code identity_loss} (when weighted),
 * {@code d_loss}, and the discriminators' mean outputs {@code d_x_real}, {@code d_x_fake}, {@code d_y_real},
 * {@code d_y_fake} (raw for least squares, whose targets are 1 and 0; probabilities for bce). Per epoch their means and
 * two grids of test images, {@code x-to-y-to-x-<step>.png} (triples x, G(x), F(G(x))) and {@code y-to-x-to-y-<step>.png}.
 * Results: {@code test_cycle_l1_x} (mean |F(G(x)) - x| per pixel over domain X's test images, in [0, 1] pixel units),
 * {@code test_cycle_l1_y} (likewise |G(F(y)) - y|) and {@code test_cycle_l1}, their mean.
 */
final class CycleGanTrainer implements Trainer {

    private final CycleGanTrainerFactory.CycleGanSpec spec;

    CycleGanTrainer(CycleGanTrainerFactory.CycleGanSpec spec) {
        this.spec = spec;
    }

    private static CycleSteps.Nets nets(TrainingRun run) {
        return new CycleSteps.Nets(run.model("g"), run.model("f"), run.model("d_x"), run.model("d_y"));
    }

    private UnpairedDomains domains(TrainingRun run) {
        return UnpairedDomains.build(run.dataset(), spec.x(), spec.y(), run.generator().seed(), run.tensors());
    }

    private Loss adversarial() {
        return spec.leastSquares() ? CycleSteps.LEAST_SQUARES : CycleSteps.BCE_WITH_LOGITS;
    }

    private static void checkLoss(TrainingRun run) {
        try (MemoryScope scope = run.tensors().scope(); GradMode off = run.tensors().noGrad()) {
            Parts.probeLoss(run.loss(), run.tensors(), 1, false,
                    "the cyclegan trainer needs the cycle-consistency loss as loss: {name: l1} (mean)");
        }
    }

    @Override
    public void train(TrainingRun run) {
        checkLoss(run);
        CycleSteps.Nets n = nets(run);
        UnpairedDomains domains = domains(run);
        int batchSize = run.batchSize();
        int count = domains.batchesPerEpoch(batchSize);
        if (count == 0) {
            throw new IllegalStateException("an epoch needs one batch of each domain, but domain_x has " + domains.trainSize(UnpairedDomains.X)
                    + " and domain_y " + domains.trainSize(UnpairedDomains.Y) + " training images for batch_size " + batchSize
                    + "; lower trainer.batch_size or raise trainer.max_train_examples");
        }
        Optimizer optG = run.optimizer("generators", n.generatorParameters());
        Optimizer optD = run.optimizer("discriminators", n.discriminatorParameters());
        Loss adversarial = adversarial();
        Loss cycle = run.loss();
        CycleSteps.Weights weights = new CycleSteps.Weights(spec.lambdaCycle(), spec.lambdaIdentity());
        Tensors t = run.tensors();
        Checkpoint start = Parts.start(run);
        Map<String, Double> state = new LinkedHashMap<>(start.state());
        long step = start.step();
        if (run.resumePoint().isPresent()) {
            run.reporter().log("resumed at epoch " + (start.epoch() + 1) + ", batch " + start.batch() + ", step " + step);
        }
        run.reporter().log(String.format("domains: X %d training / %d test images, Y %d / %d; %d iterations per epoch",
                domains.trainSize(UnpairedDomains.X), domains.testSize(UnpairedDomains.X), domains.trainSize(UnpairedDomains.Y),
                domains.testSize(UnpairedDomains.Y), count));
        for (int epoch = start.epoch(); epoch < run.epochs(); epoch++) {
            Parts.EpochSums sums = new Parts.EpochSums();
            int batch = epoch == start.epoch() ? start.batch() : 0;
            if (batch > 0) {
                sums.importFrom(state);
            }
            for (; batch < count; batch++) {
                if (run.stopRequested()) {
                    run.checkpoint(new Checkpoint(epoch, batch, step, sums.exportTo(state)));
                    run.reporter().log("stop requested: checkpointed at step " + step + "; continue with kiln run --resume");
                    return;
                }
                try (MemoryScope scope = t.scope()) {
                    Tensor x = domains.trainBatch(UnpairedDomains.X, epoch, batch, batchSize, run.generator(), t);
                    Tensor y = domains.trainBatch(UnpairedDomains.Y, epoch, batch, batchSize, run.generator(), t);
                    ForwardContext c = run.forward(true);
                    CycleSteps.GeneratorStep g = CycleSteps.generatorStep(n, optG, adversarial, cycle, weights, x, y, c);
                    Parts.requireFinite(g.total(), "generator loss", step + 1, epoch, batch);
                    CycleSteps.DiscriminatorStep d = CycleSteps.discriminatorStep(n, optD, adversarial, x, y, g.fakeX(), g.fakeY(), c);
                    Parts.requireFinite(d.loss(), "discriminator loss", step + 1, epoch, batch);
                    step++;
                    Map<String, Double> m = new LinkedHashMap<>();
                    m.put("loss", g.total() + d.loss());
                    m.put("g_loss", g.total());
                    m.put("g_adv", g.adversarial());
                    m.put("cycle_loss", g.cycleX() + g.cycleY());
                    if (spec.lambdaIdentity() > 0) {
                        m.put("identity_loss", g.identity());
                    }
                    m.put("d_loss", d.loss());
                    m.put("d_x_real", d.dXReal());
                    m.put("d_x_fake", d.dXFake());
                    m.put("d_y_real", d.dYReal());
                    m.put("d_y_fake", d.dYFake());
                    sums.add(m);
                    run.reporter().step(step, epoch, batch, count, 2 * batchSize, m);
                }
                if (spec.checkpointEverySteps() > 0 && step % spec.checkpointEverySteps() == 0 && batch + 1 < count) {
                    run.checkpoint(new Checkpoint(epoch, batch + 1, step, sums.exportTo(state)));
                }
            }
            run.reporter().epoch(epoch, sums.means());
            grids(run, n, domains, step);
            run.checkpoint(new Checkpoint(epoch + 1, 0, step, state));
            if (run.stopRequested() && epoch + 1 < run.epochs()) {
                run.reporter().log("stop requested: checkpointed after epoch " + (epoch + 1) + "; continue with kiln run --resume");
                return;
            }
        }
        Map<String, Double> results = test(run, n, domains);
        results.put("steps", (double) step);
        run.reporter().result(results);
    }

    @Override
    public void evaluate(TrainingRun run) {
        CycleSteps.Nets n = nets(run);
        UnpairedDomains domains = domains(run);
        grids(run, n, domains, 0);
        run.reporter().result(test(run, n, domains));
    }

    /** {@code x-to-y-to-x-<step>.png} and {@code y-to-x-to-y-<step>.png}: the first test images of each domain and their cycles. */
    private void grids(TrainingRun run, CycleSteps.Nets n, UnpairedDomains domains, long step) {
        Tensors t = run.tensors();
        try (MemoryScope scope = t.scope(); GradMode off = t.noGrad()) {
            ForwardContext c = run.forward(false);
            Tensor x = domains.testBatch(UnpairedDomains.X, 0, spec.samples(), t);
            Tensor gx = n.g().forward(x, c);
            Tensor fgx = n.f().forward(gx, c);
            run.reporter().images("x-to-y-to-x", step, Parts.interleave(
                    List.of(domains.toUnit(x, t), domains.toUnit(gx, t), domains.toUnit(fgx, t)), t));
            Tensor y = domains.testBatch(UnpairedDomains.Y, 0, spec.samples(), t);
            Tensor fy = n.f().forward(y, c);
            Tensor gfy = n.g().forward(fy, c);
            run.reporter().images("y-to-x-to-y", step, Parts.interleave(
                    List.of(domains.toUnit(y, t), domains.toUnit(fy, t), domains.toUnit(gfy, t)), t));
        }
    }

    /** Mean |cycle(v) - v| per pixel over each domain's test images, in [0, 1] pixel units (the data's range scaled to 1). */
    private Map<String, Double> test(TrainingRun run, CycleSteps.Nets n, UnpairedDomains domains) {
        Tensors t = run.tensors();
        double[] l1 = new double[2];
        for (int d = 0; d < 2; d++) {
            double sum = 0;
            long pixels = 0;
            for (int from = 0; from < domains.testSize(d); from += run.batchSize()) {
                try (MemoryScope scope = t.scope(); GradMode off = t.noGrad()) {
                    ForwardContext c = run.forward(false);
                    Tensor v = domains.testBatch(d, from, from + run.batchSize(), t);
                    Tensor back = d == UnpairedDomains.X ? n.f().forward(n.g().forward(v, c), c) : n.g().forward(n.f().forward(v, c), c);
                    sum += back.sub(v).abs().sum().item();
                    pixels += v.numel();
                }
            }
            l1[d] = sum / Math.max(1, pixels) / domains.range();
        }
        Map<String, Double> results = new LinkedHashMap<>();
        results.put("test_cycle_l1_x", l1[0]);
        results.put("test_cycle_l1_y", l1[1]);
        results.put("test_cycle_l1", (l1[0] + l1[1]) / 2);
        run.reporter().log(String.format("test: cycle L1 per pixel X→Y→X %.5f, Y→X→Y %.5f ([0, 1] pixel units)", l1[0], l1[1]));
        return results;
    }
}
