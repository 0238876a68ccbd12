package dev.kiln.run;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetInfo;
import dev.kiln.api.data.Split;
import dev.kiln.api.tensor.Generator;

/** The first examples of each split of a dataset: {@code trainer.max_train_examples} and {@code max_eval_examples}. */
record LimitedDataset(Dataset dataset, int maxTrain, int maxEval) implements Dataset {

    static Dataset of(Dataset d, int maxTrain, int maxEval) {
        return maxTrain == 0 && maxEval == 0 ? d : new LimitedDataset(d, maxTrain, maxEval);
    }

    @Override
    public DatasetInfo info() {
        return dataset.info();
    }

    @Override
    public int size(Split split) {
        int n = dataset.size(split);
        int max = split == Split.TRAIN ? maxTrain : maxEval;
        return max == 0 ? n : Math.min(n, max);
    }

    @Override
    public int read(Split split, int index, float[] features, int offset, Generator generator) {
        if (index >= size(split)) {
            throw new IndexOutOfBoundsException(split + " index " + index + " outside [0, " + size(split) + ")");
        }
        return dataset.read(split, index, features, offset, generator);
    }
}
