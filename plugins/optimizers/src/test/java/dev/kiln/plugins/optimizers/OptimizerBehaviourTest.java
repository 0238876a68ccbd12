package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.engine.Engine;
import dev.kiln.model.MapParams;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptimizerBehaviourTest {

    private final Engine tensors = Engine.reference();

    private Parameter parameter(String name) {
        return new Parameter(name, tensors.of(new double[] {1, -2, 3}, 3));
    }

    @Test
    void groupsKeepTheirOwnLearningRates() {
        Optimizer opt = new AdamFactory().create(new MapParams("optimizer.params", Map.of("lr", 0.01)),
                List.of(new ParameterGroup("trunk", List.of(parameter("trunk.w")), new MapParams("g0", Map.of("lr", 1e-4))),
                        new ParameterGroup("head", List.of(parameter("head.w")), MapParams.empty("g1"))), tensors);
        assertEquals(1e-4, opt.learningRate(0));
        assertEquals(0.01, opt.learningRate(1));
    }

    @Test
    void aBadGroupOverrideIsReportedAtTheGroupsPath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdamFactory().create(
                MapParams.empty("optimizer.params"), List.of(new ParameterGroup("trunk", List.of(parameter("w")),
                        new MapParams("optimizer.groups[0]", Map.of("beta2", 1.5)))), tensors));
        assertEquals("optimizer.groups[0]: beta2 must be in [0, 1), got 1.5", e.getMessage());
    }

    @Test
    void rejectsAGroupOverrideThatIsNotPerGroup() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SgdFactory().create(
                MapParams.empty("optimizer.params"),
                List.of(new ParameterGroup("all", List.of(parameter("w")), new MapParams("optimizer.groups[0]",
                        Map.of("clip_norm", 1.0)))), tensors));
        assertTrue(e.getMessage().startsWith("optimizer.groups[0]: [clip_norm] cannot be set for parameter group 'all'"),
                e.getMessage());
    }

    @Test
    void rejectsNesterovWithoutMomentumNamingBothValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NesterovFactory().create(
                new MapParams("optimizer.params", Map.of("momentum", 0.0)),
                List.of(new ParameterGroup("all", List.of(parameter("w")), null)), tensors));
        assertEquals("optimizer.params (group 'all'): nesterov needs momentum in (0, 1) and dampening 0, got momentum 0.0 and"
                + " dampening 0.0", e.getMessage());
    }

    @Test
    void importRejectsStateOfAnotherOptimizer() {
        List<ParameterGroup> groups = List.of(new ParameterGroup("all", List.of(parameter("w")), null));
        Optimizer sgd = new SgdFactory().create(MapParams.empty("p"), groups, tensors);
        Optimizer adam = new AdamFactory().create(MapParams.empty("p"), groups, tensors);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adam.importState(sgd.exportState()));
        assertTrue(e.getMessage().startsWith("optimizer state is missing 'w.exp_avg'"), e.getMessage());
        Map<String, Tensor> extra = new HashMap<>(adam.exportState());
        extra.put("v.exp_avg", tensors.zeros(dev.kiln.api.tensor.DType.FLOAT64, 3));
        e = assertThrows(IllegalArgumentException.class, () -> adam.importState(extra));
        assertTrue(e.getMessage().contains("[v.exp_avg]"), e.getMessage());
    }

    @Test
    void stepWithoutGradientsLeavesParametersAndStepCountsAlone() {
        Parameter w = parameter("w");
        Optimizer opt = new MomentumFactory().create(MapParams.empty("p"),
                List.of(new ParameterGroup("all", List.of(w), null)), tensors);
        opt.step();
        assertEquals(List.of(1.0, -2.0, 3.0), java.util.Arrays.stream(w.value().toDoubleArray()).boxed().toList());
        assertEquals(0L, opt.exportState().get("w.step").toLongArray()[0]);
    }

    @Test
    void stepFreesItsTemporaries() {
        Parameter w = parameter("w");
        Optimizer opt = new AdamFactory().create(new MapParams("p", Map.of("clip_norm", 1.0, "l1", 0.1)),
                List.of(new ParameterGroup("all", List.of(w), null)), tensors);
        w.value().mul(w.value()).sum().backward();
        opt.step();
        long live = tensors.liveBytes();
        opt.step();
        assertEquals(live, tensors.liveBytes());
    }
}
