package dev.kiln.engine;

import dev.kiln.api.tensor.Generator;

/**
 * A counter-based generator: draw {@code i} is SplitMix64's finaliser applied to
 * {@code seed + i·φ}. The state is (seed, counter), so it checkpoints as two longs and draws are
 * identical on every backend (random tensors are generated on the host).
 */
final class CounterGenerator implements Generator {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private final long seed;
    private long counter;

    CounterGenerator(long seed) {
        this.seed = seed;
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public long counter() {
        return counter;
    }

    @Override
    public void restore(long counter) {
        if (counter < 0) {
            throw new IllegalArgumentException("generator counter must be >= 0, got " + counter);
        }
        this.counter = counter;
    }

    long nextLong() {
        long z = seed + (++counter) * GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Writes the next {@code len} Bernoulli(p) draws as 0/1 into {@code out} — exactly what
     * {@code nextDouble() < p} would give for each, in order, without the double: the 53-bit draw
     * {@code k} satisfies {@code k·2⁻⁵³ < p} iff {@code k < ⌈p·2⁵³⌉} (both sides exact).
     */
    void bernoulli(float[] out, int len, double p) {
        long threshold = (long) Math.ceil(p * 0x1p53);
        long c = counter;
        for (int i = 0; i < len; i++) {
            long z = seed + (++c) * GOLDEN;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            out[i] = ((z ^ (z >>> 31)) >>> 11) < threshold ? 1f : 0f;
        }
        counter = c;
    }

    @Override
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    @Override
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
    }

    /** A standard normal draw (Box-Muller on two uniforms; uses two draws). */
    double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    @Override
    public Generator fork() {
        return new CounterGenerator(nextLong());
    }
}
