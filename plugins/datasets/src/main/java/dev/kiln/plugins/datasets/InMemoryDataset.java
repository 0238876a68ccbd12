package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetInfo;
import dev.kiln.api.data.Split;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Generator;

import java.util.Arrays;
import java.util.List;

/**
 * A dataset whose files were read into memory at creation: training and test examples, a validation
 * split carved from the training examples with the run's seed, and a transform pipeline.
 */
final class InMemoryDataset implements Dataset {

    private final DatasetInfo info;
    private final Examples train;
    private final Examples test;
    private final int[] trainIndex;
    private final int[] validationIndex;
    private final Pipeline pipeline;

    InMemoryDataset(String name, int[] rawShape, List<String> classNames, Examples train, Examples test,
                    double validationFraction, long seed, Pipeline pipeline) {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException(name + ": validation_fraction must be in [0, 1), got " + validationFraction);
        }
        this.train = train;
        this.test = test;
        this.pipeline = pipeline;
        this.info = new DatasetInfo(name, pipeline.outputShape(), classNames);
        int[][] parts = split(train.size(), validationFraction, seed);
        trainIndex = parts[0];
        validationIndex = parts[1];
        if (Shapes.size(rawShape) != train.exampleSize()) {
            throw new IllegalStateException(name + ": example shape " + Arrays.toString(rawShape) + " does not match "
                    + train.exampleSize() + " stored values");
        }
    }

    /** Reads the parameters every dataset shares: {@code validation_fraction} and {@code transforms}. */
    static InMemoryDataset create(String name, int[] rawShape, List<String> classNames, Examples train, Examples test,
                                  Params params, long seed) {
        double fraction = params == null ? 0 : params.getDouble("validation_fraction", 0);
        Pipeline pipeline = params == null ? new Pipeline(List.of(), rawShape) : Pipeline.parse(params, rawShape);
        return new InMemoryDataset(name, rawShape, classNames, train, test, fraction, seed, pipeline);
    }

    /**
     * Splits {@code 0..n-1} into (train, validation) by a seeded Fisher–Yates permutation; the first
     * {@code round(n × fraction)} go to validation. Each part is sorted, so reads stay sequential.
     */
    static int[][] split(int n, double fraction, long seed) {
        int nVal = (int) Math.round(n * fraction);
        if (nVal == 0) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return new int[][] {all, new int[0]};
        }
        int[] perm = new int[n];
        Arrays.setAll(perm, i -> i);
        SplitMix random = new SplitMix(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] val = Arrays.copyOfRange(perm, 0, nVal);
        int[] tr = Arrays.copyOfRange(perm, nVal, n);
        Arrays.sort(val);
        Arrays.sort(tr);
        return new int[][] {tr, val};
    }

    @Override
    public DatasetInfo info() {
        return info;
    }

    @Override
    public int size(Split split) {
        return switch (split) {
            case TRAIN -> trainIndex.length;
            case VALIDATION -> validationIndex.length;
            case TEST -> test.size();
        };
    }

    @Override
    public int read(Split split, int index, float[] features, int offset, Generator generator) {
        Examples source = split == Split.TEST ? test : train;
        int row = switch (split) {
            case TRAIN -> trainIndex[checkIndex(split, index)];
            case VALIDATION -> validationIndex[checkIndex(split, index)];
            case TEST -> checkIndex(split, index);
        };
        if (pipeline.isEmpty()) {
            source.copy(row, features, offset);
        } else {
            source.copy(row, pipeline.input(), 0);
            pipeline.run(features, offset, split == Split.TRAIN ? generator : null);
        }
        return source.label(row);
    }

    private int checkIndex(Split split, int index) {
        int n = size(split);
        if (index < 0 || index >= n) {
            throw new IndexOutOfBoundsException(info.name() + " " + split + ": index " + index + " outside [0, " + n + ")");
        }
        return index;
    }

    /** Examples per class in a split (for tests and summaries). */
    int[] histogram(Split split) {
        int[] h = new int[info.classes()];
        for (int i = 0; i < size(split); i++) {
            Examples source = split == Split.TEST ? test : train;
            int row = split == Split.TRAIN ? trainIndex[i] : split == Split.VALIDATION ? validationIndex[i] : i;
            h[source.label(row)]++;
        }
        return h;
    }

    @Override
    public String toString() {
        return info.name() + Arrays.toString(info.exampleShape()) + " train " + trainIndex.length + ", validation "
                + validationIndex.length + ", test " + test.size() + (pipeline.isEmpty() ? "" : ", transforms " + pipeline);
    }

    /** SplitMix64: a tiny seeded generator for the validation split, identical on every platform. */
    static final class SplitMix {
        private long state;

        SplitMix(long seed) {
            state = seed;
        }

        long nextLong() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        int nextInt(int bound) {
            return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
        }
    }
}
