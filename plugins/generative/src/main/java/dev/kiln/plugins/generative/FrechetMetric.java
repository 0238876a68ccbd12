package dev.kiln.plugins.generative;

import dev.kiln.api.data.Split;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.api.train.MiniBatch;
import dev.kiln.api.train.MiniBatches;
import dev.kiln.api.train.TrainingRun;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Fashion-MNIST Fréchet distance of a generative run, the one place the GAN, DCGAN and VAE trainers get it from:
 * {@link Frechet} {@code d²} between the {@link FeatureNet} features of the first {@code N} test images and of
 * {@code N} generated images ({@code N = frechet_samples}, default 10,000, capped by the test split's size). Both sets
 * are brought to the feature net's input convention, pixels in [0, 1]: test images by undoing the data range the
 * trainer's output assumes ({@code [-1, 1]} for a tanh generator, else [0, 1]); samples by the trainer's output mapping
 * ({@link Parts#toUnit}: tanh → (y + 1) / 2, sigmoid → σ(y), identity → clamped). Results {@code frechet_distance} and
 * {@code frechet_samples}.
 */
final class FrechetMetric {

    static final String DISTANCE = "frechet_distance";
    static final String SAMPLES = "frechet_samples";
    static final int DEFAULT_SAMPLES = 10_000;
    private static final int BATCH = 250;
    /** Seeds the noise of the generated set apart from training, sample grids and the test pass. */
    private static final long NOISE_SEED = 2_038_074_743L;

    private FrechetMetric() {
    }

    /** Images in [0, 1], {@code (n, 1, 28, 28)}, from noise drawn from {@code noise}. */
    @FunctionalInterface
    interface Sampler {
        Tensor sample(Tensors tensors, Generator noise, int n);
    }

    /** The trainer parameter {@code frechet_samples} (0 turns the metric off). */
    static int samples(Params params) {
        int n = params.getInt(SAMPLES, DEFAULT_SAMPLES);
        if (n < 0 || n == 1) {
            throw new IllegalArgumentException(SAMPLES + " must be 0 (off) or in [2, inf), got " + n);
        }
        return n;
    }

    /** Whether the run's images fit the feature net: one channel of 28 × 28. */
    private static boolean fits(TrainingRun run) {
        int[] s = run.dataset().info().exampleShape();
        return Arrays.equals(s, new int[] {1, 28, 28}) || Arrays.equals(s, new int[] {28, 28}) || Arrays.equals(s, new int[] {784});
    }

    private static Tensor realToUnit(Tensor x, boolean tanhData) {
        return tanhData ? x.add(1).mul(0.5) : x;
    }

    /**
     * Before training, so a mismatch fails in seconds rather than after the last epoch: the first test batch, mapped
     * to [0, 1] as the metric will map it, must lie in [0, 1] and span most of it (Fashion-MNIST batches hold black
     * backgrounds and near-white pixels), e.g. a tanh generator needs data normalised to [-1, 1] with
     * {@code normalize: {mean: 0.5, std: 0.5}}, whereas [0, 1] data would map to [0.5, 1]. Also loads the feature net.
     */
    static void check(TrainingRun run, int samples, boolean tanhData) {
        if (samples == 0 || !fits(run)) {
            return;
        }
        FeatureNet.load();
        Tensors t = run.tensors();
        try (MiniBatches batches = run.batches(Split.TEST, 0, 0); MemoryScope scope = t.scope(); GradMode off = t.noGrad()) {
            if (!batches.hasNext()) {
                return;
            }
            float[] v = realToUnit(batches.next().features(), tanhData).toFloatArray();
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (float f : v) {
                lo = Math.min(lo, f);
                hi = Math.max(hi, f);
            }
            if (lo < -1e-3 || hi > 1 + 1e-3 || lo > 0.25 || hi < 0.75) {
                throw new IllegalStateException(String.format(java.util.Locale.ROOT, "the Fréchet distance compares images in"
                        + " [0, 1], but the first test batch mapped from the %s data range the trainer's output implies spans"
                        + " [%.3f, %.3f]; %s, or turn the metric off with trainer.params.%s: 0",
                        tanhData ? "[-1, 1]" : "[0, 1]", lo, hi, tanhData
                                ? "a tanh output needs data in [-1, 1]: dataset transforms [{name: normalize, params: {mean: 0.5, std: 0.5}}]"
                                : "this output needs data in [0, 1]: no normalize transform on the dataset", SAMPLES));
            }
        }
    }

    /**
     * The metric for a run: empty when {@code samples} is 0 or the images are not 28 × 28 grey (said in the log).
     *
     * @param tanhData whether the run's data (and so its test images) are in [-1, 1] rather than [0, 1]
     */
    static Map<String, Double> evaluate(TrainingRun run, int samples, boolean tanhData, Sampler sampler) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (samples == 0) {
            return out;
        }
        if (!fits(run)) {
            run.reporter().log("no Fréchet distance: its feature net takes 1 x 28 x 28 images, the dataset's are "
                    + Arrays.toString(run.dataset().info().exampleShape()));
            return out;
        }
        long start = System.nanoTime();
        Tensors t = run.tensors();
        FeatureNet net = FeatureNet.load();
        double[][] real = new double[samples][];
        int n = 0;
        try (MiniBatches batches = run.batches(Split.TEST, 0, 0)) {
            while (batches.hasNext() && n < samples) {
                try (MemoryScope scope = t.scope(); GradMode off = t.noGrad()) {
                    MiniBatch b = batches.next();
                    int take = Math.min(b.size(), samples - n);
                    Tensor x = realToUnit(b.features(), tanhData);
                    if (take < b.size()) {
                        x = x.slice(0, 0, take, 1);
                    }
                    n = rows(net.features(t, x), real, n);
                }
            }
        }
        if (n < 2) {
            run.reporter().log("no Fréchet distance: the test split has " + n + " images");
            return out;
        }
        real = Arrays.copyOf(real, n);
        double[][] fake = new double[n][];
        Generator noise = t.generator(run.generator().seed() + NOISE_SEED);
        for (int m = 0; m < n; ) {
            try (MemoryScope scope = t.scope(); GradMode off = t.noGrad()) {
                int k = Math.min(BATCH, n - m);
                m = rows(net.features(t, sampler.sample(t, noise, k)), fake, m);
            }
        }
        double d2 = Frechet.distance(Frechet.stats(fake), Frechet.stats(real));
        out.put(DISTANCE, d2);
        out.put(SAMPLES, (double) n);
        run.reporter().log(String.format("Fréchet distance (fashion-features, squared) %.3f between %d generated and %d test images"
                + " (%.1f s)", d2, n, n, (System.nanoTime() - start) / 1e9));
        return out;
    }

    /** Appends the rows of {@code (k, d)} features to {@code into} from {@code at}; returns the next free row. */
    static int rows(Tensor features, double[][] into, int at) {
        int k = features.size(0), d = features.size(1);
        double[] v = features.toDoubleArray();
        for (int i = 0; i < k; i++) {
            into[at + i] = Arrays.copyOfRange(v, i * d, (i + 1) * d);
        }
        return at + k;
    }
}
