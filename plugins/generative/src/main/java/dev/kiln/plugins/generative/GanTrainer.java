package dev.kiln.plugins.generative;

import dev.kiln.api.data.Split;
import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.api.train.Checkpoint;
import dev.kiln.api.train.MiniBatch;
import dev.kiln.api.train.MiniBatches;
import dev.kiln.api.train.Trainer;
import dev.kiln.api.train.TrainingRun;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Goodfellow et al. (2014), Algorithm 1, one memory scope per iteration:
 * <pre>
 * for each iteration (k training batches):
 *     k times:  z ~ N(0, I);  x a real batch;  update D by descending BCE(D(x), 1) + BCE(D(G(z)), 0)
 *     z ~ N(0, I);  update G by descending log(1 - D(G(z))) (saturating) or -log D(G(z)) (non-saturating),
 *                   the gradient flowing through D, whose parameters stay unchanged
 * </pre>
 * Noise comes from the run's generator (checkpointed). One reported step is one iteration ({@code k} discriminator
 * updates and one generator update). Per step: {@code d_loss}, {@code g_loss}, {@code d_real}, {@code d_fake} (mean
 * D(x) and D(G(z))); per epoch their means and {@code samples-<step>.png} from a fixed noise batch. Results: the last
 * epoch's means and, on the test split, {@code test_d_real} (how real D finds test images) and {@code test_d_fake};
 * then {@code frechet_distance} between {@code frechet_samples} generated and test images ({@link FrechetMetric}).
 */
final class GanTrainer implements Trainer {

    private final GanTrainerFactory.GanSpec spec;

    GanTrainer(GanTrainerFactory.GanSpec spec) {
        this.spec = spec;
    }

    private void checkLoss(TrainingRun run) {
        try (MemoryScope scope = run.tensors().scope(); GradMode off = run.tensors().noGrad()) {
            Parts.probeLoss(run.loss(), run.tensors(), Math.log(2), false,
                    "the gan trainer needs loss: {name: bce_with_logits} (mean) on the discriminator's logits");
        }
    }

    private Tensor noise(TrainingRun run, int n) {
        return run.tensors().normal(run.generator(), 0, 1, DType.FLOAT32, n, spec.latentDim());
    }

    private int[] images(TrainingRun run, int n) {
        int[] e = run.dataset().info().exampleShape();
        int[] s = new int[e.length + 1];
        s[0] = n;
        System.arraycopy(e, 0, s, 1, e.length);
        return s;
    }

    @Override
    public void train(TrainingRun run) {
        checkLoss(run);
        FrechetMetric.check(run, spec.frechetSamples(), tanhData());
        Layer g = run.model("generator");
        Layer d = run.model("discriminator");
        Optimizer optD = run.optimizer("discriminator", Parts.named("discriminator", d));
        Optimizer optG = run.optimizer("generator", Parts.named("generator", g));
        Loss loss = run.loss();
        Tensors t = run.tensors();
        Checkpoint start = Parts.start(run);
        Map<String, Double> state = new LinkedHashMap<>(start.state());
        long step = start.step();
        Map<String, Double> last = Map.of();
        for (int epoch = start.epoch(); epoch < run.epochs(); epoch++) {
            int first = epoch == start.epoch() ? start.batch() : 0;
            Parts.EpochSums sums = new Parts.EpochSums();
            if (first > 0) {
                sums.importFrom(state);
            }
            try (MiniBatches batches = run.batches(Split.TRAIN, epoch, first)) {
                if (batches.count() < spec.k()) {
                    throw new IllegalStateException("k = " + spec.k() + " discriminator steps need " + spec.k()
                            + " batches per iteration, but an epoch has " + batches.count() + "; lower k or the batch size");
                }
                while (batches.cursor() + spec.k() <= batches.count()) {
                    if (run.stopRequested()) {
                        run.checkpoint(new Checkpoint(epoch, batches.cursor(), step, sums.exportTo(state)));
                        run.reporter().log("stop requested: checkpointed at step " + step + "; continue with kiln run --resume");
                        return;
                    }
                    try (MemoryScope scope = t.scope()) {
                        ForwardContext c = run.forward(true);
                        double dLoss = 0, dReal = 0, dFake = 0;
                        int examples = 0, index = 0, n = 0;
                        for (int i = 0; i < spec.k(); i++) {
                            MiniBatch real = batches.next();
                            GanSteps.DiscriminatorStep s = GanSteps.discriminatorStep(g, d, optD, loss, real.features(), noise(run, real.size()), c);
                            dLoss += s.loss() / spec.k();
                            dReal += s.dReal() / spec.k();
                            dFake += s.dFake() / spec.k();
                            examples += real.size();
                            index = real.index();
                            n = real.size();
                        }
                        double gLoss = GanSteps.generatorStep(g, d, optG, loss, noise(run, n), images(run, n), spec.saturating(), c);
                        step++;
                        Parts.requireFinite(dLoss, "discriminator loss", step, epoch, index);
                        Parts.requireFinite(gLoss, "generator loss", step, epoch, index);
                        Map<String, Double> m = new LinkedHashMap<>();
                        m.put("loss", dLoss + gLoss);
                        m.put("d_loss", dLoss);
                        m.put("g_loss", gLoss);
                        m.put("d_real", dReal);
                        m.put("d_fake", dFake);
                        sums.add(m);
                        run.reporter().step(step, epoch, index, batches.count(), examples, m);
                    }
                    if (spec.checkpointEverySteps() > 0 && step % spec.checkpointEverySteps() == 0
                            && batches.cursor() + spec.k() <= batches.count()) {
                        run.checkpoint(new Checkpoint(epoch, batches.cursor(), step, sums.exportTo(state)));
                    }
                }
            }
            last = sums.means();
            run.reporter().epoch(epoch, last);
            samples(run, g, step);
            run.checkpoint(new Checkpoint(epoch + 1, 0, step, state));
            if (run.stopRequested() && epoch + 1 < run.epochs()) {
                run.reporter().log("stop requested: checkpointed after epoch " + (epoch + 1) + "; continue with kiln run --resume");
                return;
            }
        }
        Map<String, Double> results = new LinkedHashMap<>();
        last.forEach((k, v) -> results.put("final_" + k, v));
        results.putAll(test(run, g, d));
        results.put("steps", (double) step);
        results.putAll(frechet(run, g));
        run.reporter().result(results);
    }

    @Override
    public void evaluate(TrainingRun run) {
        Layer g = run.model("generator");
        samples(run, g, 0);
        Map<String, Double> results = new LinkedHashMap<>(test(run, g, run.model("discriminator")));
        results.putAll(frechet(run, g));
        run.reporter().result(results);
    }

    /** A tanh generator is trained on data normalised to [-1, 1]; sigmoid and identity outputs on [0, 1]. */
    private boolean tanhData() {
        return spec.output().equals("tanh");
    }

    private Map<String, Double> frechet(TrainingRun run, Layer g) {
        return FrechetMetric.evaluate(run, spec.frechetSamples(), tanhData(), (t, noise, n) -> {
            Tensor x = g.forward(t.normal(noise, 0, 1, DType.FLOAT32, n, spec.latentDim()), run.forward(false));
            return Parts.toUnit(x.reshape(images(run, n)), spec.output(), t);
        });
    }

    /** {@code samples-<step>.png}: G(z) for a noise batch fixed by the run's seed, so grids compare across epochs. */
    private void samples(TrainingRun run, Layer g, long step) {
        Tensors t = run.tensors();
        try (MemoryScope scope = t.scope(); GradMode off = t.noGrad()) {
            Tensor z = t.normal(t.generator(run.generator().seed() + 104729), 0, 1, DType.FLOAT32, spec.samples(), spec.latentDim());
            Tensor x = g.forward(z, run.forward(false)).reshape(images(run, spec.samples()));
            run.reporter().images("samples", step, Parts.asImages(Parts.toUnit(x, spec.output(), t), run.dataset().info().exampleShape()));
        }
    }

    /** Mean D(x) over the test split and mean D(G(z)) over as many samples (noise seeded from the run's seed). */
    private Map<String, Double> test(TrainingRun run, Layer g, Layer d) {
        Tensors t = run.tensors();
        var noise = t.generator(run.generator().seed() + 15485863);
        double real = 0, fake = 0;
        long n = 0;
        try (MiniBatches batches = run.batches(Split.TEST, 0, 0)) {
            while (batches.hasNext()) {
                try (MemoryScope scope = t.scope(); GradMode off = t.noGrad()) {
                    MiniBatch b = batches.next();
                    ForwardContext c = run.forward(false);
                    real += d.forward(b.features(), c).sigmoid().sum().item();
                    Tensor x = g.forward(t.normal(noise, 0, 1, DType.FLOAT32, b.size(), spec.latentDim()), c);
                    fake += d.forward(x.reshape(b.features().shape()), c).sigmoid().sum().item();
                    n += b.size();
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("test_d_real", real / Math.max(1, n));
        out.put("test_d_fake", fake / Math.max(1, n));
        return out;
    }
}
