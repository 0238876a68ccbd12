package dev.kiln.api.tensor;

/**
 * An explicit, seeded source of randomness. There is no global generator: every random op takes
 * one, so a run seeded the same way draws the same numbers on every backend.
 *
 * <p>The state is two longs (seed and counter) and can be saved in a checkpoint and restored.
 */
public interface Generator {

    /** The seed this generator was created with. */
    long seed();

    /** How many 64-bit draws have been consumed; with the seed, the whole state. */
    long counter();

    /** Continues from a saved counter (the seed is fixed at creation). */
    void restore(long counter);

    /** A uniformly distributed double in {@code [0, 1)}; advances the counter by one. */
    double nextDouble();

    /** A uniformly distributed int in {@code [0, bound)}; advances the counter by one. */
    int nextInt(int bound);

    /** A new independent generator derived from this one's next draw (for worker threads, sub-tasks). */
    Generator fork();
}
