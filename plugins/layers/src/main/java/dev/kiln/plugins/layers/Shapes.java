package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;

/**
 * Output shapes of built layers, for composite blocks that chain children: runs {@code forward} on a
 * one-example zero batch in evaluation mode, without recording a graph (batch norm statistics are not
 * touched, dropout is off).
 */
final class Shapes {

    private Shapes() {
    }

    /** The output shape of one example, without the batch axis. */
    static int[] output(Layer layer, int[] inputShape, Tensors tensors, DType dtype) {
        int[] batch = new int[inputShape.length + 1];
        batch[0] = 1;
        System.arraycopy(inputShape, 0, batch, 1, inputShape.length);
        try (MemoryScope scope = tensors.scope(); GradMode off = tensors.noGrad()) {
            Tensor y = layer.forward(tensors.zeros(dtype, batch), new Probe(tensors, tensors.generator(0)));
            int[] shape = y.shape();
            int[] out = new int[shape.length - 1];
            System.arraycopy(shape, 1, out, 0, out.length);
            return out;
        }
    }

    private record Probe(Tensors tensors, Generator generator) implements ForwardContext {
        @Override
        public boolean training() {
            return false;
        }
    }
}
