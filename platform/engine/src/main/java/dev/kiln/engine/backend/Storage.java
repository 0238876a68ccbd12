package dev.kiln.engine.backend;

import dev.kiln.api.tensor.DType;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A flat, typed block of tensor memory: a {@link FloatBuffer}, {@link DoubleBuffer} or
 * {@link LongBuffer} (heap-backed for the reference backend, direct for native ones), read and
 * written with absolute indices. Reference counted: views such as reshape share one storage, and the
 * memory is released by the backend's releaser when the last holder lets go.
 *
 * <p>{@link #get}/{@link #set} convert through {@code double} and are meant for the reference
 * kernels; fast kernels use {@link #floats()} and friends (or {@link #address()}) directly.
 */
public final class Storage {

    private final DType dtype;
    private final int length;
    private final Buffer buffer;
    private final long address;
    private final AtomicInteger refs = new AtomicInteger(1);
    private Runnable releaser;
    private final FloatBuffer f;
    private final DoubleBuffer d;
    private final LongBuffer l;

    /**
     * @param buffer  a FloatBuffer, DoubleBuffer or LongBuffer of exactly {@code length} elements from index 0
     * @param address the native address of element 0 for direct memory, 0 for heap memory
     * @param releaser frees the memory; called once, when the last reference is released
     */
    public Storage(DType dtype, int length, Buffer buffer, long address, Runnable releaser) {
        this.dtype = dtype;
        this.length = length;
        this.buffer = buffer;
        this.address = address;
        this.releaser = releaser;
        this.f = buffer instanceof FloatBuffer fb ? fb : null;
        this.d = buffer instanceof DoubleBuffer db ? db : null;
        this.l = buffer instanceof LongBuffer lb ? lb : null;
        boolean matches = switch (dtype) {
            case FLOAT32 -> f != null;
            case FLOAT64 -> d != null;
            case INT64 -> l != null;
        };
        if (!matches || buffer.capacity() < length) {
            throw new IllegalArgumentException("buffer " + buffer + " does not hold " + length + " " + dtype);
        }
    }

    /** A heap storage of zeros, owned by the garbage collector. */
    public static Storage heap(DType dtype, int length) {
        Buffer buffer = switch (dtype) {
            case FLOAT32 -> FloatBuffer.allocate(length);
            case FLOAT64 -> DoubleBuffer.allocate(length);
            case INT64 -> LongBuffer.allocate(length);
        };
        return new Storage(dtype, length, buffer, 0L, () -> { });
    }

    public DType dtype() {
        return dtype;
    }

    /** Number of elements. */
    public int length() {
        return length;
    }

    public long byteSize() {
        return (long) length * dtype.byteSize();
    }

    /** Native address of element 0, or 0 for heap memory. */
    public long address() {
        return address;
    }

    public Buffer buffer() {
        return buffer;
    }

    /** The float32 buffer; throws for other dtypes. */
    public FloatBuffer floats() {
        if (f == null) {
            throw new IllegalStateException("storage holds " + dtype + ", not FLOAT32");
        }
        return f;
    }

    public DoubleBuffer doubles() {
        if (d == null) {
            throw new IllegalStateException("storage holds " + dtype + ", not FLOAT64");
        }
        return d;
    }

    public LongBuffer longs() {
        if (l == null) {
            throw new IllegalStateException("storage holds " + dtype + ", not INT64");
        }
        return l;
    }

    public double get(int i) {
        if (f != null) {
            return f.get(i);
        }
        if (d != null) {
            return d.get(i);
        }
        return l.get(i);
    }

    public void set(int i, double v) {
        if (f != null) {
            f.put(i, (float) v);
        } else if (d != null) {
            d.put(i, v);
        } else {
            l.put(i, (long) v);
        }
    }

    public long getLong(int i) {
        return l != null ? l.get(i) : (long) get(i);
    }

    public void setLong(int i, long v) {
        if (l != null) {
            l.put(i, v);
        } else {
            set(i, v);
        }
    }

    /** Adds one holder. */
    public Storage retain() {
        if (refs.getAndIncrement() <= 0) {
            refs.decrementAndGet();
            throw new IllegalStateException("storage already released");
        }
        return this;
    }

    /** Drops one holder; the last one frees the memory. */
    public void release() {
        int left = refs.decrementAndGet();
        if (left == 0) {
            Runnable r = releaser;
            releaser = null;
            if (r != null) {
                r.run();
            }
        } else if (left < 0) {
            throw new IllegalStateException("storage released twice");
        }
    }

    public boolean isReleased() {
        return refs.get() <= 0;
    }

    /** Runs {@code hook} after the backend's releaser (used by the engine's memory accounting). */
    public void onRelease(Runnable hook) {
        Runnable previous = releaser;
        releaser = () -> {
            previous.run();
            hook.run();
        };
    }
}
