package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Layers applied in order, {@code y = f_k(...f_1(x))}, as PyTorch's {@code nn.Sequential}. Each entry of
 * {@code layers} names a layer or activation plugin ({@code name}), its {@code params}, and optionally an
 * {@code id}; children are named {@code <this>.<id>}, the id defaulting to the position ({@code "0"}, {@code "1"}, ...).
 * Each child's input shape is the previous child's output shape, found by a forward pass of a zero example; a
 * child that needs earlier layers to have run in the same pass ({@code max_unpool2d}, whose forward then throws
 * {@link IllegalStateException}) is probed by passing the zero example through every child so far.
 *
 * <p>Shapes: the first child's input to the last child's output. Parameters and buffers: the children's, in order.
 * <pre>{@code
 * - name: sequential
 *   params: {layers: [{name: conv2d, params: {out_channels: 8, kernel_size: 3}}, {name: relu}]}
 * # (N, 3, 32, 32) -> (N, 8, 30, 30)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=sequential"})
public final class SequentialFactory implements LayerFactory {

    /** One entry of {@code layers}. */
    public record Entry(String id, String plugin, Params params) {
        public Entry {
            if (id.isEmpty() || id.contains(".")) {
                throw new IllegalArgumentException("sequential: layer id must be non-empty and contain no '.', got \"" + id + "\"");
            }
        }
    }

    public record SequentialSpec(List<Entry> layers) {
        public SequentialSpec {
            if (layers.isEmpty()) {
                throw new IllegalArgumentException("sequential: layers must hold at least 1 layer, got 0");
            }
            Set<String> ids = new HashSet<>();
            for (Entry e : layers) {
                if (!ids.add(e.id())) {
                    throw new IllegalArgumentException("sequential: layer ids must be unique, got \"" + e.id() + "\" twice");
                }
            }
            layers = List.copyOf(layers);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        List<Entry> entries = new ArrayList<>();
        List<Params> list = params.getParamsList("layers");
        for (int i = 0; i < list.size(); i++) {
            Params p = list.get(i);
            entries.add(new Entry(p.getString("id", String.valueOf(i)), p.getString("name"),
                    p.has("params") ? p.getParams("params") : context.params(p.path() + ".params", Map.of())));
        }
        SequentialSpec spec = new SequentialSpec(entries);
        List<Layer> layers = new ArrayList<>();
        int[] shape = context.inputShape();
        for (Entry e : spec.layers()) {
            Layer layer = context.layer(e.id(), e.plugin(), e.params(), shape);
            layers.add(layer);
            try {
                shape = Shapes.output(layer, shape, context.tensors(), context.dtype());
            } catch (IllegalStateException needsEarlierLayers) {
                shape = Shapes.output(layers, context.inputShape(), context.tensors(), context.dtype());
            }
        }
        return new Sequential(List.copyOf(layers));
    }

    record Sequential(List<Layer> layers) implements Layer {
        @Override
        public Tensor forward(Tensor x, ForwardContext context) {
            for (Layer l : layers) {
                x = l.forward(x, context);
            }
            return x;
        }

        @Override
        public List<Parameter> parameters() {
            return Children.parameters(layers);
        }

        @Override
        public Map<String, Tensor> buffers() {
            return Children.buffers(layers);
        }
    }
}
