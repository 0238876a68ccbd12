package dev.kiln.engine.reference;

import dev.kiln.engine.backend.ResizeGeometry;
import dev.kiln.engine.backend.Storage;

/**
 * Reference nearest and bilinear resizing kernels with PyTorch's {@code interpolate(size=...)}
 * semantics ({@code mode='nearest'} and {@code mode='bilinear'}), on {@code planes} contiguous planes.
 */
final class Resizing {
    private Resizing() {
    }

    /** {@code out[p, oh, ow] = x[p, nearestSource(oh, h, outH), nearestSource(ow, w, outW)]}. */
    static void nearest(Storage x, Storage out, ResizeGeometry g) {
        int inPlane = g.h() * g.w();
        int outPlane = g.outH() * g.outW();
        for (int p = 0; p < g.planes(); p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                int ih = nearestSource(oh, g.h(), g.outH());
                for (int ow = 0; ow < g.outW(); ow++) {
                    int iw = nearestSource(ow, g.w(), g.outW());
                    out.set(p * outPlane + oh * g.outW() + ow, x.get(p * inPlane + ih * g.w() + iw));
                }
            }
        }
    }

    /** Adds each {@code gradOut} element into the zeroed {@code gradIn} at its nearest source. */
    static void nearestBackward(Storage gradOut, Storage gradIn, ResizeGeometry g) {
        int inPlane = g.h() * g.w();
        int outPlane = g.outH() * g.outW();
        for (int p = 0; p < g.planes(); p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                int ih = nearestSource(oh, g.h(), g.outH());
                for (int ow = 0; ow < g.outW(); ow++) {
                    int iw = nearestSource(ow, g.w(), g.outW());
                    int index = p * inPlane + ih * g.w() + iw;
                    gradIn.set(index, gradIn.get(index) + gradOut.get(p * outPlane + oh * g.outW() + ow));
                }
            }
        }
    }

    /**
     * PyTorch's nearest source index for an output size: {@code min(floor(dst * scale), in - 1)} with
     * {@code scale = in / out} computed, and multiplied, in float (as PyTorch does; in double a few
     * sizes round differently).
     */
    static int nearestSource(int dst, int in, int out) {
        float scale = (float) in / out;
        float src = dst * scale;
        return Math.min((int) Math.floor(src), in - 1);
    }

    /**
     * {@code out = l0h*(l0w*x[h0,w0] + l1w*x[h0,w1]) + l1h*(l0w*x[h1,w0] + l1w*x[h1,w1])} with the
     * source taps and weights of {@link Taps}.
     */
    static void bilinear(Storage x, Storage out, ResizeGeometry g, boolean alignCorners) {
        int inPlane = g.h() * g.w();
        int outPlane = g.outH() * g.outW();
        for (int p = 0; p < g.planes(); p++) {
            int base = p * inPlane;
            for (int oh = 0; oh < g.outH(); oh++) {
                Taps th = Taps.of(oh, g.h(), g.outH(), alignCorners);
                for (int ow = 0; ow < g.outW(); ow++) {
                    Taps tw = Taps.of(ow, g.w(), g.outW(), alignCorners);
                    double v = th.l0 * (tw.l0 * x.get(base + th.i0 * g.w() + tw.i0)
                                      + tw.l1 * x.get(base + th.i0 * g.w() + tw.i1))
                             + th.l1 * (tw.l0 * x.get(base + th.i1 * g.w() + tw.i0)
                                      + tw.l1 * x.get(base + th.i1 * g.w() + tw.i1));
                    out.set(p * outPlane + oh * g.outW() + ow, v);
                }
            }
        }
    }

    /** Adds the four weighted shares of each {@code gradOut} element into the zeroed {@code gradIn}. */
    static void bilinearBackward(Storage gradOut, Storage gradIn, ResizeGeometry g, boolean alignCorners) {
        int inPlane = g.h() * g.w();
        int outPlane = g.outH() * g.outW();
        for (int p = 0; p < g.planes(); p++) {
            int base = p * inPlane;
            for (int oh = 0; oh < g.outH(); oh++) {
                Taps th = Taps.of(oh, g.h(), g.outH(), alignCorners);
                for (int ow = 0; ow < g.outW(); ow++) {
                    Taps tw = Taps.of(ow, g.w(), g.outW(), alignCorners);
                    double go = gradOut.get(p * outPlane + oh * g.outW() + ow);
                    add(gradIn, base + th.i0 * g.w() + tw.i0, th.l0 * tw.l0 * go);
                    add(gradIn, base + th.i0 * g.w() + tw.i1, th.l0 * tw.l1 * go);
                    add(gradIn, base + th.i1 * g.w() + tw.i0, th.l1 * tw.l0 * go);
                    add(gradIn, base + th.i1 * g.w() + tw.i1, th.l1 * tw.l1 * go);
                }
            }
        }
    }

    private static void add(Storage s, int i, double v) {
        s.set(i, s.get(i) + v);
    }

    /**
     * The two source taps {@code i0 <= i1} and their weights {@code l0 + l1 = 1} of one output
     * coordinate, as PyTorch's {@code compute_source_index_and_lambda}:
     * <ul>
     *   <li>alignCorners: {@code scale = out > 1 ? (in-1)/(out-1) : 0}, {@code src = dst*scale};</li>
     *   <li>otherwise: {@code scale = in/out}, {@code src = max((dst+0.5)*scale - 0.5, 0)};</li>
     * </ul>
     * {@code i0 = floor(src)} (clipped to {@code in-1}), {@code i1 = i0 + (i0 < in-1 ? 1 : 0)},
     * {@code l1 = src - i0} (clipped to [0, 1]), {@code l0 = 1 - l1}. Equal sizes copy ({@code l1 = 0}).
     */
    record Taps(int i0, int i1, double l0, double l1) {
        static Taps of(int dst, int in, int out, boolean alignCorners) {
            if (in == out) {
                return new Taps(dst, dst, 1.0, 0.0);
            }
            double src;
            if (alignCorners) {
                double scale = out > 1 ? (double) (in - 1) / (out - 1) : 0.0;
                src = dst * scale;
            } else {
                double scale = (double) in / out;
                src = Math.max((dst + 0.5) * scale - 0.5, 0.0);
            }
            int i0 = Math.min((int) Math.floor(src), in - 1);
            double l1 = Math.min(Math.max(src - i0, 0.0), 1.0);
            int i1 = i0 + (i0 < in - 1 ? 1 : 0);
            return new Taps(i0, i1, 1.0 - l1, l1);
        }
    }
}
