package dev.kiln.plugins.layers;

import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Pool2dOptions;

/**
 * The window of a 2-D pooling layer, as PyTorch's pooling modules: {@code kernel_size}, {@code stride}
 * (default: the kernel), {@code padding} (at most half the kernel) and {@code ceil_mode}; pairs are (height, width).
 */
public record PoolWindow(String plugin, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode) {

    public PoolWindow {
        kernelSize = Checks.atLeast(plugin, "kernel_size", kernelSize, 1);
        stride = Checks.atLeast(plugin, "stride", stride, 1);
        padding = Checks.atLeast(plugin, "padding", padding, 0);
        for (int i = 0; i < 2; i++) {
            if (2 * padding[i] > kernelSize[i]) {
                throw new IllegalArgumentException(plugin + ": padding must be in [0, " + kernelSize[i] / 2
                        + "] (half the kernel), got " + padding[i]);
            }
        }
    }

    static PoolWindow read(String plugin, Params p, boolean withPadding) {
        int[] kernel = p.getInts("kernel_size", 2);
        return new PoolWindow(plugin, kernel, p.getInts("stride", kernel), withPadding ? p.getInts("padding", new int[] {0, 0})
                : new int[] {0, 0}, p.getBoolean("ceil_mode", false));
    }

    Pool2dOptions options() {
        return new Pool2dOptions(kernelSize[0], kernelSize[1], stride[0], stride[1], padding[0], padding[1], ceilMode);
    }
}
