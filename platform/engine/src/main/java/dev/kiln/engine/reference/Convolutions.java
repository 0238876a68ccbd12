package dev.kiln.engine.reference;

import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.engine.backend.ConvGeometry;
import dev.kiln.engine.backend.Storage;

/**
 * Reference 2-D convolution kernels (direct loops), with PyTorch's {@code conv2d} semantics:
 * cross-correlation with stride, zero padding, dilation and groups, NCHW contiguous storages.
 *
 * <p>For output position {@code (oh, ow)} and kernel tap {@code (kh, kw)} the input position is
 * {@code ih = oh*strideH - padH + kh*dilationH} (same for width); taps outside the input read zero.
 * The two backward kernels are the exact transposes of {@link #forward}: they visit the same
 * (output, tap, input) triples and move the product the other way.
 */
final class Convolutions {
    private Convolutions() {
    }

    /**
     * {@code out[b, co, oh, ow] = bias[co] + sum over ci in co's group, kh, kw of
     * x[b, ci, ih, iw] * w[co, ci - group start, kh, kw]}.
     */
    static void forward(Storage x, Storage w, Storage bias, Storage out, ConvGeometry g) {
        Conv2dOptions o = g.options();
        int cInG = g.cInPerGroup();
        int cOutG = g.cOutPerGroup();
        for (int b = 0; b < g.n(); b++) {
            for (int co = 0; co < g.cOut(); co++) {
                int group = co / cOutG;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        double sum = bias == null ? 0.0 : bias.get(co);
                        for (int cig = 0; cig < cInG; cig++) {
                            int ci = group * cInG + cig;
                            for (int kh = 0; kh < g.kH(); kh++) {
                                int ih = oh * o.strideH() - o.padH() + kh * o.dilationH();
                                if (ih < 0 || ih >= g.h()) {
                                    continue;
                                }
                                for (int kw = 0; kw < g.kW(); kw++) {
                                    int iw = ow * o.strideW() - o.padW() + kw * o.dilationW();
                                    if (iw < 0 || iw >= g.w()) {
                                        continue;
                                    }
                                    sum += x.get(inputIndex(g, b, ci, ih, iw))
                                            * w.get(weightIndex(g, co, cig, kh, kw));
                                }
                            }
                        }
                        out.set(outputIndex(g, b, co, oh, ow), sum);
                    }
                }
            }
        }
    }

    /**
     * Gradient with respect to the input: every forward product {@code x[i] * w[k]} that reached
     * {@code out[o]} sends {@code gradOut[o] * w[k]} back to {@code gradIn[i]}. Input positions no
     * window touches (e.g. from a transposed convolution's output padding) get zero. Also serves as
     * {@code conv_transpose2d}'s forward pass. Fully writes {@code gradIn}.
     */
    static void backwardInput(Storage gradOut, Storage w, Storage gradIn, ConvGeometry g) {
        Conv2dOptions o = g.options();
        int cInG = g.cInPerGroup();
        int cOutG = g.cOutPerGroup();
        double[] acc = new double[g.n() * g.cIn() * g.h() * g.w()];
        for (int b = 0; b < g.n(); b++) {
            for (int co = 0; co < g.cOut(); co++) {
                int group = co / cOutG;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        double go = gradOut.get(outputIndex(g, b, co, oh, ow));
                        for (int cig = 0; cig < cInG; cig++) {
                            int ci = group * cInG + cig;
                            for (int kh = 0; kh < g.kH(); kh++) {
                                int ih = oh * o.strideH() - o.padH() + kh * o.dilationH();
                                if (ih < 0 || ih >= g.h()) {
                                    continue;
                                }
                                for (int kw = 0; kw < g.kW(); kw++) {
                                    int iw = ow * o.strideW() - o.padW() + kw * o.dilationW();
                                    if (iw < 0 || iw >= g.w()) {
                                        continue;
                                    }
                                    acc[inputIndex(g, b, ci, ih, iw)] += go * w.get(weightIndex(g, co, cig, kh, kw));
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < acc.length; i++) {
            gradIn.set(i, acc[i]);
        }
    }

    /**
     * Gradient with respect to the weight: {@code gradW[co, cig, kh, kw] = sum over b, oh, ow of
     * gradOut[b, co, oh, ow] * x[b, ci, ih, iw]}. Fully writes {@code gradW}.
     */
    static void backwardWeight(Storage x, Storage gradOut, Storage gradW, ConvGeometry g) {
        Conv2dOptions o = g.options();
        int cInG = g.cInPerGroup();
        int cOutG = g.cOutPerGroup();
        for (int co = 0; co < g.cOut(); co++) {
            int group = co / cOutG;
            for (int cig = 0; cig < cInG; cig++) {
                int ci = group * cInG + cig;
                for (int kh = 0; kh < g.kH(); kh++) {
                    for (int kw = 0; kw < g.kW(); kw++) {
                        double sum = 0.0;
                        for (int b = 0; b < g.n(); b++) {
                            for (int oh = 0; oh < g.outH(); oh++) {
                                int ih = oh * o.strideH() - o.padH() + kh * o.dilationH();
                                if (ih < 0 || ih >= g.h()) {
                                    continue;
                                }
                                for (int ow = 0; ow < g.outW(); ow++) {
                                    int iw = ow * o.strideW() - o.padW() + kw * o.dilationW();
                                    if (iw < 0 || iw >= g.w()) {
                                        continue;
                                    }
                                    sum += gradOut.get(outputIndex(g, b, co, oh, ow))
                                            * x.get(inputIndex(g, b, ci, ih, iw));
                                }
                            }
                        }
                        gradW.set(weightIndex(g, co, cig, kh, kw), sum);
                    }
                }
            }
        }
    }

    private static int inputIndex(ConvGeometry g, int b, int c, int ih, int iw) {
        return ((b * g.cIn() + c) * g.h() + ih) * g.w() + iw;
    }

    private static int outputIndex(ConvGeometry g, int b, int c, int oh, int ow) {
        return ((b * g.cOut() + c) * g.outH() + oh) * g.outW() + ow;
    }

    private static int weightIndex(ConvGeometry g, int co, int cig, int kh, int kw) {
        return ((co * g.cInPerGroup() + cig) * g.kH() + kh) * g.kW() + kw;
    }
}
