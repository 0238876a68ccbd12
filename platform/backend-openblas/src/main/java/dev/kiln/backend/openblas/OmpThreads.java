package dev.kiln.backend.openblas;

/** OpenMP thread count of oneDNN (Bytedeco's dnnl is built with GNU OpenMP). */
final class OmpThreads {
    private OmpThreads() {
    }

    /** Best effort; returns a short description of what is in effect. */
    static String set(int threads) {
        String env = System.getenv("OMP_NUM_THREADS");
        return "OMP_NUM_THREADS=" + (env == null ? "unset (all cores)" : env);
    }
}
