package dev.kiln.plugins.layers;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Helpers for layers that own parameters or children: stable names, and parameters/buffers collected in order. */
final class Children {

    private Children() {
    }

    /** {@code "<layer name>.<local>"}, or just {@code local} for an unnamed layer. */
    static String name(LayerContext context, String local) {
        return context.name().isEmpty() ? local : context.name() + "." + local;
    }

    static Parameter parameter(LayerContext context, String local, Tensor value) {
        return new Parameter(name(context, local), value);
    }

    static List<Parameter> parameters(List<? extends Layer> layers) {
        List<Parameter> out = new ArrayList<>();
        for (Layer l : layers) {
            out.addAll(l.parameters());
        }
        return List.copyOf(out);
    }

    static Map<String, Tensor> buffers(List<? extends Layer> layers) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Layer l : layers) {
            out.putAll(l.buffers());
        }
        return out;
    }
}
