package dev.kiln.model;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.Engine;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelBuilderTest {

    private final Tensors t = Engine.reference();

    /** y = x·w per feature, w (features) uniform; and "repeat": concatenates x with itself (doubles the last axis). */
    private final LayerFactory scale = (params, ctx) -> {
        int n = ctx.inputShape()[ctx.inputShape().length - 1];
        double bound = params.getDouble("bound", 1);
        Parameter w = new Parameter(ctx.name() + ".weight", ctx.tensors().uniform(ctx.generator(), -bound, bound, ctx.dtype(), n));
        return new Layer() {
            @Override
            public Tensor forward(Tensor x, dev.kiln.api.nn.ForwardContext c) {
                return x.mul(w.value());
            }

            @Override
            public List<Parameter> parameters() {
                return List.of(w);
            }
        };
    };
    private final LayerFactory repeat = (params, ctx) -> (x, c) -> c.tensors().cat(List.of(x, x), -1);
    /** Adds 1 in training mode, counts training passes in a buffer. */
    private final LayerFactory modal = (params, ctx) -> {
        Tensor count = ctx.tensors().zeros(ctx.dtype(), 1);
        return new Layer() {
            @Override
            public Tensor forward(Tensor x, dev.kiln.api.nn.ForwardContext c) {
                if (!c.training()) {
                    return x;
                }
                count.assign(count.add(1));
                return x.add(1);
            }

            @Override
            public Map<String, Tensor> buffers() {
                return Map.of(ctx.name() + ".count", count);
            }
        };
    };
    private final LayerFactory unprefixed = (params, ctx) -> {
        Parameter w = new Parameter("weight", ctx.tensors().zeros(ctx.dtype(), 1));
        return new Layer() {
            @Override
            public Tensor forward(Tensor x, dev.kiln.api.nn.ForwardContext c) {
                return x;
            }

            @Override
            public List<Parameter> parameters() {
                return List.of(w);
            }
        };
    };
    private final StaticPluginSource plugins = new StaticPluginSource()
            .register(PluginKind.LAYER, "scale", scale)
            .register(PluginKind.LAYER, "repeat", repeat)
            .register(PluginKind.LAYER, "unprefixed", unprefixed)
            .register(PluginKind.ACTIVATION, "modal", modal);

    private static MapParams params(String path, Map<String, ?> values) {
        return new MapParams(path, values);
    }

    @Test
    void namesLayersByPositionOrExplicitId() {
        Model m = new ModelBuilder(plugins).add("scale", params("layers[0].params", Map.of()))
                .add("head", "scale", params("layers[1].params", Map.of())).build(new int[] {3}, t, DType.FLOAT64, 1);
        assertEquals(List.of("0", "head"), m.layerNames());
        assertEquals(List.of("0.weight", "head.weight"), m.parameters().stream().map(Parameter::name).toList());
    }

    @Test
    void infersEachInputShapeFromThePreviousLayersOutput() {
        Model m = new ModelBuilder(plugins).add("repeat", null).add("scale", null).add("repeat", null)
                .build(new int[] {2, 3}, t, DType.FLOAT32, 1);
        assertArrayEquals(new int[] {2, 6}, m.shape(1));
        assertArrayEquals(new int[] {6}, m.parameters().get(0).value().shape());
        assertArrayEquals(new int[] {2, 12}, m.outputShape());
    }

    @Test
    void rejectsUnreadParametersWithTheirPath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelBuilder(plugins)
                .add("scale", params("model.layers[0].params", Map.of("bund", 2))).build(new int[] {3}, t, DType.FLOAT32, 1));
        assertTrue(e.getMessage().contains("model.layers[0].params.bund"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean \"bound\""), e.getMessage());
    }

    @Test
    void rejectsUnknownPluginsWithASuggestion() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ModelBuilder(plugins).add("scal", null).build(new int[] {3}, t, DType.FLOAT32, 1));
        assertTrue(e.getMessage().contains("did you mean \"scale\""), e.getMessage());
    }

    @Test
    void rejectsDuplicateIdsAndIdsWithDots() {
        assertThrows(IllegalArgumentException.class, () -> new ModelBuilder(plugins).add("a", "scale", null)
                .add("a", "scale", null).build(new int[] {3}, t, DType.FLOAT32, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new ModelBuilder(plugins).add("a.b", "scale", null).build(new int[] {3}, t, DType.FLOAT32, 1));
    }

    @Test
    void rejectsTwoLayersClaimingTheSameParameterName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelBuilder(plugins)
                .add("unprefixed", null).add("unprefixed", null).build(new int[] {3}, t, DType.FLOAT32, 1));
        assertTrue(e.getMessage().contains("\"weight\""), e.getMessage());
    }

    @Test
    void equalSeedsGiveEqualParameters() {
        ModelBuilder b = new ModelBuilder(plugins).add("scale", null).add("scale", null);
        Model m1 = b.build(new int[] {4}, t, DType.FLOAT64, 7);
        Model m2 = b.build(new int[] {4}, t, DType.FLOAT64, 7);
        Model m3 = b.build(new int[] {4}, t, DType.FLOAT64, 8);
        assertArrayEquals(m1.parameters().get(1).value().toDoubleArray(), m2.parameters().get(1).value().toDoubleArray());
        assertNotEquals(m1.parameters().get(1).value().toDoubleArray()[0], m3.parameters().get(1).value().toDoubleArray()[0]);
    }

    @Test
    void modelModeDecidesWhatLayersSee() {
        Model m = new ModelBuilder(plugins).add("modal", null).build(new int[] {2}, t, DType.FLOAT64, 1);
        assertEquals(0, m.buffers().get("0.count").item(), "shape inference runs in eval mode");
        StepContext step = new StepContext(t, true, t.generator(1));
        Tensor x = t.zeros(DType.FLOAT64, 1, 2);
        assertEquals(1, m.forward(x, step).toDoubleArray()[0]);
        m.eval();
        assertEquals(0, m.forward(x, step).toDoubleArray()[0]);
        assertEquals(1, m.buffers().get("0.count").item());
    }

    @Test
    void stateSurvivesExportAndImportIntoAFreshModel() {
        ModelBuilder b = new ModelBuilder(plugins).add("scale", null).add("modal", null);
        Model a = b.build(new int[] {3}, t, DType.FLOAT64, 1);
        a.forward(t.ones(DType.FLOAT64, 1, 3), new StepContext(t, true, t.generator(1)));
        Model fresh = b.build(new int[] {3}, t, DType.FLOAT64, 2);
        fresh.loadState(a.state());
        assertArrayEquals(a.parameters().get(0).value().toDoubleArray(), fresh.parameters().get(0).value().toDoubleArray());
        assertEquals(1, fresh.buffers().get("1.count").item());
        assertThrows(IllegalArgumentException.class, () -> fresh.loadState(Map.of("0.weight", t.zeros(DType.FLOAT64, 3))));
    }
}
