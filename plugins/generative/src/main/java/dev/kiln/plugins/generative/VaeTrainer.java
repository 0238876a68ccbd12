package dev.kiln.plugins.generative;

import dev.kiln.api.data.Split;
import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.api.train.Checkpoint;
import dev.kiln.api.train.MiniBatch;
import dev.kiln.api.train.MiniBatches;
import dev.kiln.api.train.Trainer;
import dev.kiln.api.train.TrainingRun;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The VAE loop, one memory scope per step: {@code ℓ = −ELBO(x)} ({@link Elbo}) with ε drawn from the run's generator,
 * {@code ℓ.backward(); optimizer.step()}. Per step {@code loss} (−ELBO), {@code reconstruction} and {@code kl}, in nats
 * per image; per epoch their means, {@code prior-samples-<step>.png} (decoder(z), z ~ N(0, I) from a noise batch fixed
 * by the seed: the Bernoulli means σ(logits), or the Gaussian means) and {@code interpolations-<step>.png} (rows
 * decoding μ linearly interpolated between two test images). Results: {@code test_neg_elbo},
 * {@code test_reconstruction_nll} and {@code test_kl}, nats per test image, one ε sample per image from a generator
 * seeded by the run's seed; then {@code frechet_distance} between {@code frechet_samples} prior samples (the decoder's
 * means, as in the grids) and as many test images ({@link FrechetMetric}).
 */
final class VaeTrainer implements Trainer {

    private final VaeTrainerFactory.VaeSpec spec;

    VaeTrainer(VaeTrainerFactory.VaeSpec spec) {
        this.spec = spec;
    }

    /** −log p(x|z) constant per image: D/2 · log 2π for the unit-variance Gaussian, 0 for Bernoulli. */
    private double constant(TrainingRun run) {
        if (spec.bernoulli()) {
            return 0;
        }
        long pixels = 1;
        for (int d : run.dataset().info().exampleShape()) {
            pixels *= d;
        }
        return 0.5 * pixels * Math.log(2 * Math.PI);
    }

    private void checkLoss(TrainingRun run) {
        try (MemoryScope scope = run.tensors().scope(); GradMode off = run.tensors().noGrad()) {
            if (spec.bernoulli()) {
                Parts.probeLoss(run.loss(), run.tensors(), Math.log(2), true,
                        "a Bernoulli vae needs loss: {name: bce_with_logits, params: {reduction: sum}}");
            } else {
                Parts.probeLoss(run.loss(), run.tensors(), 0.5, true,
                        "a Gaussian vae needs loss: {name: mse, params: {half: true, reduction: sum}}");
            }
        }
    }

    private Tensor epsilon(Tensors t, Generator g, int n) {
        return t.normal(g, 0, 1, DType.FLOAT32, n, spec.latentDim());
    }

    @Override
    public void train(TrainingRun run) {
        checkLoss(run);
        FrechetMetric.check(run, spec.frechetSamples(), false);
        Layer encoder = run.model("encoder");
        Layer decoder = run.model("decoder");
        List<Parameter> params = new ArrayList<>(Parts.named("encoder", encoder));
        params.addAll(Parts.named("decoder", decoder));
        Optimizer optimizer = run.optimizer(params);
        Loss loss = run.loss();
        Tensors t = run.tensors();
        double constant = constant(run);
        Checkpoint start = Parts.start(run);
        Map<String, Double> state = new LinkedHashMap<>(start.state());
        long step = start.step();
        for (int epoch = start.epoch(); epoch < run.epochs(); epoch++) {
            int first = epoch == start.epoch() ? start.batch() : 0;
            Parts.EpochSums sums = new Parts.EpochSums();
            if (first > 0) {
                sums.importFrom(state);
            }
            try (MiniBatches batches = run.batches(Split.TRAIN, epoch, first)) {
                while (batches.hasNext()) {
                    if (run.stopRequested()) {
                        run.checkpoint(new Checkpoint(epoch, batches.cursor(), step, sums.exportTo(state)));
                        run.reporter().log("stop requested: checkpointed at step " + step + "; continue with kiln run --resume");
                        return;
                    }
                    try (MemoryScope scope = t.scope()) {
                        MiniBatch batch = batches.next();
                        ForwardContext c = run.forward(true);
                        Tensor x = batch.features();
                        Elbo e = Elbo.of(encoder.forward(x, c), epsilon(t, run.generator(), batch.size()), decoder, loss, x, constant, c);
                        double value = e.negElbo().item();
                        Parts.requireFinite(value, "negative ELBO", step + 1, epoch, batch.index());
                        optimizer.zeroGrad();
                        e.negElbo().backward();
                        optimizer.step();
                        step++;
                        Map<String, Double> m = new LinkedHashMap<>();
                        m.put("loss", value);
                        m.put("reconstruction", e.reconstruction().item());
                        m.put("kl", e.kl().item());
                        sums.add(m);
                        run.reporter().step(step, epoch, batch.index(), batches.count(), batch.size(), m);
                    }
                    if (spec.checkpointEverySteps() > 0 && step % spec.checkpointEverySteps() == 0 && batches.hasNext()) {
                        run.checkpoint(new Checkpoint(epoch, batches.cursor(), step, sums.exportTo(state)));
                    }
                }
            }
            run.reporter().epoch(epoch, sums.means());
            pictures(run, encoder, decoder, step);
            run.checkpoint(new Checkpoint(epoch + 1, 0, step, state));
            if (run.stopRequested() && epoch + 1 < run.epochs()) {
                run.reporter().log("stop requested: checkpointed after epoch " + (epoch + 1) + "; continue with kiln run --resume");
                return;
            }
        }
        Map<String, Double> results = test(run, encoder, decoder, loss, constant);
        results.put("steps", (double) step);
        results.putAll(frechet(run, decoder));
        run.reporter().result(results);
    }

    @Override
    public void evaluate(TrainingRun run) {
        checkLoss(run);
        Layer encoder = run.model("encoder");
        Layer decoder = run.model("decoder");
        pictures(run, encoder, decoder, 0);
        Map<String, Double> results = test(run, encoder, decoder, run.loss(), constant(run));
        results.putAll(frechet(run, decoder));
        run.reporter().result(results);
    }

    /** Prior samples decoded to images in [0, 1]; the VAE's data are in [0, 1]. */
    private Map<String, Double> frechet(TrainingRun run, Layer decoder) {
        return FrechetMetric.evaluate(run, spec.frechetSamples(), false, (t, noise, n) -> decodeImages(run, decoder, epsilon(t, noise, n)));
    }

    private Tensor decodeImages(TrainingRun run, Layer decoder, Tensor z) {
        Tensor y = decoder.forward(z, run.forward(false));
        int[] e = run.dataset().info().exampleShape();
        return Parts.asImages(Parts.toUnit(y, spec.bernoulli() ? "sigmoid" : "identity", run.tensors()), e);
    }

    /** Prior samples and latent interpolations between pairs of test images (by their posterior means). */
    private void pictures(TrainingRun run, Layer encoder, Layer decoder, long step) {
        Tensors t = run.tensors();
        try (MemoryScope scope = t.scope(); GradMode off = t.noGrad()) {
            Tensor z = epsilon(t, t.generator(run.generator().seed() + 104729), spec.samples());
            run.reporter().images("prior-samples", step, decodeImages(run, decoder, z));
            int rows = spec.interpolations();
            try (MiniBatches batches = run.batches(Split.TEST, 0, 0)) {
                if (!batches.hasNext()) {
                    return;
                }
                Tensor x = batches.next().features();
                if (x.size(0) < 2 * rows) {
                    return;
                }
                Tensor mu = encoder.forward(x.slice(0, 0, 2 * rows, 1), run.forward(false)).slice(1, 0, spec.latentDim(), 1);
                Tensor a = mu.slice(0, 0, rows, 1);
                Tensor b = mu.slice(0, rows, 2 * rows, 1);
                List<Tensor> steps = new ArrayList<>();
                int n = 8;
                for (int s = 0; s < n; s++) {
                    double w = s / (double) (n - 1);
                    steps.add(a.mul(1 - w).add(b.mul(w)));
                }
                Tensor path = t.stack(steps, 1).reshape(rows * n, spec.latentDim()); // row r: a_r → b_r
                run.reporter().images("interpolations", step, decodeImages(run, decoder, path));
            }
        }
    }

    private Map<String, Double> test(TrainingRun run, Layer encoder, Layer decoder, Loss loss, double constant) {
        Tensors t = run.tensors();
        Generator g = t.generator(run.generator().seed() + 15485863);
        double rec = 0, kl = 0;
        long n = 0;
        try (MiniBatches batches = run.batches(Split.TEST, 0, 0)) {
            while (batches.hasNext()) {
                try (MemoryScope scope = t.scope(); GradMode off = t.noGrad()) {
                    MiniBatch b = batches.next();
                    ForwardContext c = run.forward(false);
                    Elbo e = Elbo.of(encoder.forward(b.features(), c), epsilon(t, g, b.size()), decoder, loss, b.features(), constant, c);
                    rec += e.reconstruction().item() * b.size();
                    kl += e.kl().item() * b.size();
                    n += b.size();
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("test_neg_elbo", (rec + kl) / Math.max(1, n));
        out.put("test_reconstruction_nll", rec / Math.max(1, n));
        out.put("test_kl", kl / Math.max(1, n));
        run.reporter().log(String.format("test: negative ELBO %.3f nats per image (reconstruction %.3f + KL %.3f) on %d images",
                out.get("test_neg_elbo"), out.get("test_reconstruction_nll"), out.get("test_kl"), n));
        return out;
    }
}
