package dev.kiln.engine.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.api.tensor.DType;
import dev.kiln.engine.backend.Storage;
import java.util.Random;

/** Float64 storages for the reference kernel tests, and the dot product of the adjoint tests. */
final class KernelTestData {
    private KernelTestData() {
    }

    static Storage storage(double... v) {
        Storage s = Storage.heap(DType.FLOAT64, v.length);
        for (int i = 0; i < v.length; i++) {
            s.set(i, v[i]);
        }
        return s;
    }

    static Storage random(Random rnd, int n) {
        Storage s = Storage.heap(DType.FLOAT64, n);
        for (int i = 0; i < n; i++) {
            s.set(i, rnd.nextGaussian());
        }
        return s;
    }

    static Storage filled(int n, double v) {
        Storage s = Storage.heap(DType.FLOAT64, n);
        for (int i = 0; i < n; i++) {
            s.set(i, v);
        }
        return s;
    }

    static double[] values(Storage s) {
        double[] v = new double[s.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = s.get(i);
        }
        return v;
    }

    static double dot(Storage a, Storage b) {
        assertEquals(a.length(), b.length(), "dot of storages of different lengths");
        double sum = 0;
        for (int i = 0; i < a.length(); i++) {
            sum += a.get(i) * b.get(i);
        }
        return sum;
    }
}
