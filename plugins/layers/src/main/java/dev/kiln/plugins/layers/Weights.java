package dev.kiln.plugins.layers;

import java.util.Map;

import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;

/**
 * Parameter initialisation shared by the layers. The default is PyTorch's: weights
 * {@code kaiming_uniform(a=√5)}, which is {@code U(-1/√fan_in, 1/√fan_in)}, and biases
 * {@code U(-1/√fan_in, 1/√fan_in)}; it needs no init plugin. A spec may name an init plugin for the
 * weight with {@code init} (e.g. {@code "xavier_uniform"}) and its parameters with {@code init_params}.
 */
final class Weights {

    private Weights() {
    }

    /** The weight: from the {@code init} plugin when the params name one, else PyTorch's default. */
    static Tensor weight(Params params, LayerContext context, int fanIn, int... shape) {
        if (params != null && params.has("init")) {
            String plugin = params.getString("init");
            Params initParams = params.has("init_params") ? params.getParams("init_params") : context.params(params.path() + ".init_params", Map.of());
            return context.initializer(plugin, initParams).create(shape, context.dtype(), context.tensors(), context.generator()).detach();
        }
        return uniform(context, fanIn, shape);
    }

    /** {@code U(-1/√fan_in, 1/√fan_in)}: PyTorch's default for biases and, via kaiming_uniform(a=√5), for weights. */
    static Tensor uniform(LayerContext context, int fanIn, int... shape) {
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return context.tensors().uniform(context.generator(), -bound, bound, context.dtype(), shape);
    }
}
