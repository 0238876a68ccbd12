package dev.kiln.backend.openblas;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * JavaCPP pointers whose address can be re-aimed, so that a hot path passes native addresses to
 * JNI without allocating a pointer object per call. They never own memory (no deallocator).
 */
final class Ptrs {
    private Ptrs() {
    }

    /** An untyped pointer at a settable address. */
    static final class Addr extends Pointer {
        Addr at(long a) {
            address = a;
            position = 0;
            return this;
        }
    }

    /** A float pointer at a settable address. */
    static final class Floats extends FloatPointer {
        Floats at(long a) {
            address = a;
            position = 0;
            return this;
        }
    }

    /** A double pointer at a settable address. */
    static final class Doubles extends DoublePointer {
        Doubles at(long a) {
            address = a;
            position = 0;
            return this;
        }
    }

    /** Per-thread pointer triple for GEMM calls. */
    static final class Gemm {
        final Floats fa = new Floats();
        final Floats fb = new Floats();
        final Floats fc = new Floats();
        final Doubles da = new Doubles();
        final Doubles db = new Doubles();
        final Doubles dc = new Doubles();
    }
}
