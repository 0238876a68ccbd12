package dev.kiln.backend.openblas;

import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.api.tensor.Pool2dOptions;
import dev.kiln.engine.backend.ConvGeometry;
import dev.kiln.engine.backend.PoolGeometry;

/**
 * Independent double-precision loops with PyTorch semantics for convolution and pooling, used
 * where the reference backend does not implement a kernel yet (it throws
 * UnsupportedOperationException), so the parity tests run either way.
 */
final class Oracle {
    private Oracle() {
    }

    static double[] conv(double[] x, double[] w, double[] bias, ConvGeometry g) {
        Conv2dOptions o = g.options();
        int cig = g.cInPerGroup();
        int cog = g.cOutPerGroup();
        double[] out = new double[g.n() * g.cOut() * g.outH() * g.outW()];
        for (int n = 0; n < g.n(); n++) {
            for (int oc = 0; oc < g.cOut(); oc++) {
                int grp = oc / cog;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        double s = bias == null ? 0 : bias[oc];
                        for (int ic = 0; ic < cig; ic++) {
                            int c = grp * cig + ic;
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
                                    s += x[((n * g.cIn() + c) * g.h() + ih) * g.w() + iw]
                                            * w[((oc * cig + ic) * g.kH() + kh) * g.kW() + kw];
                                }
                            }
                        }
                        out[((n * g.cOut() + oc) * g.outH() + oh) * g.outW() + ow] = s;
                    }
                }
            }
        }
        return out;
    }

    static double[] convBackwardInput(double[] gy, double[] w, ConvGeometry g) {
        Conv2dOptions o = g.options();
        int cig = g.cInPerGroup();
        int cog = g.cOutPerGroup();
        double[] gx = new double[g.n() * g.cIn() * g.h() * g.w()];
        for (int n = 0; n < g.n(); n++) {
            for (int oc = 0; oc < g.cOut(); oc++) {
                int grp = oc / cog;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        double v = gy[((n * g.cOut() + oc) * g.outH() + oh) * g.outW() + ow];
                        for (int ic = 0; ic < cig; ic++) {
                            int c = grp * cig + ic;
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
                                    gx[((n * g.cIn() + c) * g.h() + ih) * g.w() + iw]
                                            += v * w[((oc * cig + ic) * g.kH() + kh) * g.kW() + kw];
                                }
                            }
                        }
                    }
                }
            }
        }
        return gx;
    }

    static double[] convBackwardWeight(double[] x, double[] gy, ConvGeometry g) {
        Conv2dOptions o = g.options();
        int cig = g.cInPerGroup();
        int cog = g.cOutPerGroup();
        double[] gw = new double[g.cOut() * cig * g.kH() * g.kW()];
        for (int n = 0; n < g.n(); n++) {
            for (int oc = 0; oc < g.cOut(); oc++) {
                int grp = oc / cog;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        double v = gy[((n * g.cOut() + oc) * g.outH() + oh) * g.outW() + ow];
                        for (int ic = 0; ic < cig; ic++) {
                            int c = grp * cig + ic;
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
                                    gw[((oc * cig + ic) * g.kH() + kh) * g.kW() + kw]
                                            += v * x[((n * g.cIn() + c) * g.h() + ih) * g.w() + iw];
                                }
                            }
                        }
                    }
                }
            }
        }
        return gw;
    }

    /** Max pooling: values then indices (as doubles). */
    static double[][] maxPool(double[] x, PoolGeometry g) {
        Pool2dOptions o = g.options();
        int op = g.outH() * g.outW();
        double[] out = new double[g.planes() * op];
        double[] idx = new double[g.planes() * op];
        for (int p = 0; p < g.planes(); p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int arg = -1;
                    for (int kh = 0; kh < o.kernelH(); kh++) {
                        int ih = oh * o.strideH() - o.padH() + kh;
                        for (int kw = 0; kw < o.kernelW(); kw++) {
                            int iw = ow * o.strideW() - o.padW() + kw;
                            if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) {
                                continue;
                            }
                            double v = x[p * g.h() * g.w() + ih * g.w() + iw];
                            if (arg < 0 || v > best) {
                                best = v;
                                arg = ih * g.w() + iw;
                            }
                        }
                    }
                    out[p * op + oh * g.outW() + ow] = best;
                    idx[p * op + oh * g.outW() + ow] = arg;
                }
            }
        }
        return new double[][]{out, idx};
    }

    static double[] avgPool(double[] x, PoolGeometry g, boolean countIncludePad) {
        Pool2dOptions o = g.options();
        int op = g.outH() * g.outW();
        double[] out = new double[g.planes() * op];
        for (int p = 0; p < g.planes(); p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    int hs = oh * o.strideH() - o.padH();
                    int ws = ow * o.strideW() - o.padW();
                    int he = Math.min(hs + o.kernelH(), g.h() + o.padH());
                    int we = Math.min(ws + o.kernelW(), g.w() + o.padW());
                    int padded = (he - hs) * (we - ws);
                    double s = 0;
                    int valid = 0;
                    for (int ih = Math.max(hs, 0); ih < Math.min(he, g.h()); ih++) {
                        for (int iw = Math.max(ws, 0); iw < Math.min(we, g.w()); iw++) {
                            s += x[p * g.h() * g.w() + ih * g.w() + iw];
                            valid++;
                        }
                    }
                    out[p * op + oh * g.outW() + ow] = valid == 0 ? 0 : s / (countIncludePad ? padded : valid);
                }
            }
        }
        return out;
    }

    static double[] avgPoolBackward(double[] gy, PoolGeometry g, boolean countIncludePad) {
        Pool2dOptions o = g.options();
        int op = g.outH() * g.outW();
        double[] gx = new double[g.planes() * g.h() * g.w()];
        for (int p = 0; p < g.planes(); p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    int hs = oh * o.strideH() - o.padH();
                    int ws = ow * o.strideW() - o.padW();
                    int he = Math.min(hs + o.kernelH(), g.h() + o.padH());
                    int we = Math.min(ws + o.kernelW(), g.w() + o.padW());
                    int padded = (he - hs) * (we - ws);
                    int h0 = Math.max(hs, 0);
                    int h1 = Math.min(he, g.h());
                    int w0 = Math.max(ws, 0);
                    int w1 = Math.min(we, g.w());
                    int valid = Math.max(0, h1 - h0) * Math.max(0, w1 - w0);
                    if (valid == 0) {
                        continue;
                    }
                    double share = gy[p * op + oh * g.outW() + ow] / (countIncludePad ? padded : valid);
                    for (int ih = h0; ih < h1; ih++) {
                        for (int iw = w0; iw < w1; iw++) {
                            gx[p * g.h() * g.w() + ih * g.w() + iw] += share;
                        }
                    }
                }
            }
        }
        return gx;
    }
}
