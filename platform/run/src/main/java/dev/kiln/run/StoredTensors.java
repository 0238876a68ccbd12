package dev.kiln.run;

import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.io.StoredTensor;

/** Tensors to and from their safetensors form, keeping the dtype. */
final class StoredTensors {

    private StoredTensors() {
    }

    static StoredTensor store(String name, Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> StoredTensor.of(name, t.toFloatArray(), t.shape());
            case FLOAT64 -> StoredTensor.of(name, t.toDoubleArray(), t.shape());
            case INT64 -> StoredTensor.of(name, t.toLongArray(), t.shape());
        };
    }

    static Tensor load(Tensors tensors, StoredTensor s) {
        return switch (s.dtype()) {
            case FLOAT32 -> tensors.of(s.toFloatArray(), s.shape());
            case FLOAT64 -> tensors.of(s.toDoubleArray(), s.shape());
            case INT64 -> tensors.of(s.toLongArray(), s.shape());
        };
    }

    /** Counts of NaN and infinite values, or null when all are finite. */
    static long[] nonFinite(Tensor t) {
        if (!t.dtype().isFloatingPoint()) {
            return null;
        }
        long nan = 0;
        long inf = 0;
        for (double v : t.toDoubleArray()) {
            if (Double.isNaN(v)) {
                nan++;
            } else if (Double.isInfinite(v)) {
                inf++;
            }
        }
        return nan + inf == 0 ? null : new long[] {nan, inf};
    }
}
