package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.Split;
import dev.kiln.model.MapParams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** On the real files of Debian's dataset-fashion-mnist (installed by .ci/run). */
class FashionMnistTest {

    private static InMemoryDataset data;

    @BeforeAll
    static void load() {
        assumeTrue(Files.isDirectory(DirContext.FASHION), "dataset-fashion-mnist is not installed (apt-get install -y dataset-fashion-mnist)");
        data = (InMemoryDataset) new FashionMnistFactory().create(MapParams.empty("dataset.params"),
                new DirContext(DirContext.FASHION, 42));
    }

    @Test
    void has60000TrainingAnd10000TestImagesOf1x28x28() {
        assertEquals(60_000, data.size(Split.TRAIN));
        assertEquals(0, data.size(Split.VALIDATION));
        assertEquals(10_000, data.size(Split.TEST));
        assertArrayEquals(new int[] {1, 28, 28}, data.info().exampleShape());
        assertEquals(10, data.info().classes());
        assertEquals("Ankle boot", data.info().classNames().get(9));
    }

    @Test
    void everyClassHas6000TrainingAnd1000TestImages() {
        int[] train = data.histogram(Split.TRAIN);
        int[] test = data.histogram(Split.TEST);
        int[] six = new int[10];
        Arrays.fill(six, 6000);
        int[] one = new int[10];
        Arrays.fill(one, 1000);
        assertArrayEquals(six, train);
        assertArrayEquals(one, test);
    }

    @Test
    void pixelsAreScaledToTheUnitInterval() {
        float[] x = new float[784 * 100];
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        double sum = 0;
        for (int i = 0; i < 100; i++) {
            data.read(Split.TRAIN, i, x, i * 784, null);
        }
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
        double mean = sum / x.length;
        assertTrue(mean > 0.2 && mean < 0.4, "mean pixel " + mean + " (Fashion-MNIST's is 0.286)");
    }

    @Test
    void firstTrainingAndTestImagesAreAnkleBoots() {
        float[] x = new float[784];
        assertEquals(9, data.read(Split.TRAIN, 0, x, 0, null));
        assertEquals(9, data.read(Split.TEST, 0, x, 0, null));
    }

    @Test
    void validationIsCarvedFromTrainingWithTheSeed() {
        Dataset a = new FashionMnistFactory().create(new MapParams("dataset.params", Map.of("validation_fraction", 0.1)),
                new DirContext(DirContext.FASHION, 7));
        assertEquals(54_000, a.size(Split.TRAIN));
        assertEquals(6_000, a.size(Split.VALIDATION));
        assertEquals(10_000, a.size(Split.TEST));
        int[][] same = InMemoryDataset.split(60_000, 0.1, 7);
        int[][] other = InMemoryDataset.split(60_000, 0.1, 8);
        assertArrayEquals(same[1], InMemoryDataset.split(60_000, 0.1, 7)[1]);
        assertTrue(!Arrays.equals(same[1], other[1]));
        // disjoint and complete
        boolean[] seen = new boolean[60_000];
        for (int[] part : same) {
            for (int i : part) {
                assertTrue(!seen[i]);
                seen[i] = true;
            }
        }
        for (boolean s : seen) {
            assertTrue(s);
        }
    }

    @Test
    void normalizeAppliesToEverySplit() {
        Dataset n = new FashionMnistFactory().create(new MapParams("dataset.params", Map.of("transforms",
                List.of(Map.of("name", "normalize", "params", Map.of("mean", 0.5, "std", 0.5))))), new DirContext(DirContext.FASHION, 1));
        float[] raw = new float[784];
        float[] norm = new float[784];
        data.read(Split.TEST, 3, raw, 0, null);
        n.read(Split.TEST, 3, norm, 0, null);
        for (int i = 0; i < 784; i++) {
            assertEquals((raw[i] - 0.5f) / 0.5f, norm[i], 1e-6);
        }
    }
}
