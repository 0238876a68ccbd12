package dev.kiln.api.data;

import dev.kiln.api.tensor.Generator;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A dataset of examples with class labels. Implementations load their files once (at creation) and
 * then serve examples from memory; {@link #read} must be safe to call from several threads.
 */
@ConsumerType
public interface Dataset {

    DatasetInfo info();

    /** Number of examples in a split. */
    int size(Split split);

    /**
     * Writes example {@code index} of {@code split} into {@code features} starting at {@code offset}
     * ({@link DatasetInfo#exampleSize()} floats, after the dataset's transforms) and returns its class
     * label (0-based; -1 when unlabelled).
     *
     * @param generator randomness for augmenting transforms; training-time transforms apply only to
     *                  {@link Split#TRAIN}, deterministic ones (normalisation) to every split
     */
    int read(Split split, int index, float[] features, int offset, Generator generator);
}
