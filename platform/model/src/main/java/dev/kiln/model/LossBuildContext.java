package dev.kiln.model;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.LossContext;
import dev.kiln.api.nn.LossFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.Tensors;

/**
 * The {@link LossContext} the host gives a loss factory: the tensor service and, for composite losses
 * such as {@code weighted_sum}, other losses from a {@link PluginSource}.
 */
public record LossBuildContext(Tensors tensors, PluginSource plugins) implements LossContext {

    /** {@code null} parameters mean none (a {@code weighted_sum} term without {@code params}). */
    @Override
    public Loss loss(String plugin, Params params) {
        return build(plugin, params == null ? MapParams.empty(plugin) : params, this);
    }

    /** Creates a loss plugin and rejects parameters it did not read. */
    public static Loss build(String plugin, Params params, LossBuildContext context) {
        LossFactory factory = context.plugins.factory(PluginKind.LOSS, plugin, null, LossFactory.class);
        Loss loss = factory.create(params, context);
        if (params instanceof MapParams mp) {
            mp.requireAllRead(plugin);
        }
        return loss;
    }
}
