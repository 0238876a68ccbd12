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
 * The autoencoder loop, one memory scope per step:
 * <pre>
 * x̃ = corrupt(x)                      (denoising: Gaussian noise and/or masking, from the run's generator; else x̃ = x)
 * h = encoder(x̃);  x̂ = decoder(h)     (or x̂ = model(x̃) without split)
 * ℓ = loss(x̂, x) + λ · Σ|h| / N        (clean target; the L1 term only for a sparse autoencoder)
 * ℓ.backward(); optimizer.step()
 * </pre>
 * Per epoch it writes {@code reconstructions-<step>.png}: test inputs (corrupted when denoising) next to their
 * reconstructions. Results: {@code test_reconstruction_mse} (mean squared error per pixel between the reconstruction
 * as an image and the clean test image), {@code test_loss}, and for denoising {@code test_corrupted_mse} (the
 * corruption's own error, the number to beat); test corruption uses a generator seeded from the run's seed.
 */
final class AutoencoderTrainer implements Trainer {

    private final AutoencoderTrainerFactory.AutoencoderSpec spec;

    AutoencoderTrainer(AutoencoderTrainerFactory.AutoencoderSpec spec) {
        this.spec = spec;
    }

    /** The networks: encoder and decoder, or one model (its "code" is then unavailable). */
    private record Net(Layer encoder, Layer decoder, Layer whole) {
        Tensor code(Tensor x, ForwardContext c) {
            return encoder.forward(x, c);
        }

        Tensor decode(Tensor h, ForwardContext c) {
            return decoder.forward(h, c);
        }

        List<Parameter> parameters() {
            if (whole != null) {
                return whole.parameters();
            }
            List<Parameter> all = new ArrayList<>(Parts.named("encoder", encoder));
            all.addAll(Parts.named("decoder", decoder));
            return all;
        }
    }

    private Net net(TrainingRun run) {
        return spec.split() ? new Net(run.model("encoder"), run.model("decoder"), null) : new Net(null, null, run.model());
    }

    /** Reconstruction and code of a batch of (possibly corrupted) inputs. */
    private Tensor[] forward(Net net, Tensor input, ForwardContext c) {
        if (net.whole() != null) {
            return new Tensor[] {net.whole().forward(input, c), null};
        }
        Tensor h = net.code(input, c);
        return new Tensor[] {net.decode(h, c), h};
    }

    /** {@code x̃}: x plus Gaussian noise (clipped to [0, 1]) and/or with pixels zeroed; x itself when not denoising. */
    static Tensor corrupt(Tensor x, double noiseStd, double maskP, Generator g, Tensors tensors) {
        Tensor out = x;
        if (noiseStd > 0) {
            out = out.add(tensors.normal(g, 0, noiseStd, DType.FLOAT32, x.shape()));
            out = out.maximum(tensors.scalar(0, DType.FLOAT32)).minimum(tensors.scalar(1, DType.FLOAT32));
        }
        if (maskP > 0) {
            out = out.mul(tensors.bernoulli(g, 1 - maskP, DType.FLOAT32, x.shape()));
        }
        return out;
    }

    @Override
    public void train(TrainingRun run) {
        Net net = net(run);
        Loss loss = run.loss();
        Optimizer optimizer = run.optimizer(net.parameters());
        Tensors t = run.tensors();
        Checkpoint start = Parts.start(run);
        Map<String, Double> state = new LinkedHashMap<>(start.state());
        long step = start.step();
        if (run.resumePoint().isPresent()) {
            run.reporter().log("resumed at epoch " + (start.epoch() + 1) + ", batch " + start.batch() + ", step " + step);
        }
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
                        Tensor x = batch.features();
                        Tensor input = spec.denoising() ? corrupt(x, spec.noiseStd(), spec.maskP(), run.generator(), t) : x;
                        Tensor[] out = forward(net, input, run.forward(true));
                        Tensor rec = loss.compute(out[0].reshape(x.shape()), x);
                        Tensor total = rec;
                        Map<String, Double> m = new LinkedHashMap<>();
                        if (spec.sparsity() > 0) {
                            Tensor l1 = out[1].abs().sum().div(x.size(0));
                            total = rec.add(l1.mul(spec.sparsity()));
                            m.put("code_l1", l1.item());
                        }
                        double value = total.item();
                        Parts.requireFinite(value, "loss", step + 1, epoch, batch.index());
                        optimizer.zeroGrad();
                        total.backward();
                        optimizer.step();
                        step++;
                        m.put("reconstruction_loss", rec.item());
                        Map<String, Double> line = new LinkedHashMap<>();
                        line.put("loss", value);
                        line.putAll(m);
                        sums.add(line);
                        run.reporter().step(step, epoch, batch.index(), batches.count(), batch.size(), line);
                    }
                    if (spec.checkpointEverySteps() > 0 && step % spec.checkpointEverySteps() == 0 && batches.hasNext()) {
                        run.checkpoint(new Checkpoint(epoch, batches.cursor(), step, sums.exportTo(state)));
                    }
                }
            }
            run.reporter().epoch(epoch, sums.means());
            grid(run, net, step);
            run.checkpoint(new Checkpoint(epoch + 1, 0, step, state));
            if (run.stopRequested() && epoch + 1 < run.epochs()) {
                run.reporter().log("stop requested: checkpointed after epoch " + (epoch + 1) + "; continue with kiln run --resume");
                return;
            }
        }
        Map<String, Double> results = test(run, net, loss);
        results.put("steps", (double) step);
        run.reporter().result(results);
    }

    @Override
    public void evaluate(TrainingRun run) {
        Net net = net(run);
        grid(run, net, 0);
        run.reporter().result(test(run, net, run.loss()));
    }

    private Generator testGenerator(TrainingRun run) {
        return run.tensors().generator(run.generator().seed() + 7919);
    }

    /** Test inputs (corrupted when denoising) next to their reconstructions, as {@code reconstructions-<step>.png}. */
    private void grid(TrainingRun run, Net net, long step) {
        Tensors t = run.tensors();
        try (MiniBatches batches = run.batches(Split.TEST, 0, 0); MemoryScope scope = t.scope(); GradMode off = t.noGrad()) {
            if (!batches.hasNext()) {
                return;
            }
            Tensor x = batches.next().features();
            int n = Math.min(spec.samples(), x.size(0));
            x = x.slice(0, 0, n, 1);
            Tensor input = spec.denoising() ? corrupt(x, spec.noiseStd(), spec.maskP(), testGenerator(run), t) : x;
            Tensor recon = Parts.toUnit(forward(net, input, run.forward(false))[0].reshape(x.shape()), spec.output(), t);
            run.reporter().images("reconstructions", step, Parts.interleave(Parts.asImages(input, example(x)), Parts.asImages(recon, example(x)), t));
        }
    }

    private static int[] example(Tensor x) {
        int[] s = x.shape();
        return java.util.Arrays.copyOfRange(s, 1, s.length);
    }

    private Map<String, Double> test(TrainingRun run, Net net, Loss loss) {
        Tensors t = run.tensors();
        Generator g = testGenerator(run);
        double lossSum = 0, sq = 0, corruptedSq = 0;
        long pixels = 0;
        int batchesSeen = 0;
        try (MiniBatches batches = run.batches(Split.TEST, 0, 0)) {
            while (batches.hasNext()) {
                try (MemoryScope scope = t.scope(); GradMode off = t.noGrad()) {
                    Tensor x = batches.next().features();
                    Tensor input = spec.denoising() ? corrupt(x, spec.noiseStd(), spec.maskP(), g, t) : x;
                    Tensor out = forward(net, input, run.forward(false))[0].reshape(x.shape());
                    lossSum += loss.compute(out, x).item();
                    Tensor d = Parts.toUnit(out, spec.output(), t).sub(x);
                    sq += d.mul(d).sum().item();
                    Tensor c = input.sub(x);
                    corruptedSq += c.mul(c).sum().item();
                    pixels += x.numel();
                    batchesSeen++;
                }
            }
        }
        Map<String, Double> results = new LinkedHashMap<>();
        results.put("test_reconstruction_mse", sq / Math.max(1, pixels));
        results.put("test_loss", lossSum / Math.max(1, batchesSeen));
        if (spec.denoising()) {
            results.put("test_corrupted_mse", corruptedSq / Math.max(1, pixels));
        }
        run.reporter().log(String.format("test: reconstruction MSE %.5f per pixel%s", results.get("test_reconstruction_mse"),
                spec.denoising() ? String.format(" (the corrupted inputs' own: %.5f)", results.get("test_corrupted_mse")) : ""));
        return results;
    }
}
