package dev.kiln.plugins.generative;

import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.Engine;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The floor of the Fréchet distance (training vs test images) is small, and far below the distance of test images
 * from a noisy copy of themselves, at 500 images a side on the reference backend ({@code -Dkiln.frechet.samples=N}
 * for more; {@code tools/frechet-floor.sh} measures the published floor). Writes {@code target/frechet-floor.json}.
 */
class FrechetFloorTest {

    @Test
    void trainingAndTestImagesAreCloseAndNoisyImagesAreFar() throws IOException {
        assumeTrue(FashionFiles.present(), "Fashion-MNIST is not installed at " + FashionFiles.DIR);
        int n = Integer.getInteger("kiln.frechet.samples", 500);
        Tensors t = Engine.reference();
        FrechetFloor.Result floor = FrechetFloor.compute(t, FashionFiles.DIR, n);
        System.out.println("Fréchet floor: " + floor.json());
        Files.writeString(Path.of("target", "frechet-floor.json"), floor.json() + "\n");
        assertTrue(Double.isFinite(floor.distance()) && floor.distance() >= 0, floor.json());
        assertTrue(floor.testAccuracy() > 0.85 && floor.trainAccuracy() > 0.85, "the feature net classifies: " + floor.json());

        // the same test images with Gaussian pixel noise (σ = 0.2, clamped): a poor "generator" that the metric must see
        int m = Math.min(n, 500);
        float[] clean = FashionFiles.images(FashionFiles.DIR, "t10k", m);
        float[] noisy = clean.clone();
        Random r = new Random(6);
        for (int i = 0; i < noisy.length; i++) {
            noisy[i] = (float) Math.min(1, Math.max(0, noisy[i] + 0.2 * r.nextGaussian()));
        }
        int[] labels = FashionFiles.labels(FashionFiles.DIR, "t10k", m);
        FeatureNet net = FeatureNet.load();
        double[][] a = FrechetFloor.features(t, net, clean, labels, m, new int[1]);
        double[][] b = FrechetFloor.features(t, net, noisy, labels, m, new int[1]);
        double noise = Frechet.distance(Frechet.stats(a), Frechet.stats(b));
        System.out.printf("Fréchet distance of %d test images from their noisy copies: %.3f%n", m, noise);
        assertTrue(noise > 5 * floor.distance(), "noisy copies " + noise + " vs floor " + floor.json());
    }
}
