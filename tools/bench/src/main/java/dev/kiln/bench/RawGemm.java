package dev.kiln.bench;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_full;

import java.util.SplittableRandom;

/**
 * The ceiling for GEMM: {@code cblas_sgemm} called directly on native buffers, in the same process
 * as the Kiln measurement, so the ratio Kiln/raw shows the engine's overhead alone. Uses the
 * {@code openblas_full} preset, the same one the native backend loads (one {@code libopenblas}).
 */
final class RawGemm {

    private RawGemm() {
    }

    /** Null when the Bytedeco OpenBLAS jars load here, else why not. */
    static String probe() {
        try {
            Loader.load(openblas_full.class);
            return null;
        } catch (Throwable t) {
            return t.getClass().getSimpleName() + ": " + t.getMessage();
        }
    }

    /** OpenBLAS's own thread count (as the backend left it). */
    static int threads() {
        return openblas_full.openblas_get_num_threads();
    }

    /** The kernel flavour OpenBLAS picked, e.g. {@code Haswell} (follows {@code OPENBLAS_CORETYPE}). */
    static String coreName() {
        BytePointer p = openblas_full.openblas_get_corename();
        return p == null ? null : p.getString();
    }

    /**
     * Times {@code C = A·B} for square float32 {@code n×n} matrices with {@code threads} OpenBLAS
     * threads, restoring OpenBLAS's previous thread count afterwards.
     */
    static Timing.Result measure(int n, int threads, Timing timing) {
        int before = openblas_full.openblas_get_num_threads();
        long len = (long) n * n;
        try (FloatPointer a = new FloatPointer(len); FloatPointer b = new FloatPointer(len); FloatPointer c = new FloatPointer(len)) {
            SplittableRandom r = new SplittableRandom(42);
            for (long i = 0; i < len; i++) {
                a.put(i, (float) r.nextGaussian());
                b.put(i, (float) r.nextGaussian());
            }
            openblas_full.openblas_set_num_threads(threads);
            return timing.measure(() -> openblas_full.cblas_sgemm(openblas_full.CblasRowMajor, openblas_full.CblasNoTrans, openblas_full.CblasNoTrans,
                    n, n, n, 1f, a, n, b, n, 0f, c, n));
        } finally {
            if (before > 0) {
                openblas_full.openblas_set_num_threads(before);
            }
        }
    }
}
