package dev.kiln.api.tensor;

/** Element type of a tensor. */
public enum DType {
    /** IEEE-754 single precision; what training runs in. */
    FLOAT32(4),
    /** IEEE-754 double precision; what gradient checks run in. */
    FLOAT64(8),
    /** Signed 64-bit integer; class indices, argmax and pooling indices. */
    INT64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether values of this type are floating point (and so can carry gradients). */
    public boolean isFloatingPoint() {
        return this != INT64;
    }
}
