package dev.kiln.plugins.init;

import dev.kiln.api.nn.Initializer;
import dev.kiln.api.nn.InitializerFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.DType;
import dev.kiln.engine.Engine;
import dev.kiln.model.MapParams;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Statistical checks: over 60,000 draws the sample mean lies within 5 standard errors of the expected
 * mean, the sample variance within 3% of the expected variance, and uniform draws within their bounds.
 * Expected values are PyTorch's {@code torch.nn.init} formulas written out by hand.
 */
class InitDistributionTest {

    private static final Engine T = Engine.reference();
    /** A conv weight (out 200, in 30, 5×2 kernel): fan_in = 30·5·2 = 300, fan_out = 200·5·2 = 2000; 60,000 draws. */
    private static final int[] SHAPE = {200, 30, 5, 2};
    private static final int FAN_IN = 300;
    private static final int FAN_OUT = 2000;

    private static double[] draw(String name, Map<String, ?> params) {
        Initializer init = InitConformanceTest.source().factory(PluginKind.INIT, name, null, InitializerFactory.class)
                .create(new MapParams("init", params));
        return init.create(SHAPE, DType.FLOAT64, T, T.generator(2024)).toDoubleArray();
    }

    private static void assertMoments(double[] v, double mean, double variance) {
        double m = 0;
        for (double x : v) {
            m += x;
        }
        m /= v.length;
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        s /= v.length - 1;
        assertTrue(Math.abs(m - mean) <= 5 * Math.sqrt(variance / v.length) + 1e-12, "mean " + m + ", expected " + mean);
        assertEquals(variance, s, 0.03 * variance + 1e-15, "variance");
    }

    private static void assertWithin(double[] v, double low, double high) {
        for (double x : v) {
            assertTrue(x >= low && x <= high, x + " outside [" + low + ", " + high + "]");
        }
    }

    @Test
    void uniformHasMeanAndVarianceOfUab() {
        double[] v = draw("uniform", Map.of("a", -1.0, "b", 3.0));
        assertWithin(v, -1, 3);
        assertMoments(v, 1.0, 16.0 / 12);
    }

    @Test
    void normalHasRequestedMeanAndStd() {
        assertMoments(draw("normal", Map.of("mean", 0.5, "std", 0.2)), 0.5, 0.04);
    }

    @Test
    void xavierUniformBoundIsGainTimesSqrtSixOverFanSum() {
        double a = 2.0 * Math.sqrt(6.0 / (FAN_IN + FAN_OUT));
        double[] v = draw("xavier_uniform", Map.of("gain", 2.0));
        assertWithin(v, -a, a);
        assertMoments(v, 0, a * a / 3);
    }

    @Test
    void xavierNormalStdIsSqrtTwoOverFanSum() {
        assertMoments(draw("xavier_normal", Map.of()), 0, 2.0 / (FAN_IN + FAN_OUT));
    }

    @Test
    void heUniformUsesFanInAndReluGainByDefault() {
        double bound = Math.sqrt(2.0) * Math.sqrt(3.0 / FAN_IN);
        double[] v = draw("he_uniform", Map.of());
        assertWithin(v, -bound, bound);
        assertMoments(v, 0, 2.0 / FAN_IN);
    }

    @Test
    void heNormalFanOutWithLeakyReluGain() {
        double gain2 = 2.0 / (1 + 0.2 * 0.2);
        assertMoments(draw("he_normal", Map.of("mode", "fan_out", "nonlinearity", "leaky_relu", "negative_slope", 0.2)),
                0, gain2 / FAN_OUT);
    }

    @Test
    void heNormalTanhGainIsFiveThirds() {
        assertMoments(draw("he_normal", Map.of("nonlinearity", "tanh")), 0, (25.0 / 9) / FAN_IN);
    }

    @Test
    void gainsMatchPytorchCalculateGain() {
        assertEquals(1.0, Fans.gain("linear", 0));
        assertEquals(1.0, Fans.gain("sigmoid", 0));
        assertEquals(5.0 / 3, Fans.gain("tanh", 0));
        assertEquals(Math.sqrt(2), Fans.gain("relu", 0));
        assertEquals(Math.sqrt(2.0 / (1 + 0.01 * 0.01)), Fans.gain("leaky_relu", 0.01));
    }

    @Test
    void fansFollowPytorchForLinearAndConvWeights() {
        assertEquals(784, Fans.fanIn("t", new int[] {10, 784}));
        assertEquals(10, Fans.fanOut("t", new int[] {10, 784}));
        assertEquals(27, Fans.fanIn("t", new int[] {64, 3, 3, 3}));
        assertEquals(576, Fans.fanOut("t", new int[] {64, 3, 3, 3}));
    }

    @Test
    void fanBasedInitRejectsOneDimensionalShapes() {
        Initializer init = new XavierUniformFactory().create(MapParams.empty("init"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> init.create(new int[] {10}, DType.FLOAT32, T, T.generator(1)));
        assertTrue(e.getMessage().contains("[10]"), e.getMessage());
    }

    @Test
    void sameSeedGivesIdenticalDrawsForEveryRandomInitializer() {
        for (String name : new String[] {"uniform", "normal", "xavier_uniform", "xavier_normal", "he_uniform", "he_normal"}) {
            assertTrue(java.util.Arrays.equals(draw(name, Map.of()), draw(name, Map.of())), name);
        }
    }

    @Test
    void constantAndZerosFillExactly() {
        for (double x : draw("constant", Map.of("value", -0.25))) {
            assertEquals(-0.25, x);
        }
        for (double x : draw("zeros", Map.of())) {
            assertEquals(0.0, x);
        }
    }
}
