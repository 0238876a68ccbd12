package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.model.BuildContext;
import dev.kiln.model.MapParams;
import dev.kiln.model.StaticPluginSource;

import java.util.Map;

/** Every activation of this bundle, registered under its {@code kiln.name} as the OSGi registry would. */
final class Activations {

    private Activations() {
    }

    static StaticPluginSource source() {
        return new StaticPluginSource()
                .register(PluginKind.ACTIVATION, "sigmoid", new SigmoidFactory())
                .register(PluginKind.ACTIVATION, "tanh", new TanhFactory())
                .register(PluginKind.ACTIVATION, "relu", new ReluFactory())
                .register(PluginKind.ACTIVATION, "leaky_relu", new LeakyReluFactory())
                .register(PluginKind.ACTIVATION, "prelu", new PReluFactory())
                .register(PluginKind.ACTIVATION, "elu", new EluFactory())
                .register(PluginKind.ACTIVATION, "swish", new SiluFactory())
                .register(PluginKind.ACTIVATION, "maxout", new MaxoutFactory())
                .register(PluginKind.ACTIVATION, "softmax", new SoftmaxFactory())
                .register(PluginKind.ACTIVATION, "log_softmax", new LogSoftmaxFactory());
    }

    /** Builds one activation named {@code act} in a model, for inputs {@code (N, *inputShape)}. */
    static Layer build(Tensors tensors, String plugin, Map<String, ?> params, DType dtype, int... inputShape) {
        BuildContext context = new BuildContext(tensors, tensors.generator(1), dtype, "act", inputShape, source());
        return BuildContext.build(plugin, new MapParams("model.layers[0].params", params), context);
    }
}
