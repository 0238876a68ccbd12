package dev.kiln.backend.openblas;

/**
 * Per-thread heap arrays the element-wise kernels copy chunks of direct memory into, so that the
 * arithmetic runs as plain array loops the JIT vectorises (JDK 17 does not vectorise loops over
 * direct buffers well).
 */
final class Scratch {
    /** Elements per chunk: 16 KiB of floats, three arrays stay in L1/L2. */
    static final int CHUNK = 4096;

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    final float[] a = new float[CHUNK];
    final float[] b = new float[CHUNK];
    final float[] c = new float[CHUNK];
    final float[] o = new float[CHUNK];
    final double[] acc = new double[CHUNK];
    final int[] arg = new int[CHUNK];
    final long[] longs = new long[CHUNK];
    final double[] doubles = new double[CHUNK];
    private float[] big1 = new float[0];
    private float[] big2 = new float[0];
    private float[] big3 = new float[0];
    private long[] bigLongs = new long[0];

    static Scratch get() {
        return LOCAL.get();
    }

    /** A float array of at least {@code n} elements (grown, never shrunk). */
    float[] big1(int n) {
        if (big1.length < n) {
            big1 = new float[n];
        }
        return big1;
    }

    float[] big2(int n) {
        if (big2.length < n) {
            big2 = new float[n];
        }
        return big2;
    }

    float[] big3(int n) {
        if (big3.length < n) {
            big3 = new float[n];
        }
        return big3;
    }

    long[] bigLongs(int n) {
        if (bigLongs.length < n) {
            bigLongs = new long[n];
        }
        return bigLongs;
    }
}
