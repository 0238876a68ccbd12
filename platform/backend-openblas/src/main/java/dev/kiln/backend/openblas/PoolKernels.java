package dev.kiln.backend.openblas;

import dev.kiln.api.tensor.Pool2dOptions;
import dev.kiln.engine.backend.PoolGeometry;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * float32 max and average pooling as plane-at-a-time array loops (PyTorch semantics: padded cells
 * never win a max, the first maximum wins a tie, a NaN wins over numbers (the last NaN, as in
 * PyTorch's CPU kernel); indices are flat
 * {@code h*W+w} within the input plane). Faster here than oneDNN pooling plus an index pass, since
 * oneDNN's workspace is not in the engine's index format.
 */
final class PoolKernels {
    private PoolKernels() {
    }

    static void maxForward(FloatBuffer x, FloatBuffer out, LongBuffer indices, PoolGeometry g) {
        Pool2dOptions o = g.options();
        int h = g.h();
        int w = g.w();
        int inPlane = h * w;
        int outPlane = g.outH() * g.outW();
        Scratch s = Scratch.get();
        float[] in = s.big1(inPlane);
        float[] res = s.big2(outPlane);
        long[] idx = s.bigLongs(outPlane);
        for (int p = 0; p < g.planes(); p++) {
            x.get(p * inPlane, in, 0, inPlane);
            int at = 0;
            for (int oh = 0; oh < g.outH(); oh++) {
                int h0 = oh * o.strideH() - o.padH();
                int h1 = Math.min(h0 + o.kernelH(), h);
                h0 = Math.max(h0, 0);
                for (int ow = 0; ow < g.outW(); ow++) {
                    int w0 = ow * o.strideW() - o.padW();
                    int w1 = Math.min(w0 + o.kernelW(), w);
                    w0 = Math.max(w0, 0);
                    float best = Float.NEGATIVE_INFINITY;
                    int arg = h0 * w + w0;
                    for (int ih = h0; ih < h1; ih++) {
                        int row = ih * w;
                        for (int iw = w0; iw < w1; iw++) {
                            float v = in[row + iw];
                            if (v > best || v != v) {
                                best = v;
                                arg = row + iw;
                            }
                        }
                    }
                    res[at] = best;
                    idx[at] = arg;
                    at++;
                }
            }
            out.put(p * outPlane, res, 0, outPlane);
            indices.put(p * outPlane, idx, 0, outPlane);
        }
    }

    static void maxBackward(FloatBuffer gradOut, LongBuffer indices, FloatBuffer gradIn, PoolGeometry g) {
        int inPlane = g.h() * g.w();
        int outPlane = g.outH() * g.outW();
        Scratch s = Scratch.get();
        float[] acc = s.big1(inPlane);
        float[] go = s.big2(outPlane);
        long[] idx = s.bigLongs(outPlane);
        for (int p = 0; p < g.planes(); p++) {
            gradIn.get(p * inPlane, acc, 0, inPlane);
            gradOut.get(p * outPlane, go, 0, outPlane);
            indices.get(p * outPlane, idx, 0, outPlane);
            for (int i = 0; i < outPlane; i++) {
                long k = idx[i];
                if (k < 0 || k >= inPlane) {
                    throw new IndexOutOfBoundsException("max_pool2d backward: index " + k + " outside a plane of " + inPlane);
                }
                acc[(int) k] += go[i];
            }
            gradIn.put(p * inPlane, acc, 0, inPlane);
        }
    }

    static void avgForward(FloatBuffer x, FloatBuffer out, PoolGeometry g, boolean countIncludePad) {
        Pool2dOptions o = g.options();
        int h = g.h();
        int w = g.w();
        int inPlane = h * w;
        int outPlane = g.outH() * g.outW();
        Scratch s = Scratch.get();
        float[] in = s.big1(inPlane);
        float[] res = s.big2(outPlane);
        for (int p = 0; p < g.planes(); p++) {
            x.get(p * inPlane, in, 0, inPlane);
            int at = 0;
            for (int oh = 0; oh < g.outH(); oh++) {
                int h0 = oh * o.strideH() - o.padH();
                int h1 = Math.min(h0 + o.kernelH(), h + o.padH());
                int poolH = h1 - h0;
                h0 = Math.max(h0, 0);
                h1 = Math.min(h1, h);
                for (int ow = 0; ow < g.outW(); ow++) {
                    int w0 = ow * o.strideW() - o.padW();
                    int w1 = Math.min(w0 + o.kernelW(), w + o.padW());
                    int poolW = w1 - w0;
                    w0 = Math.max(w0, 0);
                    w1 = Math.min(w1, w);
                    if (h0 >= h1 || w0 >= w1) {
                        res[at++] = 0f;
                        continue;
                    }
                    double sum = 0;
                    for (int ih = h0; ih < h1; ih++) {
                        int row = ih * w;
                        for (int iw = w0; iw < w1; iw++) {
                            sum += in[row + iw];
                        }
                    }
                    int count = countIncludePad ? poolH * poolW : (h1 - h0) * (w1 - w0);
                    res[at++] = (float) (sum / count);
                }
            }
            out.put(p * outPlane, res, 0, outPlane);
        }
    }

    static void avgBackward(FloatBuffer gradOut, FloatBuffer gradIn, PoolGeometry g, boolean countIncludePad) {
        Pool2dOptions o = g.options();
        int h = g.h();
        int w = g.w();
        int inPlane = h * w;
        int outPlane = g.outH() * g.outW();
        Scratch s = Scratch.get();
        float[] acc = s.big1(inPlane);
        float[] go = s.big2(outPlane);
        for (int p = 0; p < g.planes(); p++) {
            gradIn.get(p * inPlane, acc, 0, inPlane);
            gradOut.get(p * outPlane, go, 0, outPlane);
            int at = 0;
            for (int oh = 0; oh < g.outH(); oh++) {
                int h0 = oh * o.strideH() - o.padH();
                int h1 = Math.min(h0 + o.kernelH(), h + o.padH());
                int poolH = h1 - h0;
                h0 = Math.max(h0, 0);
                h1 = Math.min(h1, h);
                for (int ow = 0; ow < g.outW(); ow++) {
                    int w0 = ow * o.strideW() - o.padW();
                    int w1 = Math.min(w0 + o.kernelW(), w + o.padW());
                    int poolW = w1 - w0;
                    w0 = Math.max(w0, 0);
                    w1 = Math.min(w1, w);
                    float grad = go[at++];
                    if (h0 >= h1 || w0 >= w1) {
                        continue;
                    }
                    int count = countIncludePad ? poolH * poolW : (h1 - h0) * (w1 - w0);
                    float share = (float) ((double) grad / count);
                    for (int ih = h0; ih < h1; ih++) {
                        int row = ih * w;
                        for (int iw = w0; iw < w1; iw++) {
                            acc[row + iw] += share;
                        }
                    }
                }
            }
            gradIn.put(p * inPlane, acc, 0, inPlane);
        }
    }
}
