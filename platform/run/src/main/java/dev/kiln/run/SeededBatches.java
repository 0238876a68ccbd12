package dev.kiln.run;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.Split;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.api.train.MiniBatch;
import dev.kiln.api.train.MiniBatches;

import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The batches of one epoch of a split. The order of epoch {@code e} is a Fisher–Yates shuffle (training only)
 * from {@code tensors.generator(seed)} restored to counter {@code e·n}; batch {@code b}'s augmentation draws from a
 * generator seeded by {@code mix(seed, e, b)}. So any (epoch, batch) cursor resumes without replaying earlier
 * batches, and prefetching changes nothing. One background thread reads up to {@code prefetch} batches ahead into
 * reused arrays; tensors are made on the consumer's thread, in its memory scope.
 * (Same order as the data helper's {@code BatchLoader}, which replaces this when it lands.)
 */
final class SeededBatches implements MiniBatches {

    private record Slot(float[] features, long[] labels, int[] count, Throwable[] failure) {
        static Slot of(int batch, int exampleSize) {
            return new Slot(new float[batch * exampleSize], new long[batch], new int[1], new Throwable[1]);
        }
    }

    private static final Slot END = new Slot(new float[0], new long[0], new int[1], new Throwable[1]);

    private final Dataset dataset;
    private final Split split;
    private final Tensors tensors;
    private final int batchSize;
    private final int epoch;
    private final long seed;
    private final int n;
    private final int[] order;
    private final int[] exampleShape;
    private final int exampleSize;
    private final int count;
    private int next;
    private final BlockingQueue<Slot> free;
    private final BlockingQueue<Slot> filled;
    private final Thread reader;
    private volatile boolean closed;

    SeededBatches(Dataset dataset, Split split, Tensors tensors, int batchSize, long seed, int epoch, int startBatch, int prefetch) {
        this.dataset = dataset;
        this.split = split;
        this.tensors = tensors;
        this.batchSize = batchSize;
        this.epoch = epoch;
        this.seed = seed;
        this.n = dataset.size(split);
        this.exampleShape = dataset.info().exampleShape();
        this.exampleSize = dataset.info().exampleSize();
        this.count = (n + batchSize - 1) / batchSize;
        if (startBatch < 0 || startBatch > count) {
            throw new IllegalArgumentException("start batch " + startBatch + " outside [0, " + count + "] for " + split);
        }
        this.order = order(split == Split.TRAIN);
        this.next = startBatch;
        int slots = Math.max(2, prefetch);
        free = new ArrayBlockingQueue<>(slots);
        filled = new ArrayBlockingQueue<>(slots + 1);
        for (int i = 0; i < slots; i++) {
            free.add(Slot.of(batchSize, exampleSize));
        }
        reader = new Thread(this::produce, "kiln-data-" + split.name().toLowerCase() + "-e" + epoch);
        reader.setDaemon(true);
        reader.start();
    }

    private int[] order(boolean shuffle) {
        int[] o = new int[n];
        Arrays.setAll(o, i -> i);
        if (shuffle) {
            Generator g = tensors.generator(seed);
            g.restore((long) epoch * n);
            for (int i = n - 1; i > 0; i--) {
                int j = g.nextInt(i + 1);
                int t = o[i];
                o[i] = o[j];
                o[j] = t;
            }
        }
        return o;
    }

    static long mix(long seed, int epoch, int batch) {
        long z = seed ^ 0x5DEECE66DL;
        z = (z + 0x9E3779B97F4A7C15L * (epoch + 1L)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 29) ^ (batch + 1L) * 0x94D049BB133111EBL) * 0x9E3779B97F4A7C15L;
        return z ^ (z >>> 32);
    }

    private void produce() {
        try {
            for (int b = next; b < count && !closed; b++) {
                Slot slot = free.take();
                try {
                    int from = b * batchSize;
                    int c = Math.min(batchSize, n - from);
                    Generator g = split == Split.TRAIN ? tensors.generator(mix(seed, epoch, b)) : null;
                    for (int i = 0; i < c; i++) {
                        slot.labels()[i] = dataset.read(split, order[from + i], slot.features(), i * exampleSize, g);
                    }
                    slot.count()[0] = c;
                    slot.failure()[0] = null;
                } catch (RuntimeException | Error e) {
                    slot.failure()[0] = e;
                    filled.put(slot);
                    return;
                }
                filled.put(slot);
            }
            filled.put(END);
        } catch (InterruptedException e) {
            // closed
        }
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public int cursor() {
        return next;
    }

    @Override
    public boolean hasNext() {
        return !closed && next < count;
    }

    @Override
    public MiniBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException(split + " epoch " + epoch + " has " + count + " batches");
        }
        Slot slot;
        try {
            slot = filled.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for batch " + next + " of epoch " + epoch, e);
        }
        if (slot == END) {
            throw new IllegalStateException("the reader of epoch " + epoch + " ended before batch " + next);
        }
        if (slot.failure()[0] != null) {
            Throwable cause = slot.failure()[0];
            close();
            throw new IllegalStateException("reading batch " + next + " of epoch " + epoch + " of " + dataset.info().name()
                    + " (" + split + ") failed: " + cause, cause);
        }
        try {
            int c = slot.count()[0];
            int[] shape = new int[exampleShape.length + 1];
            shape[0] = c;
            System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
            Tensor x = tensors.of(c == batchSize ? slot.features() : Arrays.copyOf(slot.features(), c * exampleSize), shape);
            Tensor y = tensors.of(c == batchSize ? slot.labels() : Arrays.copyOf(slot.labels(), c), c);
            return new MiniBatch(x, y, c, epoch, next++);
        } finally {
            free.add(slot);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reader.interrupt();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
