package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.Arrays;

/**
 * Gives each example a new shape with the same number of elements, as {@code x.reshape(N, *shape)}; one entry
 * of {@code shape} may be -1 to be inferred. No parameters.
 *
 * <p>Shapes: {@code (N, *in) -> (N, *shape)}.
 * <pre>{@code
 * - name: reshape
 *   params: {shape: [64, 7, 7]}
 * # (N, 3136) -> (N, 64, 7, 7)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=reshape"})
public final class ReshapeFactory implements LayerFactory {

    static final int MAX_RANK = 8;

    /** @param shape the example shape (without the batch axis); sizes >= 1 or a single -1 */
    public record ReshapeSpec(int[] shape) {
        public ReshapeSpec {
            long inferred = Arrays.stream(shape).filter(d -> d == -1).count();
            if (shape.length == 0 || inferred > 1 || Arrays.stream(shape).anyMatch(d -> d < 1 && d != -1)) {
                throw new IllegalArgumentException("reshape: shape must hold 1 to " + MAX_RANK
                        + " sizes >= 1 with at most one -1, got " + Arrays.toString(shape));
            }
            shape = shape.clone();
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        ReshapeSpec s = new ReshapeSpec(readShape(params));
        long in = Arrays.stream(context.inputShape()).asLongStream().reduce(1, (a, b) -> a * b);
        long out = Arrays.stream(s.shape()).filter(d -> d != -1).asLongStream().reduce(1, (a, b) -> a * b);
        if (Arrays.stream(s.shape()).noneMatch(d -> d == -1) ? in != out : in % out != 0) {
            throw new IllegalArgumentException("reshape: shape " + Arrays.toString(s.shape()) + " must hold the "
                    + in + " elements of an input example " + Arrays.toString(context.inputShape()));
        }
        return (Tensor x, ForwardContext c) -> {
            int[] shape = new int[s.shape().length + 1];
            shape[0] = x.size(0);
            System.arraycopy(s.shape(), 0, shape, 1, s.shape().length);
            return x.reshape(shape);
        };
    }

    /** Params only read lists of a known length, so try each rank. */
    private static int[] readShape(Params params) {
        if (!params.has("shape")) {
            return params.getInts("shape", 1); // throws: required
        }
        for (int rank = 1; rank <= MAX_RANK; rank++) {
            try {
                return params.getInts("shape", rank);
            } catch (IllegalArgumentException wrongLength) {
                // try the next rank
            }
        }
        return params.getInts("shape", MAX_RANK + 1); // throws, naming the value found
    }
}
