package dev.kiln.engine;

import java.util.Arrays;

/** Shape rules of the tensor API: broadcasting, axis normalisation, output sizes. */
final class ShapeMath {

    private ShapeMath() {
    }

    static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative size in shape " + Arrays.toString(shape));
            }
            n *= s;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensors are limited to 2^31-1 elements; shape "
                    + Arrays.toString(shape) + " has " + n);
        }
        return (int) n;
    }

    static int[] strides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            strides[a] = s;
            s *= shape[a];
        }
        return strides;
    }

    /** NumPy/PyTorch broadcasting of two shapes. */
    static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast: axis " + (i - rank) + " has sizes " + da + " and " + db
                        + " (each must be equal or 1)");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides reading {@code shape} (contiguous) as if it had {@code outShape}: 0 on broadcast axes. */
    static int[] broadcastStrides(int[] shape, int[] outShape) {
        int rank = outShape.length;
        int offset = rank - shape.length;
        if (offset < 0) {
            throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(shape) + " to " + Arrays.toString(outShape));
        }
        int[] own = strides(shape);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            if (i < offset) {
                continue;
            }
            int s = shape[i - offset];
            if (s == outShape[i]) {
                out[i] = s == 1 ? 0 : own[i - offset];
            } else if (s == 1) {
                out[i] = 0;
            } else {
                throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(shape) + " to " + Arrays.toString(outShape));
            }
        }
        return out;
    }

    static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for a tensor of rank " + rank
                    + " (valid: " + (-rank) + ".." + (rank - 1) + ")");
        }
        return a;
    }

    /** Product of sizes in [from, to). */
    static int product(int[] shape, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= shape[i];
        }
        return p;
    }

    static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** Output size of a convolution-like window along one axis. */
    static int convOut(int in, int pad, int dilation, int kernel, int stride) {
        return Math.floorDiv(in + 2 * pad - dilation * (kernel - 1) - 1, stride) + 1;
    }

    /** Output size of pooling along one axis, PyTorch's rule including ceil mode. */
    static int poolOut(int in, int pad, int kernel, int stride, boolean ceil) {
        int numerator = in + 2 * pad - kernel;
        int out = (ceil ? Math.floorDiv(numerator + stride - 1, stride) : Math.floorDiv(numerator, stride)) + 1;
        if (ceil && (out - 1) * stride >= in + pad) {
            out--; // the last window must start inside the input or the left padding
        }
        return out;
    }
}
