package dev.kiln.plugins.generative;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.Engine;
import dev.kiln.model.MapParams;
import dev.kiln.model.StepContext;
import dev.kiln.plugins.losses.BceWithLogitsLossFactory;
import dev.kiln.plugins.losses.L1LossFactory;
import dev.kiln.plugins.optimizers.SgdFactory;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** CycleGAN's two updates touch only their own networks, and its objectives are the paper's. */
class CycleStepsTest {

    private final Tensors t = Engine.reference();
    private final ForwardContext c = new StepContext(t, true, t.generator(1));
    private final Loss l1 = new L1LossFactory().create(MapParams.empty("loss.params"), null);

    /** x @ W^T, one parameter. */
    private static Layer linear(Tensor w) {
        Parameter p = new Parameter("w", w);
        return new Layer() {
            @Override
            public Tensor forward(Tensor x, ForwardContext context) {
                return x.linear(p.value(), null);
            }

            @Override
            public List<Parameter> parameters() {
                return List.of(p);
            }
        };
    }

    private Optimizer sgd(List<Parameter> parameters) {
        return new SgdFactory().create(new MapParams("optimizer.params", Map.of("lr", 0.5)),
                List.of(new ParameterGroup("all", parameters, MapParams.empty("g"))), t);
    }

    private final CycleSteps.Nets nets = new CycleSteps.Nets(
            linear(t.of(new float[] {0.9f, 0.1f, -0.2f, 0.3f, 0.2f, 0.8f, 0.1f, -0.1f, 0.0f, 0.3f, 1.1f, 0.2f, -0.3f, 0.1f, 0.2f, 0.7f}, 4, 4)),
            linear(t.of(new float[] {1.0f, -0.2f, 0.1f, 0.0f, 0.1f, 0.9f, 0.3f, 0.2f, -0.1f, 0.0f, 0.8f, 0.1f, 0.2f, 0.3f, -0.2f, 1.2f}, 4, 4)),
            linear(t.of(new float[] {0.2f, -0.5f, 0.4f, 0.3f}, 1, 4)),
            linear(t.of(new float[] {-0.3f, 0.6f, 0.1f, 0.2f}, 1, 4)));
    private final Tensor x = t.of(new float[] {1, 0, 0.5f, 0.2f, 0.9f, 0.1f, 0, 1, 0.3f, 0.3f, 0.3f, 0.3f}, 3, 4);
    private final Tensor y = t.of(new float[] {0, 1, 0.2f, 0.7f, 0.4f, 0.6f, 1, 0, 0.8f, 0.1f, 0.5f, 0.9f}, 3, 4);

    private static float[] weights(Layer l) {
        return l.parameters().get(0).value().toFloatArray();
    }

    @Test
    void generatorStepUpdatesGAndFThroughFrozenDiscriminators() {
        for (Loss adversarial : List.of(CycleSteps.LEAST_SQUARES, CycleSteps.BCE_WITH_LOGITS)) {
            float[] dx0 = weights(nets.dX());
            float[] dy0 = weights(nets.dY());
            float[] g0 = weights(nets.g());
            float[] f0 = weights(nets.f());
            CycleSteps.generatorStep(nets, sgd(nets.generatorParameters()), adversarial, l1, new CycleSteps.Weights(10, 0.5), x, y, c);
            assertArrayEquals(dx0, weights(nets.dX()), "D_X must not change in the generators' step");
            assertArrayEquals(dy0, weights(nets.dY()), "D_Y must not change in the generators' step");
            assertFalse(Arrays.equals(g0, weights(nets.g())), "G must change");
            assertFalse(Arrays.equals(f0, weights(nets.f())), "F must change");
            assertNotNull(nets.dX().parameters().get(0).grad(), "the adversarial gradient flowed through D_X");
            assertNotNull(nets.dY().parameters().get(0).grad(), "the adversarial gradient flowed through D_Y");
        }
    }

    @Test
    void discriminatorStepUpdatesBothDiscriminatorsOnDetachedFakes() {
        Tensor fakeY = nets.g().forward(x, c);
        Tensor fakeX = nets.f().forward(y, c);
        float[] dx0 = weights(nets.dX());
        float[] dy0 = weights(nets.dY());
        float[] g0 = weights(nets.g());
        float[] f0 = weights(nets.f());
        CycleSteps.discriminatorStep(nets, sgd(nets.discriminatorParameters()), CycleSteps.LEAST_SQUARES, x, y, fakeX, fakeY, c);
        assertArrayEquals(g0, weights(nets.g()));
        assertArrayEquals(f0, weights(nets.f()));
        assertNull(nets.g().parameters().get(0).grad(), "G(x) is detached: no gradient reaches G");
        assertNull(nets.f().parameters().get(0).grad(), "F(y) is detached: no gradient reaches F");
        assertFalse(Arrays.equals(dx0, weights(nets.dX())));
        assertFalse(Arrays.equals(dy0, weights(nets.dY())));
    }

    @Test
    void generatorObjectiveIsAdversarialPlusWeightedCyclePlusWeightedIdentity() {
        double cycleX = l1(nets.f().forward(nets.g().forward(x, c), c), x);
        double cycleY = l1(nets.g().forward(nets.f().forward(y, c), c), y);
        double identity = l1(nets.g().forward(y, c), y) + l1(nets.f().forward(x, c), x);
        double adversarial = ls(nets.dY().forward(nets.g().forward(x, c), c), 1) + ls(nets.dX().forward(nets.f().forward(y, c), c), 1);
        CycleSteps.GeneratorStep s = CycleSteps.generatorStep(nets, sgd(nets.generatorParameters()), CycleSteps.LEAST_SQUARES, l1,
                new CycleSteps.Weights(10, 0.5), x, y, c);
        assertEquals(cycleX, s.cycleX(), 1e-6, "|F(G(x)) - x|");
        assertEquals(cycleY, s.cycleY(), 1e-6, "|G(F(y)) - y|");
        assertEquals(identity, s.identity(), 1e-6, "|G(y) - y| + |F(x) - x|");
        assertEquals(adversarial, s.adversarial(), 1e-6, "(D_Y(G(x)) - 1)² + (D_X(F(y)) - 1)²");
        assertEquals(adversarial + 10 * (cycleX + cycleY) + 0.5 * identity, s.total(), 1e-5);
    }

    private static double l1(Tensor a, Tensor b) {
        float[] u = a.toFloatArray();
        float[] v = b.toFloatArray();
        double s = 0;
        for (int i = 0; i < u.length; i++) {
            s += Math.abs(u[i] - v[i]);
        }
        return s / u.length;
    }

    @Test
    void discriminatorObjectiveIsHalfTheSumOfBothLeastSquaresLosses() {
        // D outputs: D_X(x) and D_X(F(y)) etc.; with least squares ½ Σ_D [mean((D(real) - 1)²) + mean(D(fake)²)]
        Tensor fakeY = nets.g().forward(x, c).detach();
        Tensor fakeX = nets.f().forward(y, c).detach();
        double expected = 0.5 * (ls(nets.dX().forward(x, c), 1) + ls(nets.dX().forward(fakeX, c), 0)
                + ls(nets.dY().forward(y, c), 1) + ls(nets.dY().forward(fakeY, c), 0));
        CycleSteps.DiscriminatorStep s = CycleSteps.discriminatorStep(nets, sgd(nets.discriminatorParameters()), CycleSteps.LEAST_SQUARES,
                x, y, fakeX, fakeY, c);
        assertEquals(expected, s.loss(), 1e-6);
    }

    private static double ls(Tensor out, double target) {
        double s = 0;
        float[] v = out.toFloatArray();
        for (float o : v) {
            s += (o - target) * (o - target);
        }
        return s / v.length;
    }

    @Test
    void bceOnLogitsMatchesTheLossPluginAndStaysFiniteForLargeLogits() {
        Loss reference = new BceWithLogitsLossFactory().create(MapParams.empty("loss.params"), null);
        Tensor logits = t.of(new float[] {-3, -0.5f, 0, 0.7f, 4, 2}, 6, 1);
        for (Tensor target : List.of(t.ones(DType.FLOAT32, 6, 1), t.zeros(DType.FLOAT32, 6, 1))) {
            assertEquals(reference.compute(logits, target).item(), CycleSteps.BCE_WITH_LOGITS.compute(logits, target).item(), 1e-6);
        }
        Tensor huge = t.of(new float[] {-200, 200}, 2, 1);
        double v = CycleSteps.BCE_WITH_LOGITS.compute(huge, t.ones(DType.FLOAT32, 2, 1)).item();
        assertEquals(100, v, 1e-4, "mean of 200 and 0");
    }

    @Test
    void leastSquaresIsTheMeanSquaredDistanceToTheTarget() {
        Tensor out = t.of(new float[] {0.5f, 2, -1}, 3, 1);
        assertEquals((0.25 + 1 + 4) / 3, CycleSteps.LEAST_SQUARES.compute(out, t.ones(DType.FLOAT32, 3, 1)).item(), 1e-6);
    }
}
