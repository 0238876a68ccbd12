package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.MaxPoolResult;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;


/**
 * 2-D max pooling, as PyTorch's {@code nn.MaxPool2d}: {@code y = max_window x}; padding counts as -∞ and the
 * gradient goes to the (first) maximum.
 *
 * <p>Shapes: {@code (N, C, H, W) -> (N, C, H_out, W_out)}, {@code H_out = ⌊(H + 2·padding - k)/stride⌋ + 1}
 * (⌈⌉ with {@code ceil_mode}). No parameters.
 *
 * <p><b>Pairing with {@code max_unpool2d}.</b> Each forward keeps the indices of its maxima (and the input size)
 * in the layer, tagged with the {@link ForwardContext} of that pass. A {@code max_unpool2d} built later in the
 * same model names this layer in its {@code pool} parameter and finds it through {@link LayerContext#built}.
 * <pre>{@code
 * - {id: pool1, name: max_pool2d, params: {kernel_size: 2, stride: 2}}
 * - {name: max_unpool2d, params: {pool: pool1}}
 * # (N, C, 32, 32) -> (N, C, 16, 16) -> (N, C, 32, 32)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=max_pool2d"})
public final class MaxPool2dFactory implements LayerFactory {

    public record MaxPool2dSpec(PoolWindow window) {
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        Checks.rank("max_pool2d", context.inputShape(), 3, "(C, H, W)");
        return new MaxPool2d(new MaxPool2dSpec(PoolWindow.read("max_pool2d", params, true)));
    }

    static final class MaxPool2d implements Layer {
        private final MaxPool2dSpec spec;
        private ForwardContext lastContext;
        private Tensor lastIndices;
        private int lastH;
        private int lastW;

        MaxPool2d(MaxPool2dSpec spec) {
            this.spec = spec;
        }

        @Override
        public Tensor forward(Tensor x, ForwardContext context) {
            MaxPoolResult r = x.maxPool2d(spec.window().options());
            lastContext = context;
            lastIndices = r.indices();
            lastH = x.size(2);
            lastW = x.size(3);
            return r.values();
        }

        /** The indices and input size of the pass run under {@code context}; null if this pool has not run in it. */
        Tensor indices(ForwardContext context) {
            return lastContext == context ? lastIndices : null;
        }

        int[] inputSize() {
            return new int[] {lastH, lastW};
        }
    }
}
