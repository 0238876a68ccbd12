package dev.kiln.backend.openblas;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.presets.openblas_nolapack;

/**
 * The OpenMP thread count of oneDNN (Bytedeco's dnnl is built with GNU OpenMP and exposes neither
 * {@code omp_set_num_threads} nor {@code dnnl_set_num_threads}). The function is looked up in the
 * loaded {@code libgomp} and called through the OpenBLAS preset's {@code void(int)} function-pointer
 * class, the same mechanism that preset uses for {@code MKL_Set_Num_Threads}. OpenMP keeps the count
 * per calling thread, so {@link #apply} runs on each thread before its first oneDNN call.
 */
final class OmpThreads {

    /** A {@code void f(int)} caller (the preset's constructor is protected). */
    private static final class IntSetter extends openblas_nolapack.SetNumThreads {
        IntSetter() {
            super();
        }
    }

    private static final ThreadLocal<int[]> APPLIED = ThreadLocal.withInitial(() -> new int[]{-1});
    private static IntSetter setter;
    private static String problem;
    private static boolean initialised;

    private OmpThreads() {
    }

    /** Finds {@code omp_set_num_threads}; returns null when it can be called, else why not. */
    static synchronized String init() {
        if (!initialised) {
            initialised = true;
            try {
                Loader.load(openblas_nolapack.class);
                Pointer fn = Loader.addressof("omp_set_num_threads");
                if (fn == null || fn.isNull()) {
                    problem = "omp_set_num_threads not found in the loaded libraries";
                } else {
                    setter = new IntSetter();
                    setter.put(fn);
                }
            } catch (Throwable t) {
                problem = "omp_set_num_threads unavailable: " + t;
            }
        }
        return problem;
    }

    /** Sets this thread's OpenMP team size to {@code threads} unless it already is. */
    static void apply(int threads) {
        int[] applied = APPLIED.get();
        if (applied[0] != threads && setter != null) {
            setter.call(threads);
            applied[0] = threads;
        }
    }

    /** What is in effect, for {@code describe()}. */
    static String describe(int threads) {
        return setter != null ? threads + " threads (omp_set_num_threads)"
                : "OMP_NUM_THREADS=" + System.getenv().getOrDefault("OMP_NUM_THREADS", "unset") + ", " + problem;
    }
}
