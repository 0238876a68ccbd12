package dev.kiln.engine.backend;

import dev.kiln.api.tensor.Conv2dOptions;

/**
 * Shapes of one forward 2-D convolution: input {@code (n, cIn, h, w)}, weight
 * {@code (cOut, cIn/groups, kH, kW)}, output {@code (n, cOut, outH, outW)}. The same geometry
 * describes its two backward passes; a transposed convolution is the backward-input pass of the
 * convolution whose output has the transposed convolution's input shape.
 */
public record ConvGeometry(int n, int cIn, int h, int w, int cOut, int kH, int kW, int outH, int outW,
                           Conv2dOptions options) {

    public int groups() {
        return options.groups();
    }

    /** Input channels per group. */
    public int cInPerGroup() {
        return cIn / options.groups();
    }

    /** Output channels per group. */
    public int cOutPerGroup() {
        return cOut / options.groups();
    }

    /** Multiply-adds times two of the forward pass. */
    public double flops() {
        return 2.0 * n * cOut * outH * outW * (double) cInPerGroup() * kH * kW;
    }
}
