package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.tensor.DType;
import dev.kiln.engine.Engine;
import dev.kiln.model.StepContext;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationBehaviourTest {

    private static final Engine T = Engine.reference();
    private static final StepContext CTX = new StepContext(T, false, T.generator(0));

    @Test
    void preluNamesItsWeightAfterTheLayerAndStartsAtInit() {
        Layer prelu = Activations.build(T, "prelu", Map.of("num_parameters", 3), DType.FLOAT32, 3, 8, 8);
        Parameter w = prelu.parameters().get(0);
        assertEquals("act.weight", w.name());
        assertArrayEquals(new int[] {3}, w.value().shape());
        assertArrayEquals(new double[] {0.25, 0.25, 0.25}, w.value().toDoubleArray(), 1e-7);
    }

    @Test
    void maxoutTakesTheMaximumOfConsecutiveGroupsOfK() {
        Layer maxout = Activations.build(T, "maxout", Map.of("k", 2), DType.FLOAT64, 4);
        double[] y = maxout.forward(T.of(new double[] {1, 5, 3, 2, -1, -2, 0, 7}, 2, 4), CTX).toDoubleArray();
        assertArrayEquals(new double[] {5, 3, -1, 7}, y);
    }

    @Test
    void maxoutRejectsKThatDoesNotDivideTheChannels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Activations.build(T, "maxout", Map.of("k", 3), DType.FLOAT64, 4, 2, 2));
        assertTrue(e.getMessage().contains("k = 3") && e.getMessage().contains("(N, 4, 2, 2)"), e.getMessage());
    }

    @Test
    void softmaxOfHugeLogitsIsFiniteAndSumsToOne() {
        double[] p = Activations.build(T, "softmax", Map.of(), DType.FLOAT64, 3)
                .forward(T.of(new double[] {1000, 999, -1000}, 1, 3), CTX).toDoubleArray();
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-15);
        assertEquals(1 / (1 + Math.exp(-1)), p[0], 1e-15);
    }

    @Test
    void softmaxRejectsAnAxisOutsideTheInputRank() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Activations.build(T, "softmax", Map.of("dim", 2), DType.FLOAT64, 10));
        assertTrue(e.getMessage().contains("[-2, 1]") && e.getMessage().contains("got 2"), e.getMessage());
    }

    @Test
    void eluAndSwishHaveNoNaNGradientForLargeInputs() {
        for (String name : new String[] {"elu", "swish", "leaky_relu"}) {
            var x = T.of(new double[] {800, -800, 0}, 1, 3).requiresGrad(true);
            Activations.build(T, name, Map.of(), DType.FLOAT64, 3).forward(x, CTX).sum().backward();
            for (double g : x.grad().toDoubleArray()) {
                assertTrue(Double.isFinite(g), name + " gradient " + g);
            }
        }
    }
}
