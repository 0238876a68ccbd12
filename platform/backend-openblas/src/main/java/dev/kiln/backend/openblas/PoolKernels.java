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

    static void maxForward(Parallel par, FloatBuffer x, FloatBuffer out, LongBuffer indices, PoolGeometry g) {
        par.forRange(g.planes(), Parallel.HEAVY * g.h() * g.w(), (from, to) -> maxForward(x, out, indices, g, from, to));
    }

    /** Planes {@code [from, to)}. */
    private static void maxForward(FloatBuffer x, FloatBuffer out, LongBuffer indices, PoolGeometry g, int from, int to) {
        Pool2dOptions o = g.options();
        int h = g.h();
        int w = g.w();
        int inPlane = h * w;
        int outPlane = g.outH() * g.outW();
        Scratch s = Scratch.get();
        float[] in = s.big1(inPlane);
        float[] res = s.big2(outPlane);
        long[] idx = s.bigLongs(outPlane);
        boolean twoByTwo = o.kernelH() == 2 && o.kernelW() == 2 && o.strideH() == 2 && o.strideW() == 2
                && o.padH() == 0 && o.padW() == 0 && 2 * g.outH() <= h && 2 * g.outW() <= w;
        for (int p = from; p < to; p++) {
            x.get(p * inPlane, in, 0, inPlane);
            if (twoByTwo) {
                maxTwoByTwo(in, w, g.outH(), g.outW(), res, idx);
                out.put(p * outPlane, res, 0, outPlane);
                indices.put(p * outPlane, idx, 0, outPlane);
                continue;
            }
            int at = 0;
            for (int oh = 0; oh < g.outH(); oh++) {
                int h0 = oh * o.strideH() - o.padH();
                int h1 = Math.min(h0 + o.kernelH(), h);
                h0 = Math.max(h0, 0);
                for (int ow = 0; ow < g.outW(); ow++) {
                    int w0 = ow * o.strideW() - o.padW();
                    int w1 = Math.min(w0 + o.kernelW(), w);
                    w0 = Math.max(w0, 0);
                    // The maximum first, with no data-dependent branch (Math.max propagates NaN), then one scan for
                    // where it is: a comparison per element on random data mispredicts about half the time.
                    float best = Float.NEGATIVE_INFINITY;
                    for (int ih = h0; ih < h1; ih++) {
                        int row = ih * w;
                        for (int iw = w0; iw < w1; iw++) {
                            best = Math.max(best, in[row + iw]);
                        }
                    }
                    int arg = best != best ? lastNaN(in, w, h0, h1, w0, w1) : firstEqual(in, w, h0, h1, w0, w1, best);
                    res[at] = best;
                    idx[at] = arg;
                    at++;
                }
            }
            out.put(p * outPlane, res, 0, outPlane);
            indices.put(p * outPlane, idx, 0, outPlane);
        }
    }

    /**
     * The classic 2x2, stride-2 pooling without padding, as straight-line code: the general loop's
     * two-trip inner loops cost more than the comparisons (64x64x24x24, one thread: 17.4 -> 9.2 ms).
     */
    private static void maxTwoByTwo(float[] in, int w, int outH, int outW, float[] res, long[] idx) {
        int at = 0;
        for (int oh = 0; oh < outH; oh++) {
            int r0 = 2 * oh * w;
            int r1 = r0 + w;
            for (int ow = 0; ow < outW; ow++) {
                int c = 2 * ow;
                float a = in[r0 + c];
                float b = in[r0 + c + 1];
                float d = in[r1 + c];
                float e = in[r1 + c + 1];
                float top = Math.max(a, b);
                float bottom = Math.max(d, e);
                float m = Math.max(top, bottom);
                int arg;
                if (m != m) { // a NaN wins, the last one as in PyTorch's kernel
                    arg = e != e ? r1 + c + 1 : d != d ? r1 + c : b != b ? r0 + c + 1 : r0 + c;
                } else {
                    // the first maximum in row-major order, as flags and arithmetic rather than a chain of compares:
                    // on real activations which of the four wins is random, and each mispredicted branch cost more
                    // than the whole window (a later one only where strictly greater, so ties keep the earlier)
                    int right0 = b > a ? 1 : 0;
                    int right1 = e > d ? 1 : 0;
                    int down = bottom > top ? 1 : 0;
                    arg = r0 + c + down * w + right0 + down * (right1 - right0);
                }
                res[at] = m;
                idx[at] = arg;
                at++;
            }
        }
    }

    /** The first window position holding {@code best} (row-major), as PyTorch's first-maximum rule. */
    private static int firstEqual(float[] in, int w, int h0, int h1, int w0, int w1, float best) {
        for (int ih = h0; ih < h1; ih++) {
            int row = ih * w;
            for (int iw = w0; iw < w1; iw++) {
                if (in[row + iw] == best) {
                    return row + iw;
                }
            }
        }
        return h0 * w + w0; // an empty window (or only -inf): the first in-bounds position
    }

    /** The last NaN of the window: PyTorch's kernel keeps replacing the maximum by each NaN it meets. */
    private static int lastNaN(float[] in, int w, int h0, int h1, int w0, int w1) {
        for (int ih = h1 - 1; ih >= h0; ih--) {
            int row = ih * w;
            for (int iw = w1 - 1; iw >= w0; iw--) {
                if (in[row + iw] != in[row + iw]) {
                    return row + iw;
                }
            }
        }
        throw new IllegalStateException("unreachable: the window's maximum is NaN but it holds no NaN");
    }

    static void maxBackward(Parallel par, FloatBuffer gradOut, LongBuffer indices, FloatBuffer gradIn, PoolGeometry g) {
        par.forRange(g.planes(), Parallel.HEAVY * g.h() * g.w(), (from, to) -> maxBackward(gradOut, indices, gradIn, g, from, to));
    }

    /** Planes {@code [from, to)}: each plane's gradient only receives from its own outputs. */
    private static void maxBackward(FloatBuffer gradOut, LongBuffer indices, FloatBuffer gradIn, PoolGeometry g, int from, int to) {
        int inPlane = g.h() * g.w();
        int outPlane = g.outH() * g.outW();
        Scratch s = Scratch.get();
        float[] acc = s.big1(inPlane);
        float[] go = s.big2(outPlane);
        long[] idx = s.bigLongs(outPlane);
        for (int p = from; p < to; p++) {
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
