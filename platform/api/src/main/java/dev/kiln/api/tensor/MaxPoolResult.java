package dev.kiln.api.tensor;

/**
 * Output of max pooling: the maxima and, for each, the flat index {@code h*W + w} of the winning
 * input element within its {@code (H, W)} plane (int64), as PyTorch's {@code return_indices=True};
 * the indices feed {@link Tensor#maxUnpool2d}.
 */
public record MaxPoolResult(Tensor values, Tensor indices) {
}
