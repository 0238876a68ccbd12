package dev.kiln.plugins.layers;

import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.Engine;
import dev.kiln.model.MapParams;
import dev.kiln.model.Model;
import dev.kiln.model.ModelBuilder;
import dev.kiln.model.StepContext;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerBehaviourTest {

    private final Tensors t = Engine.reference();

    private static MapParams p(String path, Map<String, ?> values) {
        return new MapParams(path, values);
    }

    @Test
    void defaultWeightsAreUniformWithinOneOverRootFanIn() {
        Model m = new ModelBuilder(LayerPlugins.source()).add("conv2d", p("l0", Map.of("out_channels", 8, "kernel_size", 3)))
                .build(new int[] {4, 6, 6}, t, DType.FLOAT64, 3);
        double bound = 1 / Math.sqrt(4 * 9);
        for (var param : m.parameters()) {
            double[] v = param.value().toDoubleArray();
            assertTrue(Arrays.stream(v).allMatch(x -> Math.abs(x) <= bound), param.name());
            assertTrue(Arrays.stream(v).map(Math::abs).max().orElseThrow() > bound * 0.8, param.name() + " spans the range");
        }
    }

    @Test
    void unpoolPairsWithAPoolByIdAcrossTheTopLevelOfAModel() {
        Model m = new ModelBuilder(LayerPlugins.source())
                .add("pool1", "max_pool2d", p("l0", Map.of("kernel_size", 2)))
                .add("conv2d", p("l1", Map.of("out_channels", 1, "kernel_size", 1, "bias", false)))
                .add("max_unpool2d", p("l2", Map.of("pool", "pool1")))
                .build(new int[] {1, 5, 5}, t, DType.FLOAT64, 1);
        assertArrayEquals(new int[] {1, 5, 5}, m.outputShape());
        m.parameters().get(0).value().assign(t.ones(DType.FLOAT64, 1, 1, 1, 1));
        double[] x = new double[25];
        x[6] = 5;
        x[13] = 7;
        double[] y = m.forward(t.of(x, 1, 1, 5, 5), new StepContext(t, true, t.generator(1))).toDoubleArray();
        assertEquals(5, y[6]);
        assertEquals(7, y[13]);
        assertEquals(12, Arrays.stream(y).sum(), 1e-12);
    }

    @Test
    void unpoolWithoutItsPoolIsRejectedNamingThePool() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelBuilder(LayerPlugins.source())
                .add("max_unpool2d", p("model.layers[0].params", Map.of("pool", "pool1"))).build(new int[] {1, 2, 2}, t, DType.FLOAT32, 1));
        assertTrue(e.getMessage().contains("model.layers[0].params.pool") && e.getMessage().contains("pool1"), e.getMessage());
    }

    @Test
    void dropoutZeroesAboutPAndScalesTheRestByOneOverOneMinusP() {
        Model m = new ModelBuilder(LayerPlugins.source()).add("dropout", p("l0", Map.of("p", 0.25))).build(new int[] {4000}, t, DType.FLOAT64, 1);
        double[] y = m.forward(t.ones(DType.FLOAT64, 1, 4000), new StepContext(t, true, t.generator(5))).toDoubleArray();
        long zeros = Arrays.stream(y).filter(v -> v == 0).count();
        assertTrue(Math.abs(zeros / 4000.0 - 0.25) < 0.03, "dropped fraction " + zeros / 4000.0);
        assertTrue(Arrays.stream(y).allMatch(v -> v == 0 || Math.abs(v - 1 / 0.75) < 1e-12));
    }

    @Test
    void bedOfNailsPutsEachValueAtTheTopLeftOfItsCell() {
        Model m = new ModelBuilder(LayerPlugins.source()).add("bed_of_nails", p("l0", Map.of("stride", 2))).build(new int[] {1, 1, 2}, t, DType.FLOAT64, 1);
        Tensor y = m.forward(t.of(new double[] {3, 4}, 1, 1, 1, 2), new StepContext(t, false, t.generator(1)));
        assertArrayEquals(new double[] {3, 0, 4, 0, 0, 0, 0, 0}, y.toDoubleArray());
    }

    @Test
    void unknownParameterOfANestedLayerIsRejectedWithItsPath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelBuilder(LayerPlugins.source())
                .add("sequential", p("model.layers[0].params", Map.of("layers", java.util.List.of(
                        Map.of("name", "linear", "params", Map.of("out_featurs", 3))))))
                .build(new int[] {4}, t, DType.FLOAT32, 1));
        assertTrue(e.getMessage().contains("model.layers[0].params.layers[0].params"), e.getMessage());
    }
}
