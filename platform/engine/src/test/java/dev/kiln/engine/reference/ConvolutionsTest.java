package dev.kiln.engine.reference;

import static dev.kiln.engine.reference.KernelTestData.dot;
import static dev.kiln.engine.reference.KernelTestData.filled;
import static dev.kiln.engine.reference.KernelTestData.random;
import static dev.kiln.engine.reference.KernelTestData.storage;
import static dev.kiln.engine.reference.KernelTestData.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.api.tensor.DType;
import dev.kiln.engine.backend.ConvGeometry;
import dev.kiln.engine.backend.Storage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConvolutionsTest {

    private static final double EXACT = 1e-12;

    @Test
    void singleChannelConvIsCrossCorrelationPlusBias() {
        // x = 1..9 (3x3), w = [[1,2],[3,4]] is NOT flipped (cross-correlation, as PyTorch).
        Storage x = storage(1, 2, 3, 4, 5, 6, 7, 8, 9);
        Storage w = storage(1, 2, 3, 4);
        Storage out = Storage.heap(DType.FLOAT64, 4);
        Convolutions.forward(x, w, storage(10), out, new ConvGeometry(1, 1, 3, 3, 1, 2, 2, 2, 2, Conv2dOptions.DEFAULT));
        assertArrayEquals(new double[] {47, 57, 77, 87}, values(out), EXACT);
    }

    @Test
    void paddingReadsZerosOutsideTheInputAndStrideSkipsPositions() {
        Storage x = storage(1, 2, 3, 4, 5, 6, 7, 8, 9);
        Storage w = storage(1, 2, 3, 4);
        Storage out = Storage.heap(DType.FLOAT64, 4);
        // H_out = floor((3 + 2 - 2) / 2) + 1 = 2; windows start at -1 and 1.
        Convolutions.forward(x, w, null, out, new ConvGeometry(1, 1, 3, 3, 1, 2, 2, 2, 2, Conv2dOptions.of(2, 1)));
        assertArrayEquals(new double[] {4 * 1, 3 * 2 + 4 * 3, 2 * 4 + 4 * 7, 1 * 5 + 2 * 6 + 3 * 8 + 4 * 9}, values(out), EXACT);
    }

    @Test
    void groupedDilatedConvSeesOnlyItsOwnGroupsChannels() {
        // Two groups of one channel; stride 2, padding 1, dilation 2 on 4x4: taps at -1, 1 (oh=0) and 1, 3 (oh=1).
        double[] xs = new double[32];
        for (int i = 0; i < 16; i++) {
            xs[i] = i + 1;          // channel 0: x[i][j] = 4i + j + 1
            xs[16 + i] = 100;       // channel 1: constant 100
        }
        Storage x = storage(xs);
        Storage w = storage(1, 2, 3, 4, /* channel 1 */ 1, 10, 100, 1000);
        Storage out = Storage.heap(DType.FLOAT64, 8);
        Conv2dOptions o = new Conv2dOptions(2, 2, 1, 1, 2, 2, 2);
        Convolutions.forward(x, w, storage(0.5, -0.5), out, new ConvGeometry(1, 2, 4, 4, 2, 2, 2, 2, 2, o));
        assertArrayEquals(new double[] {
                4 * 6 + 0.5, 3 * 6 + 4 * 8 + 0.5, 2 * 6 + 4 * 14 + 0.5, 6 + 2 * 8 + 3 * 14 + 4 * 16 + 0.5,
                1000 * 100 - 0.5, 1100 * 100 - 0.5, 1010 * 100 - 0.5, 1111 * 100 - 0.5}, values(out), EXACT);
    }

    @Test
    void stridedDilatedGroupedConvMatchesDirectSum() {
        // An independent formulation: explicitly zero-pad the input, then sum over the dilated taps.
        Random rnd = new Random(7);
        Conv2dOptions o = new Conv2dOptions(2, 1, 1, 2, 2, 1, 2);
        int n = 2, cIn = 4, h = 7, w = 6, cOut = 6, kH = 3, kW = 2;
        int outH = (h + 2 * o.padH() - o.dilationH() * (kH - 1) - 1) / o.strideH() + 1;
        int outW = (w + 2 * o.padW() - o.dilationW() * (kW - 1) - 1) / o.strideW() + 1;
        ConvGeometry g = new ConvGeometry(n, cIn, h, w, cOut, kH, kW, outH, outW, o);
        Storage x = random(rnd, n * cIn * h * w);
        Storage wt = random(rnd, cOut * (cIn / 2) * kH * kW);
        Storage bias = random(rnd, cOut);
        Storage out = Storage.heap(DType.FLOAT64, n * cOut * outH * outW);
        Convolutions.forward(x, wt, bias, out, g);

        int ph = h + 2 * o.padH(), pw = w + 2 * o.padW();
        double[][][][] padded = new double[n][cIn][ph][pw];
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < cIn; c++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        padded[b][c][i + o.padH()][j + o.padW()] = x.get(((b * cIn + c) * h + i) * w + j);
                    }
                }
            }
        }
        int cInG = cIn / 2, cOutG = cOut / 2;
        for (int b = 0; b < n; b++) {
            for (int co = 0; co < cOut; co++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        double expected = bias.get(co);
                        for (int k = 0; k < cInG; k++) {
                            int ci = (co / cOutG) * cInG + k;
                            for (int a = 0; a < kH; a++) {
                                for (int c = 0; c < kW; c++) {
                                    expected += padded[b][ci][oh * 2 + a * 2][ow + c]
                                            * wt.get(((co * cInG + k) * kH + a) * kW + c);
                                }
                            }
                        }
                        assertEquals(expected, out.get(((b * cOut + co) * outH + oh) * outW + ow), 1e-12);
                    }
                }
            }
        }
    }

    @Test
    void inputAndWeightGradientsAreTheExactAdjointsOfTheForwardPass() {
        Random rnd = new Random(42);
        Conv2dOptions o = new Conv2dOptions(2, 2, 1, 1, 2, 2, 2);
        int n = 2, cIn = 4, h = 9, w = 8, cOut = 6, kH = 3, kW = 2;
        int outH = (h + 2 - 2 * (kH - 1) - 1) / 2 + 1;
        int outW = (w + 2 - 2 * (kW - 1) - 1) / 2 + 1;
        ConvGeometry g = new ConvGeometry(n, cIn, h, w, cOut, kH, kW, outH, outW, o);
        Storage x = random(rnd, n * cIn * h * w);
        Storage wt = random(rnd, cOut * (cIn / 2) * kH * kW);
        Storage y = random(rnd, n * cOut * outH * outW);
        Storage out = Storage.heap(DType.FLOAT64, y.length());
        Convolutions.forward(x, wt, null, out, g);

        Storage gradIn = filled(x.length(), Double.NaN);   // not zeroed: the kernel must fully write it
        Convolutions.backwardInput(y, wt, gradIn, g);
        Storage gradW = filled(wt.length(), Double.NaN);
        Convolutions.backwardWeight(x, y, gradW, g);

        double lhs = dot(out, y);
        assertEquals(lhs, dot(x, gradIn), 1e-10);
        assertEquals(lhs, dot(wt, gradW), 1e-10);
    }

    @Test
    void backwardInputServesAsTransposedConvWithOutputPaddingLeavingUntouchedPositionsZero() {
        // conv_transpose2d(y (1,1,2,2), w = [[2]], stride 2, output_padding 1) -> 4x4: y lands on even
        // positions; odd rows and columns (including the output-padding row/column) are 0.
        Storage y = storage(1, 2, 3, 4);
        Storage gradIn = filled(16, Double.NaN);
        ConvGeometry g = new ConvGeometry(1, 1, 4, 4, 1, 1, 1, 2, 2, Conv2dOptions.of(2, 0));
        Convolutions.backwardInput(y, storage(2), gradIn, g);
        assertArrayEquals(new double[] {
                2, 0, 4, 0,
                0, 0, 0, 0,
                6, 0, 8, 0,
                0, 0, 0, 0}, values(gradIn), EXACT);
    }

    @Test
    void transposedConvOverlapsAddUp() {
        // conv_transpose2d of y = [[1, 2]] with a 1x3 kernel of ones, stride 2, padding 0: width (2-1)*2 + 3 = 5,
        // column 2 is reached by both inputs.
        Storage gradIn = filled(5, Double.NaN);
        ConvGeometry g = new ConvGeometry(1, 1, 1, 5, 1, 1, 3, 1, 2, new Conv2dOptions(1, 2, 0, 0, 1, 1, 1));
        Convolutions.backwardInput(storage(1, 2), storage(1, 1, 1), gradIn, g);
        assertArrayEquals(new double[] {1, 1, 3, 2, 2}, values(gradIn), EXACT);
    }
}
