package dev.kiln.model;

import dev.kiln.api.nn.Initializer;
import dev.kiln.api.nn.InitializerFactory;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.Tensors;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link LayerContext} the host gives a layer factory: its name in the model, its input shape,
 * and access to other plugins through a {@link PluginSource}. Layer plugins are looked up as kind
 * {@code layer} first, then {@code activation}.
 */
public record BuildContext(Tensors tensors, Generator generator, DType dtype, String name, int[] inputShape,
                           PluginSource plugins, Map<String, Layer> built) implements LayerContext {

    public BuildContext {
        inputShape = inputShape.clone();
    }

    /** The context of a layer at the root of a new model (nothing built yet). */
    public BuildContext(Tensors tensors, Generator generator, DType dtype, String name, int[] inputShape, PluginSource plugins) {
        this(tensors, generator, dtype, name, inputShape, plugins, new LinkedHashMap<>());
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** The same context for a layer with another name and input shape. */
    public BuildContext at(String childName, int[] childInputShape) {
        return new BuildContext(tensors, generator, dtype, childName, childInputShape, plugins, built);
    }

    @Override
    public Layer layer(String child, String plugin, Params params, int[] childInputShape) {
        String childName = name.isEmpty() ? child : name + "." + child;
        return build(plugin, params, at(childName, childInputShape));
    }

    /** Creates a layer (or activation) plugin and rejects parameters it did not read. */
    public static Layer build(String plugin, Params params, BuildContext context) {
        PluginKind kind = context.plugins.names(PluginKind.LAYER).contains(plugin) ? PluginKind.LAYER
                : context.plugins.names(PluginKind.ACTIVATION).contains(plugin) ? PluginKind.ACTIVATION : null;
        if (kind == null) {
            java.util.Set<String> all = new java.util.TreeSet<>(context.plugins.names(PluginKind.LAYER));
            all.addAll(context.plugins.names(PluginKind.ACTIVATION));
            throw new IllegalArgumentException((params == null ? "" : params.path() + ": ")
                    + Suggestions.unknown(PluginKind.LAYER, plugin, all));
        }
        LayerFactory factory = context.plugins.factory(kind, plugin, null, LayerFactory.class);
        Layer layer = factory.create(params, context);
        if (params instanceof MapParams mp) {
            mp.requireAllRead(plugin);
        }
        context.built.put(context.name, layer);
        return layer;
    }

    @Override
    public Layer built(String layerName) {
        return built.get(layerName);
    }

    @Override
    public Params params(String path, java.util.Map<String, ?> values) {
        return new MapParams(path, values);
    }

    @Override
    public Initializer initializer(String plugin, Params params) {
        Initializer init = plugins.factory(PluginKind.INIT, plugin, null, InitializerFactory.class).create(params);
        if (params instanceof MapParams mp) {
            mp.requireAllRead(plugin);
        }
        return init;
    }
}
