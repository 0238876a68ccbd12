package dev.kiln.api.data;

import java.util.List;

/**
 * What a dataset holds: the shape of one example (e.g. {@code (1, 28, 28)}, NCHW without the batch
 * axis) and its classes (empty for unlabelled data).
 */
public record DatasetInfo(String name, int[] exampleShape, List<String> classNames) {

    public DatasetInfo {
        exampleShape = exampleShape.clone();
        classNames = List.copyOf(classNames);
    }

    @Override
    public int[] exampleShape() {
        return exampleShape.clone();
    }

    /** Number of float values in one example. */
    public int exampleSize() {
        int n = 1;
        for (int s : exampleShape) {
            n *= s;
        }
        return n;
    }

    public int classes() {
        return classNames.size();
    }
}
