package dev.kiln.plugins.losses;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.engine.Engine;
import dev.kiln.model.LossBuildContext;
import dev.kiln.model.MapParams;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossBehaviourTest {

    private static final Engine T = Engine.reference();

    private static Loss loss(String name, Map<String, ?> params) {
        return LossBuildContext.build(name, new MapParams("loss.params", params), new LossBuildContext(T, Losses.source()));
    }

    private static Tensor vec(double... v) {
        return T.of(v, v.length);
    }

    @Test
    void bceClampsEachLogarithmAtMinus100() {
        assertEquals(100.0, loss("bce", Map.of()).compute(vec(0.0, 1.0), vec(1.0, 0.0)).item(), 1e-9);
    }

    @Test
    void bceRejectsValuesOutsideZeroOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss("bce", Map.of()).compute(vec(0.5, 1.5), vec(1, 0)));
        assertTrue(e.getMessage().contains("1.5") && e.getMessage().contains("bce_with_logits"), e.getMessage());
    }

    @Test
    void bceWithLogitsStaysFiniteForSaturatedLogits() {
        assertEquals(1000.0, loss("bce_with_logits", Map.of("reduction", "sum")).compute(vec(-1000, 1000), vec(0.5, 0.5)).item(), 1e-9);
    }

    @Test
    void crossEntropyRejectsClassOutsideRangeNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss("cross_entropy", Map.of()).compute(T.zeros(dev.kiln.api.tensor.DType.FLOAT64, 2, 3), T.of(new long[] {0, 3}, 2)));
        assertTrue(e.getMessage().contains("3") && e.getMessage().contains("[0, 3)"), e.getMessage());
    }

    @Test
    void crossEntropyOfUniformLogitsIsLogC() {
        assertEquals(Math.log(4), loss("cross_entropy", Map.of("label_smoothing", 0.3))
                .compute(T.zeros(dev.kiln.api.tensor.DType.FLOAT64, 3, 4), T.of(new long[] {0, 1, 3}, 3)).item(), 1e-12);
    }

    @Test
    void misspelledParameterIsRejectedWithSuggestion() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss("cross_entropy", Map.of("label_smothing", 0.1)));
        assertTrue(e.getMessage().contains("did you mean \"label_smoothing\""), e.getMessage());
    }

    @Test
    void weightedSumTermWithoutParamsUsesDefaults() {
        Loss l = loss("weighted_sum", Map.of("losses", List.of(Map.of("loss", "mse", "weight", 3.0))));
        assertEquals(3.0 * 2.5, l.compute(vec(1, 2), vec(0, 0)).item(), 1e-12);
    }

    @Test
    void weightedSumRejectsUnknownTermWithSuggestion() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss("weighted_sum", Map.of("losses", List.of(Map.of("loss", "msee")))));
        assertTrue(e.getMessage().contains("did you mean \"mse\""), e.getMessage());
    }

    @Test
    void weightedSumRejectsUnknownKeyInsideATerm() {
        assertThrows(IllegalArgumentException.class, () -> loss("weighted_sum",
                Map.of("losses", List.of(Map.of("loss", "mse", "params", Map.of("halve", true))))));
    }

    @Test
    void klDivergenceOfEqualDistributionsIsZero() {
        Tensor p = vec(0.25, 0.75, 0.0).reshape(1, 3);
        Tensor logP = p.add(T.scalar(1e-300, p.dtype())).log();
        assertEquals(0.0, loss("kl_divergence", Map.of("reduction", "batchmean")).compute(logP, p).item(), 1e-12);
    }
}
