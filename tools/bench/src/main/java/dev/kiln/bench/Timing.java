package dev.kiln.bench;

import java.util.Arrays;

/**
 * Adaptive timing: warm up for a while, then time single steps until both an iteration count and a
 * wall-clock budget are met, and report order statistics (medians resist the odd GC or scheduler hiccup).
 *
 * @param minIterations at least this many timed steps
 * @param minTimeNanos  and at least this much timed wall-clock
 * @param warmupNanos   untimed steps for at least this long (and at least 3 steps) before timing
 * @param maxIterations stop after this many timed steps even if the budget is not spent
 */
public record Timing(int minIterations, long minTimeNanos, long warmupNanos, int maxIterations) {

    /** Order statistics of one case, in milliseconds. */
    public record Result(double medianMs, double p10Ms, double p90Ms, double minMs, int iterations, int warmupIterations) {
    }

    public Timing {
        if (minIterations < 1 || minTimeNanos < 0 || warmupNanos < 0 || maxIterations < minIterations) {
            throw new IllegalArgumentException("bad timing: minIterations=" + minIterations + ", minTimeNanos=" + minTimeNanos
                    + ", warmupNanos=" + warmupNanos + ", maxIterations=" + maxIterations);
        }
    }

    public Result measure(Runnable step) {
        int warm = 0;
        long warmEnd = System.nanoTime() + warmupNanos;
        while (warm < 3 || System.nanoTime() < warmEnd) {
            step.run();
            warm++;
        }
        long[] times = new long[Math.max(16, minIterations)];
        int count = 0;
        long start = System.nanoTime();
        while (count < maxIterations && (count < minIterations || System.nanoTime() - start < minTimeNanos)) {
            long t0 = System.nanoTime();
            step.run();
            long t = System.nanoTime() - t0;
            if (count == times.length) {
                times = Arrays.copyOf(times, times.length * 2);
            }
            times[count++] = t;
        }
        long[] sorted = Arrays.copyOf(times, count);
        Arrays.sort(sorted);
        return new Result(median(sorted) / 1e6, quantile(sorted, 0.1) / 1e6, quantile(sorted, 0.9) / 1e6,
                sorted[0] / 1e6, count, warm);
    }

    static double median(long[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    /** Nearest-rank quantile, as the PyTorch script computes it. */
    static double quantile(long[] sorted, double q) {
        int i = (int) Math.round(q * (sorted.length - 1));
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
