package dev.kiln.model.data;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.Split;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Batches of one split of a dataset, in a seeded order, prefetched by one background thread.
 *
 * <p>Epoch {@code e}'s order is a Fisher–Yates shuffle drawn from {@code tensors.generator(seed)}
 * restored to counter {@code e·n}, and batch {@code b}'s augmentation uses a generator seeded from
 * {@code (seed, e, b)}; so any (epoch, batch) cursor can be resumed without replaying what came
 * before, and the batches are identical with or without prefetching.
 *
 * <p>The background thread fills reusable {@code float[]}/{@code long[]} buffers a few batches ahead;
 * the consuming thread turns them into tensors ({@link Tensors#of}) in its own memory scope, since
 * scopes are per thread. A failure while reading is rethrown by {@link Epoch#next()} with its cause.
 *
 * <pre>{@code
 * BatchLoader loader = BatchLoader.builder(dataset, Split.TRAIN, tensors).batchSize(128).seed(42).build();
 * try (BatchLoader.Epoch epoch = loader.epoch(3, 0)) {
 *     while (epoch.hasNext()) { try (MemoryScope s = tensors.scope()) { Batch b = epoch.next(); ... } }
 * }
 * }</pre>
 */
public final class BatchLoader {

    /**
     * One batch: features {@code [size, …example shape]} (float32) and targets — class indices
     * {@code [size]} (int64), or {@code [size, classes]} float32 one-hot rows when the loader was built
     * with {@link Builder#oneHot(boolean)}.
     */
    public record Batch(Tensor features, Tensor targets, int size, int epoch, int index) {
    }

    private final Dataset dataset;
    private final Split split;
    private final Tensors tensors;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final int prefetch;
    private final boolean augment;
    private final boolean oneHot;
    private final int exampleSize;
    private final int[] exampleShape;
    private final int n;
    private Slot[] slots; // reused across epochs
    private Epoch current;

    private BatchLoader(Builder b) {
        dataset = b.dataset;
        split = b.split;
        tensors = b.tensors;
        batchSize = b.batchSize;
        shuffle = b.shuffle;
        seed = b.seed;
        dropLast = b.dropLast;
        prefetch = b.prefetch;
        augment = b.augment;
        oneHot = b.oneHot;
        exampleShape = dataset.info().exampleShape();
        exampleSize = dataset.info().exampleSize();
        n = dataset.size(split);
        if (oneHot && dataset.info().classes() == 0) {
            throw new IllegalArgumentException(dataset.info().name() + " has no classes, so its targets cannot be one-hot");
        }
    }

    public static Builder builder(Dataset dataset, Split split, Tensors tensors) {
        return new Builder(dataset, split, tensors);
    }

    /** Batches in one epoch: {@code ceil(n / batchSize)}, or {@code floor} when the last partial batch is dropped. */
    public int batchesPerEpoch() {
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Examples in the split. */
    public int size() {
        return n;
    }

    /** Example indices of epoch {@code epoch} in the order they are served. */
    public int[] order(int epoch) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        if (shuffle) {
            Generator g = tensors.generator(seed);
            g.restore((long) epoch * n);
            for (int i = n - 1; i > 0; i--) {
                int j = g.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /**
     * The batches of {@code epoch} from {@code startBatch} on; closes the previous epoch if it is still
     * open. Close it (try-with-resources) to stop its reader thread.
     */
    public Epoch epoch(int epoch, int startBatch) {
        if (startBatch < 0 || startBatch > batchesPerEpoch()) {
            throw new IllegalArgumentException("start batch " + startBatch + " outside [0, " + batchesPerEpoch() + "]");
        }
        close();
        if (slots == null) {
            slots = new Slot[Math.max(1, prefetch)];
            for (int i = 0; i < slots.length; i++) {
                slots[i] = new Slot(new float[batchSize * exampleSize], new long[batchSize]);
            }
        }
        current = new Epoch(epoch, startBatch);
        return current;
    }

    /** Stops the background reader of the open epoch, if any. */
    public void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    private void fill(Slot slot, int[] order, int epoch, int batch) {
        int from = batch * batchSize;
        int count = Math.min(batchSize, n - from);
        Generator g = augment && split == Split.TRAIN ? tensors.generator(mix(seed, epoch, batch)) : null;
        for (int i = 0; i < count; i++) {
            slot.labels[i] = dataset.read(split, order[from + i], slot.features, i * exampleSize, g);
        }
        slot.count = count;
        slot.index = batch;
    }

    /** SplitMix-style mixing of (seed, epoch, batch) into the seed of one batch's augmentation. */
    static long mix(long seed, int epoch, int batch) {
        long z = seed ^ 0x5DEECE66DL;
        z = (z + 0x9E3779B97F4A7C15L * (epoch + 1L)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 29) ^ (batch + 1L) * 0x94D049BB133111EBL) * 0x9E3779B97F4A7C15L;
        return z ^ (z >>> 32);
    }

    private Batch toTensors(Slot slot, int epoch) {
        int count = slot.count;
        int[] shape = new int[exampleShape.length + 1];
        shape[0] = count;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        float[] x = count == batchSize ? slot.features : Arrays.copyOf(slot.features, count * exampleSize);
        Tensor features = tensors.of(x, shape);
        Tensor targets;
        if (oneHot) {
            int classes = dataset.info().classes();
            float[] t = new float[count * classes];
            for (int i = 0; i < count; i++) {
                long label = slot.labels[i];
                if (label < 0 || label >= classes) {
                    throw new IllegalStateException(dataset.info().name() + ": label " + label + " of batch " + slot.index
                            + " cannot be one-hot over " + classes + " classes");
                }
                t[i * classes + (int) label] = 1f;
            }
            targets = tensors.of(t, count, classes);
        } else {
            targets = tensors.of(count == batchSize ? slot.labels : Arrays.copyOf(slot.labels, count), count);
        }
        return new Batch(features, targets, count, epoch, slot.index);
    }

    private static final class Slot {
        final float[] features;
        final long[] labels;
        int count;
        int index;
        Throwable failure;

        Slot(float[] features, long[] labels) {
            this.features = features;
            this.labels = labels;
        }
    }

    private static final Slot END = new Slot(new float[0], new long[0]);

    /** The batches of one epoch, served in order; not thread-safe (one consumer). */
    public final class Epoch implements Iterator<Batch>, AutoCloseable {

        private final int epoch;
        private final int[] order;
        private final int end;
        private int next;
        private final BlockingQueue<Slot> free;
        private final BlockingQueue<Slot> filled;
        private final Thread reader;
        private volatile boolean closed;

        private Epoch(int epoch, int startBatch) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.end = batchesPerEpoch();
            this.next = startBatch;
            if (prefetch == 0) {
                free = null;
                filled = null;
                reader = null;
                return;
            }
            free = new ArrayBlockingQueue<>(slots.length, false, Arrays.asList(slots));
            filled = new ArrayBlockingQueue<>(slots.length + 1);
            reader = new Thread(this::produce, "kiln-data-" + dataset.info().name() + "-" + split.name().toLowerCase() + "-e" + epoch);
            reader.setDaemon(true);
            reader.start();
        }

        private void produce() {
            int batch = next;
            try {
                for (; batch < end && !closed; batch++) {
                    Slot slot = free.take();
                    slot.failure = null;
                    try {
                        fill(slot, order, epoch, batch);
                    } catch (RuntimeException | Error e) {
                        slot.failure = e;
                        slot.index = batch;
                        filled.put(slot);
                        return;
                    }
                    filled.put(slot);
                }
                filled.put(END);
            } catch (InterruptedException e) {
                // closed by the consumer
            }
        }

        /** The epoch number. */
        public int epoch() {
            return epoch;
        }

        /** Index of the batch the next call to {@link #next()} returns (the resume cursor). */
        public int cursor() {
            return next;
        }

        @Override
        public boolean hasNext() {
            return !closed && next < end;
        }

        /** The next batch, as tensors in the caller's current memory scope. */
        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + epoch + " has " + end + " batches" + (closed ? " and is closed" : ""));
            }
            if (reader == null) {
                Slot slot = slots[0];
                fill(slot, order, epoch, next);
                next++;
                return toTensors(slot, epoch);
            }
            Slot slot;
            try {
                slot = filled.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for batch " + next + " of epoch " + epoch, e);
            }
            if (slot == END) {
                throw new IllegalStateException("the reader of epoch " + epoch + " ended before batch " + next);
            }
            if (slot.failure != null) {
                Throwable cause = slot.failure;
                close();
                throw new IllegalStateException("reading batch " + slot.index + " of epoch " + epoch + " of "
                        + dataset.info().name() + " (" + split + ") failed: " + cause, cause);
            }
            try {
                next++;
                return toTensors(slot, epoch);
            } finally {
                free.add(slot);
            }
        }

        /** Stops the reader thread and waits for it; idempotent. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (reader != null) {
                reader.interrupt();
                try {
                    reader.join(TimeUnit.SECONDS.toMillis(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (reader.isAlive()) {
                    throw new IllegalStateException(reader.getName() + " did not stop within 10 s");
                }
            }
        }

        /** Whether the background reader is still running (for tests). */
        boolean readerAlive() {
            return reader != null && reader.isAlive();
        }
    }

    /** Options of a {@link BatchLoader}; defaults: batch 64, shuffled, seed 0, partial last batch kept, 4 prefetched, augmented. */
    public static final class Builder {
        private final Dataset dataset;
        private final Split split;
        private final Tensors tensors;
        private int batchSize = 64;
        private boolean shuffle = true;
        private long seed;
        private boolean dropLast;
        private int prefetch = 4;
        private boolean augment = true;
        private boolean oneHot;

        private Builder(Dataset dataset, Split split, Tensors tensors) {
            this.dataset = dataset;
            this.split = split;
            this.tensors = tensors;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Shuffle every epoch (default for training); off serves examples in index order. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** The run's seed (e.g. its generator's {@code seed()}), for shuffling and augmentation. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Drop the last batch when it is smaller than the batch size. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Batches read ahead by the background thread; 0 reads on the consumer's thread. */
        public Builder prefetch(int batches) {
            if (batches < 0) {
                throw new IllegalArgumentException("prefetch must be >= 0 batches, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        /** Apply the dataset's augmenting transforms (training split only); off for evaluating on training data. */
        public Builder augment(boolean augment) {
            this.augment = augment;
            return this;
        }

        /** Targets as one-hot float rows {@code [batch, classes]} instead of int64 class indices. */
        public Builder oneHot(boolean oneHot) {
            this.oneHot = oneHot;
            return this;
        }

        public BatchLoader build() {
            return new BatchLoader(this);
        }
    }
}
