package dev.kiln.engine.reference;

/** Index arithmetic over row-major shapes, shared by the reference kernels. */
public final class Shapes {

    private Shapes() {
    }

    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensors are limited to 2^31-1 elements, got " + n);
        }
        return (int) n;
    }

    /** Row-major element strides of a contiguous tensor. */
    public static int[] strides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            strides[a] = s;
            s *= shape[a];
        }
        return strides;
    }

    /** Advances a multi-index in row-major order (last axis fastest). */
    public static void increment(int[] index, int[] shape) {
        for (int a = shape.length - 1; a >= 0; a--) {
            if (++index[a] < shape[a]) {
                return;
            }
            index[a] = 0;
        }
    }

    public static int dot(int[] index, int[] strides) {
        int s = 0;
        for (int a = 0; a < index.length; a++) {
            s += index[a] * strides[a];
        }
        return s;
    }

    /** Checks an int64 index against an axis size and narrows it. */
    public static int checkIndex(long value, int size, String op) {
        if (value < 0 || value >= size) {
            throw new IndexOutOfBoundsException(op + ": index " + value + " is out of range for an axis of size " + size
                    + "; valid indices are 0.." + (size - 1));
        }
        return (int) value;
    }
}
