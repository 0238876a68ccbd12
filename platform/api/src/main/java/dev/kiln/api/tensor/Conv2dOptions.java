package dev.kiln.api.tensor;

/**
 * Geometry of a 2-D convolution, as PyTorch's {@code Conv2d}: stride, zero padding, dilation and
 * groups, each given for height and width.
 *
 * <p>For input {@code (N, C_in, H, W)} and weight {@code (C_out, C_in/groups, kH, kW)} the output is
 * {@code (N, C_out, H_out, W_out)} with
 * {@code H_out = floor((H + 2*padH - dilationH*(kH-1) - 1) / strideH) + 1}.
 */
public record Conv2dOptions(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {

    /** Stride 1, no padding, no dilation, one group. */
    public static final Conv2dOptions DEFAULT = new Conv2dOptions(1, 1, 0, 0, 1, 1, 1);

    public Conv2dOptions {
        positive("stride", strideH, strideW);
        positive("dilation", dilationH, dilationW);
        if (padH < 0 || padW < 0) {
            throw new IllegalArgumentException("padding must be >= 0, got (" + padH + ", " + padW + ")");
        }
        if (groups < 1) {
            throw new IllegalArgumentException("groups must be >= 1, got " + groups);
        }
    }

    /** Square stride and padding, no dilation, one group. */
    public static Conv2dOptions of(int stride, int padding) {
        return new Conv2dOptions(stride, stride, padding, padding, 1, 1, 1);
    }

    public Conv2dOptions withDilation(int dilation) {
        return new Conv2dOptions(strideH, strideW, padH, padW, dilation, dilation, groups);
    }

    public Conv2dOptions withGroups(int g) {
        return new Conv2dOptions(strideH, strideW, padH, padW, dilationH, dilationW, g);
    }

    private static void positive(String what, int h, int w) {
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got (" + h + ", " + w + ")");
        }
    }
}
