package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/**
 * A lookup table of learned vectors, as PyTorch's {@code nn.Embedding}: {@code y[..., :] = weight[x[...], :]}.
 *
 * <p>Shapes: indices {@code (N, *)} (int64; floating-point input holding whole numbers is converted, so the host
 * can probe shapes with a zero batch), output {@code (N, *, embedding_dim)}. Parameter
 * {@code weight (num_embeddings, embedding_dim)}, init {@code N(0, 1)} as PyTorch; {@code init} names another
 * initializer. Gradients reach the weight only.
 * <pre>{@code
 * - name: embedding
 *   params: {num_embeddings: 10000, embedding_dim: 128}
 * # (N, 20) token ids -> (N, 20, 128)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=embedding"})
public final class EmbeddingFactory implements LayerFactory {

    public record EmbeddingSpec(int numEmbeddings, int embeddingDim) {
        public EmbeddingSpec {
            Checks.atLeast("embedding", "num_embeddings", numEmbeddings, 1);
            Checks.atLeast("embedding", "embedding_dim", embeddingDim, 1);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        EmbeddingSpec s = new EmbeddingSpec(params.getInt("num_embeddings"), params.getInt("embedding_dim"));
        Tensor w = params.has("init")
                ? Weights.weight(params, context, s.embeddingDim(), s.numEmbeddings(), s.embeddingDim())
                : context.tensors().normal(context.generator(), 0, 1, context.dtype(), s.numEmbeddings(), s.embeddingDim());
        return new Embedding(Children.parameter(context, "weight", w));
    }

    record Embedding(Parameter weight) implements Layer {
        @Override
        public Tensor forward(Tensor x, ForwardContext context) {
            Tensor index = x.dtype() == DType.INT64 ? x : x.to(DType.INT64);
            int[] shape = java.util.Arrays.copyOf(x.shape(), x.dim() + 1);
            shape[x.dim()] = weight.value().size(1);
            return weight.value().indexSelect(0, index.reshape(-1)).reshape(shape);
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(weight);
        }
    }
}
