package dev.kiln.backend.openblas;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the independent index ranges of a Java kernel (element-wise, pooling) on the backend's threads:
 * the calling thread takes the first range and a pool of {@code threads - 1} daemon workers the others.
 * Work below {@link #MIN_WORK} elements stays on the caller, since a hand-off costs microseconds. Ranges
 * never share an output element, so the result is the single-threaded one bit for bit.
 */
final class Parallel implements AutoCloseable {

    /** A kernel over the index range {@code [from, to)}. */
    interface Body {
        void run(int from, int to);
    }

    /**
     * Work below which a kernel runs on the calling thread alone, in elements of a light op (add, multiply, relu:
     * a few cycles each, bound by memory). Measured here (2 cores, median of 200): waking the other thread costs
     * more than it saves below about half a million such elements (add on 301,056 floats 139 us alone, 194 us
     * split; on 1,204,224 floats 657 vs 536 us); heavier kernels say so with a larger work per index
     * ({@link #LIGHT}, {@link #HEAVY}): 2x2 max pooling on 100,352 inputs 264 us alone, 127 us split.
     */
    static final long MIN_WORK = 1 << 19;
    /** Work per element of a light op. */
    static final long LIGHT = 1;
    /** Work per element of a kernel with a transcendental function, a branch per element or a dozen operations. */
    static final long HEAVY = 8;

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int threads;
    private final ForkJoinPool pool;

    Parallel(int threads) {
        this.threads = threads;
        if (threads > 1) {
            int id = POOLS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            this.pool = new ForkJoinPool(threads - 1, p -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                t.setName("kiln-cpu-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            }, null, false);
        } else {
            this.pool = null;
        }
    }

    /**
     * Runs {@code body} over {@code [0, n)}, split into contiguous ranges when the total work
     * ({@code n * workPerIndex} elements) is large enough.
     */
    void forRange(int n, long workPerIndex, Body body) {
        int parts = (int) Math.min(Math.min(threads, n), Math.max(1, (long) n * workPerIndex / MIN_WORK));
        if (parts <= 1 || pool == null) {
            body.run(0, n);
            return;
        }
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            others[p - 1] = pool.submit(() -> body.run(from, to));
        }
        try {
            body.run(0, (int) ((long) n / parts));
        } finally {
            for (ForkJoinTask<?> t : others) {
                t.join();
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
