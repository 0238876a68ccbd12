package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Split;
import dev.kiln.api.tensor.Generator;

/**
 * One step of a dataset's transform pipeline, over a single example in CHW (or flat) layout.
 * Augmenting transforms run only on {@link Split#TRAIN} and only when the reader passes a generator;
 * deterministic ones (normalisation, the centre crop of {@code random_crop}) run on every split.
 */
interface Transform {

    /** The example shape this transform produces from {@code input}. */
    default int[] outputShape(int[] input) {
        return input.clone();
    }

    /** Whether it draws randomness (and so applies only to training examples). */
    boolean augmenting();

    /**
     * Writes the transformed {@code in} (shape {@code shape}) into {@code out}; {@code generator} is
     * non-null exactly when the example is a training example read with augmentation on.
     */
    void apply(float[] in, float[] out, int[] shape, Generator generator);
}
