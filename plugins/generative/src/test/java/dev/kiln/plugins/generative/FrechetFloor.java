package dev.kiln.plugins.generative;

import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.Engine;
import dev.kiln.engine.backend.Backends;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The floor of the Fashion-MNIST Fréchet distance: {@code d²} between the first {@code n} training images and the
 * first {@code n} test images (both straight from the IDX files, pixels / 255), with the feature net and the
 * {@link Frechet} code the trainers use. Also the feature net's accuracy on those images, which checks that the
 * bundle's tensor-op copy of the network agrees with the {@code kiln run} that trained it. Run through
 * {@code tools/frechet-floor.sh} (see the README), which gives the published floor with {@code n = 10000}.
 */
final class FrechetFloor {

    record Result(double distance, int samples, double trainAccuracy, double testAccuracy, double seconds) {
        String json() {
            return String.format(java.util.Locale.ROOT, "{\"frechet_distance\": %.6f, \"frechet_samples\": %d, \"train_accuracy\": %.4f,"
                    + " \"test_accuracy\": %.4f, \"seconds\": %.1f}", distance, samples, trainAccuracy, testAccuracy, seconds);
        }
    }

    private FrechetFloor() {
    }

    /** Features of {@code n} images ({@code n × 784} in [0, 1]); counts correct argmax predictions into {@code correct[0]}. */
    static double[][] features(Tensors t, FeatureNet net, float[] images, int[] labels, int n, int[] correct) {
        double[][] rows = new double[n][];
        int batch = 500;
        for (int at = 0; at < n; ) {
            int k = Math.min(batch, n - at);
            try (MemoryScope scope = t.scope(); GradMode off = t.noGrad()) {
                Tensor x = t.of(Arrays.copyOfRange(images, at * 784, (at + k) * 784), k, 1, 28, 28);
                Tensor f = net.features(t, x);
                long[] predicted = net.logits(t, f).argmax(1, false).toLongArray();
                for (int i = 0; i < k; i++) {
                    if (predicted[i] == labels[at + i]) {
                        correct[0]++;
                    }
                }
                at = FrechetMetric.rows(f, rows, at);
            }
        }
        return rows;
    }

    static Result compute(Tensors t, Path dir, int n) throws IOException {
        long start = System.nanoTime();
        FeatureNet net = FeatureNet.load();
        int[] trainCorrect = {0}, testCorrect = {0};
        double[][] train = features(t, net, FashionFiles.images(dir, "train", n), FashionFiles.labels(dir, "train", n), n, trainCorrect);
        double[][] test = features(t, net, FashionFiles.images(dir, "t10k", n), FashionFiles.labels(dir, "t10k", n), n, testCorrect);
        double d2 = Frechet.distance(Frechet.stats(train), Frechet.stats(test));
        return new Result(d2, n, trainCorrect[0] / (double) n, testCorrect[0] / (double) n, (System.nanoTime() - start) / 1e9);
    }

    /**
     * {@code FrechetFloor [n [dir [backend [threads]]]]}: prints the result as one JSON line. The backend is the best
     * one on the class path unless named ({@code tools/frechet-floor.sh} puts the CLI's, with OpenBLAS, there).
     */
    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : FrechetMetric.DEFAULT_SAMPLES;
        Path dir = args.length > 1 ? Path.of(args[1]) : FashionFiles.DIR;
        String backend = args.length > 2 ? args[2] : null;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : Runtime.getRuntime().availableProcessors();
        Backends.Selection s = Backends.discover().select(backend, threads);
        System.err.println("backend " + s.backend().name() + " (" + s.reason() + "), " + threads + " threads");
        System.out.println(compute(new Engine(s.backend()), dir, n).json());
    }
}
