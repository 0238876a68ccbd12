package dev.kiln.plugins.datasets;

import dev.kiln.api.tensor.Generator;
import dev.kiln.engine.Engine;
import dev.kiln.model.MapParams;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformTest {

    private static final Engine ENGINE = Engine.reference();

    private static Generator gen(long seed) {
        return ENGINE.generator(seed);
    }

    /** 1×3×3 image 1..9. */
    private static float[] image() {
        return new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9};
    }

    private static final int[] SHAPE = {1, 3, 3};

    @Test
    void normalizeSubtractsMeanAndDividesByStdPerChannel() {
        float[] out = new float[4];
        new Normalize(new float[] {1, 10}, new float[] {2, 5}).apply(new float[] {1, 3, 10, 20}, out, new int[] {2, 1, 2}, null);
        assertArrayEquals(new float[] {0, 1, 0, 2}, out);
    }

    @Test
    void normalizeRejectsNonPositiveStd() {
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0}, new float[] {0}));
    }

    @Test
    void horizontalFlipMirrorsRowsWithProbabilityOne() {
        float[] out = new float[9];
        new HorizontalFlip(1).apply(image(), out, SHAPE, gen(1));
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7}, out);
        new HorizontalFlip(0).apply(image(), out, SHAPE, gen(1));
        assertArrayEquals(image(), out);
    }

    @Test
    void randomCropWithPaddingShiftsWithinThePaddedImageAndCentresWithoutGenerator() {
        RandomCrop crop = new RandomCrop(3, 3, 1);
        assertArrayEquals(SHAPE, crop.outputShape(SHAPE));
        float[] out = new float[9];
        crop.apply(image(), out, SHAPE, null);
        assertArrayEquals(image(), out);
        boolean moved = false;
        for (int s = 0; s < 20; s++) {
            crop.apply(image(), out, SHAPE, gen(s));
            float sum = 0;
            for (float v : out) {
                sum += v;
            }
            moved |= sum != 45;
            // every output value is 0 (padding) or a pixel of the input
            for (float v : out) {
                assertTrue(v >= 0 && v <= 9 && v == Math.rint(v));
            }
        }
        assertTrue(moved);
    }

    @Test
    void randomCropToASmallerSizeChangesTheShape() {
        assertArrayEquals(new int[] {3, 24, 24}, new RandomCrop(24, 24, 0).outputShape(new int[] {3, 32, 32}));
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(40, 40, 2).outputShape(new int[] {3, 32, 32}));
    }

    @Test
    void translationShiftsAndFillsWithZeros() {
        float[] out = new float[9];
        Translation.shift(image(), out, SHAPE, 1, -1);
        assertArrayEquals(new float[] {0, 0, 0, 2, 3, 0, 5, 6, 0}, out);
    }

    @Test
    void rotationBy90DegreesTurnsTheImageAndZeroIsIdentity() {
        float[] out = new float[9];
        Rotation.rotate(image(), out, SHAPE, 0);
        assertArrayEquals(image(), out, 1e-6f);
        Rotation.rotate(image(), out, SHAPE, Math.PI / 2);
        assertArrayEquals(new float[] {3, 6, 9, 2, 5, 8, 1, 4, 7}, out, 1e-5f);
    }

    @Test
    void rotationInterpolatesBilinearly() {
        // a 1×1×2 ramp rotated by 180° swaps the two values exactly; 45° of a constant stays constant at the centre
        float[] out = new float[9];
        Rotation.rotate(new float[] {5, 5, 5, 5, 5, 5, 5, 5, 5}, out, SHAPE, Math.toRadians(45));
        assertEquals(5f, out[4], 1e-5f);
        assertTrue(out[0] < 5f, "corners take in zeros from outside");
    }

    @Test
    void gaussianNoiseHasTheRequestedStandardDeviation() {
        int n = 20_000;
        float[] out = new float[n];
        new GaussianNoise(0.5).apply(new float[n], out, new int[] {n}, gen(3));
        double sum = 0;
        double sq = 0;
        for (float v : out) {
            sum += v;
            sq += v * v;
        }
        double mean = sum / n;
        assertEquals(0, mean, 0.02);
        assertEquals(0.5, Math.sqrt(sq / n - mean * mean), 0.02);
    }

    @Test
    void maskingZeroesASquareOrAFractionOfPixels() {
        int[] shape = {2, 8, 8};
        float[] ones = new float[128];
        java.util.Arrays.fill(ones, 1f);
        float[] out = new float[128];
        new Masking(0, 3).apply(ones, out, shape, gen(5));
        int zeros = 0;
        for (int i = 0; i < 64; i++) {
            assertEquals(out[i], out[64 + i], "the same square in every channel");
            zeros += out[i] == 0 ? 1 : 0;
        }
        assertEquals(9, zeros);

        int hw = 10_000;
        float[] big = new float[hw];
        java.util.Arrays.fill(big, 1f);
        float[] masked = new float[hw];
        new Masking(0.25, 0).apply(big, masked, new int[] {1, 100, 100}, gen(6));
        int z = 0;
        for (float v : masked) {
            z += v == 0 ? 1 : 0;
        }
        assertEquals(0.25, z / (double) hw, 0.02);
    }

    @Test
    void augmentationIsReproducibleUnderTheSameSeed() {
        Pipeline p = pipeline(List.of(Map.of("name", "rotation", "params", Map.of("degrees", 15)),
                Map.of("name", "gaussian_noise", "params", Map.of("std", 0.1))), new int[] {1, 4, 4});
        float[] a = run(p, gen(9));
        float[] b = run(p, gen(9));
        float[] c = run(p, gen(10));
        assertArrayEquals(a, b);
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
    }

    @Test
    void augmentingTransformsAreSkippedWithoutAGenerator() {
        Pipeline p = pipeline(List.of(Map.of("name", "gaussian_noise", "params", Map.of("std", 1)),
                Map.of("name", "normalize", "params", Map.of("mean", 1, "std", 2))), new int[] {1, 4, 4});
        float[] out = run(p, null);
        for (int i = 0; i < 16; i++) {
            assertEquals((i - 1) / 2f, out[i]);
        }
    }

    @Test
    void unknownAndTargetTransformsAreRejectedWithTheirPath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pipeline(List.of(Map.of("name", "one_hot")), new int[] {1, 4, 4}));
        assertTrue(e.getMessage().startsWith("dataset.params.transforms[0]: one_hot is a target transform"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> pipeline(List.of(Map.of("name", "flip")), new int[] {1, 4, 4}));
        assertTrue(e.getMessage().contains("\"flip\" is not a transform"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> pipeline(List.of(Map.of("name", "rotation", "params", Map.of("degrees", 10))), new int[] {5}));
        assertTrue(e.getMessage().contains("rotation needs image examples"), e.getMessage());
    }

    private static Pipeline pipeline(List<Map<String, Object>> transforms, int[] shape) {
        return Pipeline.parse(new MapParams("dataset.params", Map.of("transforms", transforms)), shape);
    }

    private static float[] run(Pipeline p, Generator g) {
        float[] in = p.input();
        for (int i = 0; i < p.inputSize(); i++) {
            in[i] = i;
        }
        float[] out = new float[p.inputSize()];
        p.run(out, 0, g);
        return out;
    }
}
