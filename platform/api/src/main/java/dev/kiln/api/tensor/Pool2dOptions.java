package dev.kiln.api.tensor;

/**
 * Geometry of 2-D max or average pooling, as PyTorch's {@code MaxPool2d}/{@code AvgPool2d}.
 *
 * <p>{@code H_out = floor_or_ceil((H + 2*padH - kH) / strideH) + 1}; with {@code ceilMode} a last
 * window that starts inside the (left-padded) input is kept, as in PyTorch. Padding is at most half
 * the kernel.
 */
public record Pool2dOptions(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, boolean ceilMode) {

    public Pool2dOptions {
        if (kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException("kernel must be >= 1, got (" + kernelH + ", " + kernelW + ")");
        }
        if (strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("stride must be >= 1, got (" + strideH + ", " + strideW + ")");
        }
        if (padH < 0 || padW < 0 || 2 * padH > kernelH || 2 * padW > kernelW) {
            throw new IllegalArgumentException("padding must be between 0 and half the kernel ("
                    + kernelH / 2 + ", " + kernelW / 2 + "), got (" + padH + ", " + padW + ")");
        }
    }

    /** Square kernel, stride equal to the kernel, no padding: the classic non-overlapping pooling. */
    public static Pool2dOptions of(int kernel) {
        return new Pool2dOptions(kernel, kernel, kernel, kernel, 0, 0, false);
    }

    /** Square kernel, stride and padding. */
    public static Pool2dOptions of(int kernel, int stride, int padding) {
        return new Pool2dOptions(kernel, kernel, stride, stride, padding, padding, false);
    }

    public Pool2dOptions withCeilMode(boolean ceil) {
        return new Pool2dOptions(kernelH, kernelW, strideH, strideW, padH, padW, ceil);
    }
}
