package dev.kiln.model;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a sequential {@link Model} from {@code (plugin id, params)} entries, as a model spec lists them.
 *
 * <p>Layers are named by position ({@code "0"}, {@code "1"}, ...) unless given an id; parameter names are
 * prefixed with it ({@code "0.weight"}). Each layer's input shape is the previous layer's output shape, found by
 * running that layer forward on a one-example zero batch in evaluation mode without recording a graph (so no
 * output-shape method is needed in the SPI, and batch-norm statistics are untouched). A layer whose forward needs
 * earlier layers to have run in the same pass signals it with {@link IllegalStateException} and is probed with the
 * zero batch passed through every layer so far. Parameters a plugin did not
 * read are rejected with their document path. Parameters are created with no memory scope open and are initialised
 * from one generator seeded with {@code seed}, so equal seeds give equal models.
 *
 * <pre>{@code
 * Model m = new ModelBuilder(plugins).add("conv2d", convParams).add("relu", MapParams.empty("layers[1].params"))
 *         .add("head", "linear", linearParams).build(new int[] {1, 28, 28}, tensors, DType.FLOAT32, 42);
 * }</pre>
 */
public final class ModelBuilder {

    private record Entry(String id, String plugin, MapParams params) {
    }

    private final PluginSource plugins;
    private final List<Entry> entries = new ArrayList<>();

    public ModelBuilder(PluginSource plugins) {
        this.plugins = plugins;
    }

    /** Appends a layer named by its position. */
    public ModelBuilder add(String plugin, MapParams params) {
        return add(null, plugin, params);
    }

    /** Appends a layer with an explicit id (no dots; unique), or by position when {@code id} is null or empty. */
    public ModelBuilder add(String id, String plugin, MapParams params) {
        entries.add(new Entry(id == null || id.isEmpty() ? String.valueOf(entries.size()) : id, plugin, params));
        return this;
    }

    /**
     * @param inputShape one example's shape, without the batch axis, e.g. {@code (1, 28, 28)}
     * @param dtype      the dtype of parameters (FLOAT64 for gradient checks)
     */
    public Model build(int[] inputShape, Tensors tensors, DType dtype, long seed) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one layer, got none");
        }
        Generator generator = tensors.generator(seed);
        Set<String> ids = new HashSet<>();
        List<String> names = new ArrayList<>();
        List<Layer> layers = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        int[] shape = inputShape.clone();
        shapes.add(shape);
        Map<String, Layer> built = new java.util.LinkedHashMap<>();
        for (Entry e : entries) {
            String where = e.params() == null ? "layer \"" + e.id() + "\"" : e.params().path();
            if (e.id().contains(".") || !ids.add(e.id())) {
                throw new IllegalArgumentException(where + ": layer id \"" + e.id()
                        + "\" must be unique within the model and contain no '.'");
            }
            MapParams params = e.params() == null ? MapParams.empty("layers." + e.id() + ".params") : e.params();
            BuildContext context = new BuildContext(tensors, generator, dtype, e.id(), shape, plugins, built);
            Layer layer = BuildContext.build(e.plugin(), params, context);
            try {
                shape = probe(layers, layer, shape, inputShape, tensors, dtype);
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException(where + ": " + e.plugin() + " \"" + e.id() + "\" cannot take input of shape "
                        + java.util.Arrays.toString(shapes.get(shapes.size() - 1)) + ": " + ex.getMessage(), ex);
            }
            names.add(e.id());
            layers.add(layer);
            shapes.add(shape);
        }
        return new Model(names, layers, shapes);
    }

    /**
     * The next layer's output shape, probed alone; a layer whose forward needs earlier layers to have run in the
     * same pass (a {@code max_unpool2d} reading its pool's indices) throws {@link IllegalStateException}, and is
     * then probed by passing the zero batch through every layer so far.
     */
    private static int[] probe(List<Layer> before, Layer layer, int[] shape, int[] modelInput, Tensors tensors, DType dtype) {
        try {
            return outputShape(layer, shape, tensors, dtype);
        } catch (IllegalStateException needsEarlierLayers) {
            List<Layer> chain = new ArrayList<>(before);
            chain.add(layer);
            return outputShape(chain, modelInput, tensors, dtype);
        }
    }

    /** One example's output shape: a no-grad forward of a zero batch of one example, in evaluation mode. */
    public static int[] outputShape(Layer layer, int[] inputShape, Tensors tensors, DType dtype) {
        return outputShape(List.of(layer), inputShape, tensors, dtype);
    }

    /** The output shape of a chain of layers run in one evaluation-mode pass, from {@code inputShape} into the first. */
    public static int[] outputShape(List<Layer> chain, int[] inputShape, Tensors tensors, DType dtype) {
        int[] batch = new int[inputShape.length + 1];
        batch[0] = 1;
        System.arraycopy(inputShape, 0, batch, 1, inputShape.length);
        try (MemoryScope scope = tensors.scope(); GradMode off = tensors.noGrad()) {
            StepContext probe = new StepContext(tensors, false, tensors.generator(0));
            Tensor y = tensors.zeros(dtype, batch);
            for (Layer layer : chain) {
                y = layer.forward(y, probe);
            }
            int[] s = y.shape();
            if (s.length == 0 || s[0] != 1) {
                throw new IllegalStateException("the output " + java.util.Arrays.toString(s) + " lost the batch axis");
            }
            return java.util.Arrays.copyOfRange(s, 1, s.length);
        }
    }
}
