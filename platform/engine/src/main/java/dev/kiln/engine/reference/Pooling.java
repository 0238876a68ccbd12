package dev.kiln.engine.reference;

import dev.kiln.api.tensor.Pool2dOptions;
import dev.kiln.engine.backend.PoolGeometry;
import dev.kiln.engine.backend.Storage;

/**
 * Reference pooling and unpooling kernels with PyTorch's {@code max_pool2d}, {@code avg_pool2d} and
 * {@code max_unpool2d} semantics, on NCHW contiguous storages ({@code n*c} planes of {@code h*w}).
 *
 * <p>The window of output {@code (oh, ow)} starts at {@code (oh*strideH - padH, ow*strideW - padW)}
 * and spans the kernel; {@code outH}/{@code outW} (floor or ceil mode) come with the geometry.
 */
final class Pooling {
    private Pooling() {
    }

    /**
     * Max over each window clipped to the input (padding acts as -inf and is never selected).
     * {@code indices} receives the flat index {@code ih*w + iw} within the input plane. As PyTorch's
     * CPU kernel, the running maximum is replaced when {@code val > max || isNaN(val)}: ties keep the
     * first maximum in row-major window order, and a NaN always wins (the last NaN of the window).
     * A window of only -inf reports its first in-bounds position.
     */
    static void maxForward(Storage x, Storage out, Storage indices, PoolGeometry g) {
        Pool2dOptions o = g.options();
        int inPlane = g.h() * g.w();
        int outPlane = g.outH() * g.outW();
        for (int p = 0; p < g.planes(); p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                int hStart = Math.max(oh * o.strideH() - o.padH(), 0);
                int hEnd = Math.min(oh * o.strideH() - o.padH() + o.kernelH(), g.h());
                for (int ow = 0; ow < g.outW(); ow++) {
                    int wStart = Math.max(ow * o.strideW() - o.padW(), 0);
                    int wEnd = Math.min(ow * o.strideW() - o.padW() + o.kernelW(), g.w());
                    int maxIndex = hStart * g.w() + wStart;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int ih = hStart; ih < hEnd; ih++) {
                        for (int iw = wStart; iw < wEnd; iw++) {
                            int index = ih * g.w() + iw;
                            double v = x.get(p * inPlane + index);
                            if (v > max || Double.isNaN(v)) {
                                max = v;
                                maxIndex = index;
                            }
                        }
                    }
                    int o1 = p * outPlane + oh * g.outW() + ow;
                    out.set(o1, max);
                    indices.setLong(o1, maxIndex);
                }
            }
        }
    }

    /** Adds each {@code gradOut} element into the zeroed {@code gradIn} at its max's index (overlaps add). */
    static void maxBackward(Storage gradOut, Storage indices, Storage gradIn, PoolGeometry g) {
        int inPlane = g.h() * g.w();
        int outPlane = g.outH() * g.outW();
        for (int p = 0; p < g.planes(); p++) {
            for (int i = 0; i < outPlane; i++) {
                int index = p * inPlane + (int) indices.getLong(p * outPlane + i);
                gradIn.set(index, gradIn.get(index) + gradOut.get(p * outPlane + i));
            }
        }
    }

    /** Mean over each window, with PyTorch's divisors (see {@link #window}). */
    static void avgForward(Storage x, Storage out, PoolGeometry g, boolean countIncludePad) {
        int inPlane = g.h() * g.w();
        int outPlane = g.outH() * g.outW();
        int[] win = new int[5];
        for (int p = 0; p < g.planes(); p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    int o1 = p * outPlane + oh * g.outW() + ow;
                    if (!window(g, oh, ow, countIncludePad, win)) {
                        out.set(o1, 0.0);
                        continue;
                    }
                    double sum = 0.0;
                    for (int ih = win[0]; ih < win[1]; ih++) {
                        for (int iw = win[2]; iw < win[3]; iw++) {
                            sum += x.get(p * inPlane + ih * g.w() + iw);
                        }
                    }
                    out.set(o1, sum / win[4]);
                }
            }
        }
    }

    /** Spreads each {@code gradOut / divisor} over its window, accumulating into the zeroed {@code gradIn}. */
    static void avgBackward(Storage gradOut, Storage gradIn, PoolGeometry g, boolean countIncludePad) {
        int inPlane = g.h() * g.w();
        int outPlane = g.outH() * g.outW();
        int[] win = new int[5];
        for (int p = 0; p < g.planes(); p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    if (!window(g, oh, ow, countIncludePad, win)) {
                        continue;
                    }
                    double share = gradOut.get(p * outPlane + oh * g.outW() + ow) / win[4];
                    for (int ih = win[0]; ih < win[1]; ih++) {
                        for (int iw = win[2]; iw < win[3]; iw++) {
                            int index = p * inPlane + ih * g.w() + iw;
                            gradIn.set(index, gradIn.get(index) + share);
                        }
                    }
                }
            }
        }
    }

    /**
     * PyTorch's average-pooling window: {@code hStart = oh*sH - padH}, {@code hEnd = min(hStart + kH,
     * h + padH)}, {@code poolSize = (hEnd-hStart)*(wEnd-wStart)} (so a ceil-mode window hanging past
     * the right padding is not counted in full), then both ends are clipped to the input. The divisor
     * is {@code poolSize} with {@code countIncludePad}, else the clipped window's area.
     *
     * @param win receives {hStart, hEnd, wStart, wEnd, divisor} of the clipped window
     * @return false when the clipped window is empty (its output is 0, as PyTorch)
     */
    private static boolean window(PoolGeometry g, int oh, int ow, boolean countIncludePad, int[] win) {
        Pool2dOptions o = g.options();
        int hStart = oh * o.strideH() - o.padH();
        int wStart = ow * o.strideW() - o.padW();
        int hEnd = Math.min(hStart + o.kernelH(), g.h() + o.padH());
        int wEnd = Math.min(wStart + o.kernelW(), g.w() + o.padW());
        int poolSize = (hEnd - hStart) * (wEnd - wStart);
        hStart = Math.max(hStart, 0);
        wStart = Math.max(wStart, 0);
        hEnd = Math.min(hEnd, g.h());
        wEnd = Math.min(wEnd, g.w());
        if (hStart >= hEnd || wStart >= wEnd) {
            return false;
        }
        win[0] = hStart;
        win[1] = hEnd;
        win[2] = wStart;
        win[3] = wEnd;
        win[4] = countIncludePad ? poolSize : (hEnd - hStart) * (wEnd - wStart);
        return true;
    }

    /**
     * Max unpooling: {@code out[p*outPlane + indices[p*inPlane + i]] = x[p*inPlane + i]} into the
     * zeroed {@code out}; where indices repeat within a plane, the last write wins.
     *
     * @throws IndexOutOfBoundsException if an index is outside {@code [0, outPlane)}
     */
    static void unpool(Storage x, Storage indices, Storage out, int planes, int inPlane, int outPlane) {
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < inPlane; i++) {
                int index = checkedIndex(indices, p, i, inPlane, outPlane);
                out.set(p * outPlane + index, x.get(p * inPlane + i));
            }
        }
    }

    /** {@code gradIn[p*inPlane + i] = gradOut[p*outPlane + indices[p*inPlane + i]]}; fully writes {@code gradIn}. */
    static void unpoolBackward(Storage gradOut, Storage indices, Storage gradIn, int planes, int inPlane, int outPlane) {
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < inPlane; i++) {
                int index = checkedIndex(indices, p, i, inPlane, outPlane);
                gradIn.set(p * inPlane + i, gradOut.get(p * outPlane + index));
            }
        }
    }

    private static int checkedIndex(Storage indices, int p, int i, int inPlane, int outPlane) {
        long index = indices.getLong(p * inPlane + i);
        if (index < 0 || index >= outPlane) {
            throw new IndexOutOfBoundsException("max_unpool2d: index " + index + " (plane " + p + ", element " + i
                    + ") is outside the output plane of size " + outPlane);
        }
        return (int) index;
    }
}
