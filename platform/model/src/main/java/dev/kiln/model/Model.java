package dev.kiln.model;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A built network: layers applied in order, their parameters under unique stable names, their buffers, and a
 * train/eval mode (as PyTorch's {@code module.train()}/{@code eval()}). Built by {@link ModelBuilder}.
 *
 * <pre>{@code
 * Model model = new ModelBuilder(plugins).add("linear", params).build(new int[] {784}, tensors, DType.FLOAT32, 42);
 * Tensor logits = model.forward(x, new StepContext(tensors, true, tensors.generator(step)));
 * model.eval();
 * }</pre>
 */
public final class Model {

    private final List<String> names;
    private final List<Layer> layers;
    private final List<int[]> shapes;
    private final List<Parameter> parameters;
    private final Map<String, Tensor> buffers;
    private boolean training = true;

    Model(List<String> names, List<Layer> layers, List<int[]> shapes) {
        this.names = List.copyOf(names);
        this.layers = List.copyOf(layers);
        this.shapes = shapes.stream().map(int[]::clone).toList();
        List<Parameter> ps = new ArrayList<>();
        Map<String, Tensor> bs = new LinkedHashMap<>();
        Map<String, String> owner = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            for (Parameter p : layers.get(i).parameters()) {
                claim(owner, p.name(), names.get(i));
                ps.add(p);
            }
            for (Map.Entry<String, Tensor> b : layers.get(i).buffers().entrySet()) {
                claim(owner, b.getKey(), names.get(i));
                bs.put(b.getKey(), b.getValue());
            }
        }
        this.parameters = List.copyOf(ps);
        this.buffers = Collections.unmodifiableMap(bs);
    }

    private static void claim(Map<String, String> owner, String name, String layer) {
        String previous = owner.putIfAbsent(name, layer);
        if (previous != null) {
            throw new IllegalArgumentException("parameter or buffer name \"" + name + "\" of layer \"" + layer
                    + "\" is already used by layer \"" + previous + "\"; names must be unique within a model");
        }
    }

    /**
     * Runs every layer in order. The model's mode decides: layers see {@code step} with {@code training()} equal
     * to {@link #isTraining()}, whatever the step says.
     */
    public Tensor forward(Tensor x, StepContext step) {
        StepContext context = step.training() == training ? step : new StepContext(step.tensors(), training, step.generator());
        for (Layer layer : layers) {
            x = layer.forward(x, context);
        }
        return x;
    }

    /** Training mode: dropout active, batch norm uses and updates batch statistics. The default. */
    public Model train() {
        training = true;
        return this;
    }

    /** Evaluation mode: dropout off, batch norm uses its running statistics. */
    public Model eval() {
        training = false;
        return this;
    }

    public boolean isTraining() {
        return training;
    }

    /** Every trainable parameter, in layer order, under unique stable names such as {@code "0.weight"}. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** Every buffer (e.g. {@code "1.running_mean"}), in layer order. */
    public Map<String, Tensor> buffers() {
        return buffers;
    }

    /** Parameters and buffers by name: what a checkpoint stores. The tensors are the live ones, not copies. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        parameters.forEach(p -> out.put(p.name(), p.value()));
        out.putAll(buffers);
        return Collections.unmodifiableMap(out);
    }

    /**
     * Copies values into the parameters and buffers of the same names (with {@link Tensor#assign}); every name of
     * this model must be present with the same shape, and no other names.
     */
    public void loadState(Map<String, Tensor> values) {
        Map<String, Tensor> own = state();
        for (String name : values.keySet()) {
            if (!own.containsKey(name)) {
                throw new IllegalArgumentException("state has \"" + name + "\", which this model does not; model names: " + own.keySet());
            }
        }
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor v = values.get(e.getKey());
            if (v == null) {
                throw new IllegalArgumentException("state lacks \"" + e.getKey() + "\"; add it or build a matching model");
            }
            if (!Arrays.equals(v.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("state \"" + e.getKey() + "\" has shape " + Arrays.toString(v.shape())
                        + ", the model expects " + Arrays.toString(e.getValue().shape()));
            }
            e.getValue().assign(v);
        }
    }

    /** The layers' names ("0", "1", ... or their explicit ids), in order. */
    public List<String> layerNames() {
        return names;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The example shape (without batch axis) entering layer {@code i}; index {@code layers().size()} is the output. */
    public int[] shape(int i) {
        return shapes.get(i).clone();
    }

    public int[] inputShape() {
        return shape(0);
    }

    public int[] outputShape() {
        return shape(layers.size());
    }
}
