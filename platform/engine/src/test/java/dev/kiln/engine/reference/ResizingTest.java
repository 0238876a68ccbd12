package dev.kiln.engine.reference;

import static dev.kiln.engine.reference.KernelTestData.dot;
import static dev.kiln.engine.reference.KernelTestData.random;
import static dev.kiln.engine.reference.KernelTestData.storage;
import static dev.kiln.engine.reference.KernelTestData.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.api.tensor.DType;
import dev.kiln.engine.backend.ResizeGeometry;
import dev.kiln.engine.backend.Storage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResizingTest {

    private static final double EXACT = 1e-12;

    /** {@code x[r][c] = 1 + 2r + c}, a 2x2 plane that is linear in both axes. */
    private static Storage x2() {
        return storage(1, 2, 3, 4);
    }

    private static int[] sources(int in, int out) {
        int[] s = new int[out];
        for (int i = 0; i < out; i++) {
            s[i] = Resizing.nearestSource(i, in, out);
        }
        return s;
    }

    // ---- nearest ----------------------------------------------------------------------------------

    @Test
    void nearestSourceIsFloorOfDestinationTimesInOverOut() {
        assertArrayEquals(new int[] {0, 0, 1, 1}, sources(2, 4));
        assertArrayEquals(new int[] {0, 0, 1, 1, 2}, sources(3, 5));
        assertArrayEquals(new int[] {0, 1, 3}, sources(5, 3));
        assertArrayEquals(new int[] {0, 1, 2}, sources(3, 3));
    }

    @Test
    void nearestComputesTheScaleInFloatLikePyTorch() {
        // 11 * (26/22) is exactly 13, but in float 11 * 1.1818181f rounds to just below 13: PyTorch picks 12.
        assertEquals(12, Resizing.nearestSource(11, 26, 22));
        assertEquals(12, Resizing.nearestSource(11, 39, 33));
        assertEquals(25, Resizing.nearestSource(22, 39, 33));
    }

    @Test
    void nearestUpsamplingRepeatsEachPixel() {
        Storage out = Storage.heap(DType.FLOAT64, 12);
        Resizing.nearest(x2(), out, new ResizeGeometry(1, 2, 2, 3, 4));
        // rows: 2 -> 3 picks 0, 0, 1; cols: 2 -> 4 picks 0, 0, 1, 1.
        assertArrayEquals(new double[] {
                1, 1, 2, 2,
                1, 1, 2, 2,
                3, 3, 4, 4}, values(out), EXACT);
    }

    @Test
    void nearestBackwardSumsTheGradientsOfEveryCopy() {
        Storage gradIn = Storage.heap(DType.FLOAT64, 4);
        Storage gradOut = storage(
                1, 2, 3, 4,
                5, 6, 7, 8,
                9, 10, 11, 12);
        Resizing.nearestBackward(gradOut, gradIn, new ResizeGeometry(1, 2, 2, 3, 4));
        assertArrayEquals(new double[] {1 + 2 + 5 + 6, 3 + 4 + 7 + 8, 9 + 10, 11 + 12}, values(gradIn), EXACT);
    }

    @Test
    void nearestBackwardIsTheAdjointOfNearestWhenUpscalingAndDownscaling() {
        Random rnd = new Random(17);
        for (ResizeGeometry g : new ResizeGeometry[] {
                new ResizeGeometry(3, 5, 4, 11, 9), new ResizeGeometry(3, 26, 9, 22, 4), new ResizeGeometry(2, 4, 4, 4, 4)}) {
            Storage x = random(rnd, g.planes() * g.h() * g.w());
            Storage y = random(rnd, g.planes() * g.outH() * g.outW());
            Storage out = Storage.heap(DType.FLOAT64, y.length());
            Resizing.nearest(x, out, g);
            Storage gradIn = Storage.heap(DType.FLOAT64, x.length());
            Resizing.nearestBackward(y, gradIn, g);
            assertEquals(dot(out, y), dot(x, gradIn), 1e-10, g.toString());
        }
    }

    // ---- bilinear ---------------------------------------------------------------------------------

    @Test
    void bilinearWithoutAlignCornersSamplesPixelCentresAndClampsAtTheBorders() {
        // 2 -> 4: src = max((d + 0.5) / 2 - 0.5, 0) = 0, 0.25, 0.75, 1.25 (clamped to the last pixel), i.e.
        // fractions 0, 0.25, 0.75, 1 of the way; x is linear so out = 1 + 2*H + W.
        Storage out = Storage.heap(DType.FLOAT64, 16);
        Resizing.bilinear(x2(), out, new ResizeGeometry(1, 2, 2, 4, 4), false);
        assertArrayEquals(new double[] {
                1.0, 1.25, 1.75, 2.0,
                1.5, 1.75, 2.25, 2.5,
                2.5, 2.75, 3.25, 3.5,
                3.0, 3.25, 3.75, 4.0}, values(out), EXACT);
    }

    @Test
    void bilinearWithAlignCornersMapsCornerToCorner() {
        // 2 -> 3: scale (2-1)/(3-1) = 0.5, src = 0, 0.5, 1.
        Storage out = Storage.heap(DType.FLOAT64, 9);
        Resizing.bilinear(x2(), out, new ResizeGeometry(1, 2, 2, 3, 3), true);
        assertArrayEquals(new double[] {
                1.0, 1.5, 2.0,
                2.0, 2.5, 3.0,
                3.0, 3.5, 4.0}, values(out), EXACT);
    }

    @Test
    void bilinearDownscalingAveragesNeighbourPairs() {
        // 4 -> 2 without align corners: scale 2, src = 0.5, 2.5; x[r][c] = 1 + 4r + c.
        double[] xs = new double[16];
        for (int i = 0; i < 16; i++) {
            xs[i] = i + 1;
        }
        Storage out = Storage.heap(DType.FLOAT64, 4);
        Resizing.bilinear(storage(xs), out, new ResizeGeometry(1, 4, 4, 2, 2), false);
        assertArrayEquals(new double[] {3.5, 5.5, 11.5, 13.5}, values(out), EXACT);
    }

    @Test
    void bilinearToASinglePixelWithAlignCornersTakesTheFirstPixel() {
        // align_corners with out == 1: scale 0, every output reads source 0.
        Storage out = Storage.heap(DType.FLOAT64, 1);
        Resizing.bilinear(storage(7, 1, 2, 3, 4, 5), out, new ResizeGeometry(1, 2, 3, 1, 1), true);
        assertEquals(7, out.get(0), EXACT);
        // without align corners it samples the centre: src = max(0.5 * 2 - 0.5, 0) = 0.5 rows, 1 column.
        Resizing.bilinear(storage(7, 1, 2, 3, 4, 5), out, new ResizeGeometry(1, 2, 3, 1, 1), false);
        assertEquals((1 + 4) / 2.0, out.get(0), EXACT);
    }

    @Test
    void bilinearBackwardSpreadsEachGradientOverItsFourTaps() {
        // 2 -> 3 with align corners: the centre output has weights 1/4 on each of the four inputs.
        Storage gradOut = Storage.heap(DType.FLOAT64, 9);
        gradOut.set(4, 8);
        Storage gradIn = Storage.heap(DType.FLOAT64, 4);
        Resizing.bilinearBackward(gradOut, gradIn, new ResizeGeometry(1, 2, 2, 3, 3), true);
        assertArrayEquals(new double[] {2, 2, 2, 2}, values(gradIn), EXACT);
    }

    @Test
    void bilinearBackwardIsTheAdjointOfBilinearForBothAlignCornersUpscalingAndDownscaling() {
        Random rnd = new Random(23);
        ResizeGeometry[] geometries = {
                new ResizeGeometry(3, 5, 4, 11, 9),   // upscale
                new ResizeGeometry(3, 13, 9, 5, 4),   // downscale
                new ResizeGeometry(2, 6, 3, 6, 7),    // mixed, one axis unchanged
                new ResizeGeometry(2, 4, 5, 1, 1)};   // to a single pixel
        for (boolean alignCorners : new boolean[] {false, true}) {
            for (ResizeGeometry g : geometries) {
                Storage x = random(rnd, g.planes() * g.h() * g.w());
                Storage y = random(rnd, g.planes() * g.outH() * g.outW());
                Storage out = Storage.heap(DType.FLOAT64, y.length());
                Resizing.bilinear(x, out, g, alignCorners);
                Storage gradIn = Storage.heap(DType.FLOAT64, x.length());
                Resizing.bilinearBackward(y, gradIn, g, alignCorners);
                assertEquals(dot(out, y), dot(x, gradIn), 1e-10, g + " alignCorners=" + alignCorners);
            }
        }
    }
}
