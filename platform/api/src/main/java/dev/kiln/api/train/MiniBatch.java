package dev.kiln.api.train;

import dev.kiln.api.tensor.Tensor;

/**
 * One batch of a split: {@code features} {@code (size, ...example shape)} float32 and {@code targets}
 * {@code (size)} int64 class indices, created in the caller's memory scope.
 *
 * @param index the batch's position in its epoch (the data cursor)
 */
public record MiniBatch(Tensor features, Tensor targets, int size, int epoch, int index) {
}
