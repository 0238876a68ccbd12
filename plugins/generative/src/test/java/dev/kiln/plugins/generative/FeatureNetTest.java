package dev.kiln.plugins.generative;

import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.Engine;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The committed feature net loads and classifies real Fashion-MNIST test images with the accuracy its spec states. */
class FeatureNetTest {

    static final Path SPEC = Path.of("../../experiments/fashion-features.yaml");

    /** The test accuracy the spec states as measured ({@code measured: test_accuracy 0.9xxx}). */
    private static double statedAccuracy() throws IOException {
        Matcher m = Pattern.compile("measured: test_accuracy (0\\.\\d+)").matcher(Files.readString(SPEC));
        assertTrue(m.find(), SPEC + " states its measured test accuracy");
        return Double.parseDouble(m.group(1));
    }

    @Test
    void classifiesTestImagesWithTheStatedAccuracy() throws IOException {
        assumeTrue(FashionFiles.present(), "Fashion-MNIST is not installed at " + FashionFiles.DIR);
        int n = 500;
        Tensors t = Engine.reference();
        int[] correct = {0};
        double[][] f = FrechetFloor.features(t, FeatureNet.load(), FashionFiles.images(FashionFiles.DIR, "t10k", n),
                FashionFiles.labels(FashionFiles.DIR, "t10k", n), n, correct);
        double accuracy = correct[0] / (double) n;
        double stated = statedAccuracy();
        // 500 images (the reference backend is slow): a standard error of about 0.014 around the full set's accuracy
        assertTrue(accuracy > stated - 0.04 && accuracy < stated + 0.04, "accuracy on " + n + " test images " + accuracy
                + " vs stated " + stated);
        assertEquals(n, f.length);
        assertEquals(FeatureNet.FEATURES, f[0].length);
        assertTrue(Arrays.stream(f).flatMapToDouble(Arrays::stream).allMatch(v -> v >= 0 && Double.isFinite(v)), "ReLU features");
    }

    @Test
    void featuresHaveTheDocumentedShape() {
        Tensors t = Engine.reference();
        Tensor x = t.full(0.5, dev.kiln.api.tensor.DType.FLOAT32, 3, 1, 28, 28);
        FeatureNet net = FeatureNet.load();
        Tensor f = net.features(t, x);
        assertArrayEquals(new int[] {3, FeatureNet.FEATURES}, f.shape());
        assertArrayEquals(new int[] {3, FeatureNet.CLASSES}, net.logits(t, f).shape());
    }

    @Test
    void aTruncatedWeightsFileIsRejectedWithItsName() throws IOException {
        byte[] file;
        try (InputStream in = FeatureNet.class.getResourceAsStream(FeatureNet.RESOURCE)) {
            assertNotNull(in, FeatureNet.RESOURCE);
            file = in.readAllBytes();
        }
        assertTrue(file.length < 1 << 20, "the committed weights stay small: " + file.length + " bytes");
        IOException e = assertThrows(IOException.class, () -> FeatureNet.read(Arrays.copyOf(file, file.length - 4), "cut.safetensors"));
        assertTrue(e.getMessage().startsWith("cut.safetensors: "), e.getMessage());
        assertEquals(8, FeatureNet.read(file, "whole").size());
    }
}
