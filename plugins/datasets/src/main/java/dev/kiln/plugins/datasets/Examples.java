package dev.kiln.plugins.datasets;

import java.util.Arrays;

/**
 * Examples held in memory, row after row: unsigned bytes (pixels, scaled by 1/255 when read) or
 * floats (CSV columns), with one class label per row.
 */
final class Examples {

    private final byte[] bytes;
    private final float[] floats;
    private final int[] labels;
    private final int exampleSize;

    private Examples(byte[] bytes, float[] floats, int[] labels, int exampleSize) {
        this.bytes = bytes;
        this.floats = floats;
        this.labels = labels;
        this.exampleSize = exampleSize;
        long expected = (long) labels.length * exampleSize;
        long actual = bytes != null ? bytes.length : floats.length;
        if (expected != actual) {
            throw new IllegalArgumentException(labels.length + " labels of " + exampleSize + " values need "
                    + expected + " values, got " + actual);
        }
    }

    /** Pixels as unsigned bytes, read as {@code value / 255}. */
    static Examples ofBytes(byte[] pixels, int[] labels, int exampleSize) {
        return new Examples(pixels, null, labels, exampleSize);
    }

    static Examples ofFloats(float[] values, int[] labels, int exampleSize) {
        return new Examples(null, values, labels, exampleSize);
    }

    static Examples empty(int exampleSize) {
        return new Examples(new byte[0], null, new int[0], exampleSize);
    }

    int size() {
        return labels.length;
    }

    int exampleSize() {
        return exampleSize;
    }

    int label(int index) {
        return labels[index];
    }

    /** Copies example {@code index} into {@code out[offset .. offset + exampleSize)}. */
    void copy(int index, float[] out, int offset) {
        int base = index * exampleSize;
        if (bytes != null) {
            for (int i = 0; i < exampleSize; i++) {
                out[offset + i] = (bytes[base + i] & 0xFF) / 255f;
            }
        } else {
            System.arraycopy(floats, base, out, offset, exampleSize);
        }
    }

    /** Number of examples of each class {@code 0 .. classes-1}. */
    int[] histogram(int classes) {
        int[] h = new int[classes];
        for (int l : labels) {
            if (l >= 0 && l < classes) {
                h[l]++;
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return "Examples[" + labels.length + " × " + exampleSize + (bytes != null ? " bytes" : " floats")
                + ", first labels " + Arrays.toString(Arrays.copyOf(labels, Math.min(5, labels.length))) + "]";
    }
}
