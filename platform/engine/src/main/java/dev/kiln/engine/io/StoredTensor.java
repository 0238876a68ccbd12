package dev.kiln.engine.io;

import dev.kiln.api.tensor.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor as stored in a file: its element type, shape and raw little-endian bytes in
 * row-major order. Immutable: {@link #shape()} and {@link #data()} return copies or read-only views.
 *
 * <pre>{@code
 * StoredTensor w = StoredTensor.of("fc.weight", new double[] {1, 2, 3, 4}, 2, 2);
 * double[] back = w.toDoubleArray();
 * }</pre>
 */
public record StoredTensor(String name, DType dtype, int[] shape, ByteBuffer data) {

    /**
     * @param data exactly {@code numel * dtype.byteSize()} bytes from its position to its limit, little-endian
     */
    public StoredTensor {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must be non-empty");
        }
        if (dtype == null) {
            throw new IllegalArgumentException("tensor '" + name + "': dtype must not be null");
        }
        shape = shape.clone();
        long expected = dtype.byteSize() * numel(name, shape);
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape) + " " + dtype
                    + " needs " + expected + " bytes of data, got " + data.remaining());
        }
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public static StoredTensor of(String name, double[] values, int... shape) {
        ByteBuffer b = allocate(name, values.length, DType.FLOAT64, shape);
        b.asDoubleBuffer().put(values);
        return new StoredTensor(name, DType.FLOAT64, shape, b);
    }

    public static StoredTensor of(String name, float[] values, int... shape) {
        ByteBuffer b = allocate(name, values.length, DType.FLOAT32, shape);
        b.asFloatBuffer().put(values);
        return new StoredTensor(name, DType.FLOAT32, shape, b);
    }

    public static StoredTensor of(String name, long[] values, int... shape) {
        ByteBuffer b = allocate(name, values.length, DType.INT64, shape);
        b.asLongBuffer().put(values);
        return new StoredTensor(name, DType.INT64, shape, b);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** A read-only little-endian view of the bytes, positioned at 0. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Number of elements. */
    public int numel() {
        return (int) numel(name, shape);
    }

    /** The elements in row-major order, converted to double. */
    public double[] toDoubleArray() {
        double[] out = new double[numel()];
        ByteBuffer b = data();
        switch (dtype) {
            case FLOAT64 -> b.asDoubleBuffer().get(out);
            case FLOAT32 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.getFloat(4 * i);
                }
            }
            case INT64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.getLong(8 * i);
                }
            }
        }
        return out;
    }

    /** The elements in row-major order, converted to float. */
    public float[] toFloatArray() {
        if (dtype == DType.FLOAT32) {
            float[] out = new float[numel()];
            data().asFloatBuffer().get(out);
            return out;
        }
        double[] d = toDoubleArray();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** The elements in row-major order, converted to long (floating-point values truncate toward zero). */
    public long[] toLongArray() {
        if (dtype == DType.INT64) {
            long[] out = new long[numel()];
            data().asLongBuffer().get(out);
            return out;
        }
        double[] d = toDoubleArray();
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (long) d[i];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredTensor t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "StoredTensor[" + name + ", " + dtype + ", " + Arrays.toString(shape) + "]";
    }

    private static ByteBuffer allocate(String name, int length, DType dtype, int[] shape) {
        long n = numel(name, shape);
        if (n != length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " holds " + n + " elements, got " + length + " values");
        }
        return ByteBuffer.allocate(Math.multiplyExact(length, dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Product of the sizes; rejects negative sizes and tensors over 2^31-1 bytes (a Java array or buffer). */
    static long numel(String name, int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative size in shape " + Arrays.toString(shape));
            }
            n *= s;
            if (n > Integer.MAX_VALUE / 8) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " is too large for one buffer (more than " + Integer.MAX_VALUE / 8 + " elements)");
            }
        }
        return n;
    }
}
