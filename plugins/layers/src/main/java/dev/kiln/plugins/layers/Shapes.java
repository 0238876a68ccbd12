package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.Arrays;
import java.util.List;

/**
 * Output shapes of built layers, for composite blocks that chain children: a forward pass of a one-example zero
 * batch in evaluation mode, without recording a graph (batch-norm statistics untouched, dropout off).
 */
final class Shapes {

    private Shapes() {
    }

    /** The output shape of one example of {@code layer} alone, without the batch axis. */
    static int[] output(Layer layer, int[] inputShape, Tensors tensors, DType dtype) {
        return output(List.of(layer), inputShape, tensors, dtype);
    }

    /**
     * The output shape of the last of {@code chain}, where {@code inputShape} enters the first; all run in one
     * forward context, so layers that pair up within a pass (a {@code max_unpool2d} reading the indices of its
     * {@code max_pool2d}) see each other.
     */
    static int[] output(List<Layer> chain, int[] inputShape, Tensors tensors, DType dtype) {
        int[] batch = new int[inputShape.length + 1];
        batch[0] = 1;
        System.arraycopy(inputShape, 0, batch, 1, inputShape.length);
        try (MemoryScope scope = tensors.scope(); GradMode off = tensors.noGrad()) {
            ForwardContext probe = new Probe(tensors, tensors.generator(0));
            Tensor y = tensors.zeros(dtype, batch);
            for (Layer layer : chain) {
                y = layer.forward(y, probe);
            }
            return Arrays.copyOfRange(y.shape(), 1, y.dim());
        }
    }

    private record Probe(Tensors tensors, Generator generator) implements ForwardContext {
        @Override
        public boolean training() {
            return false;
        }
    }
}
