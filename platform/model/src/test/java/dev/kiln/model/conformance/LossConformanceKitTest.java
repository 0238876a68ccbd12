package dev.kiln.model.conformance;

import dev.kiln.api.nn.InitializerFactory;
import dev.kiln.api.nn.LossFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.DType;
import dev.kiln.engine.Engine;
import dev.kiln.model.StaticPluginSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kits catch broken plugins: each check below fails for a plugin built to break it. */
class LossConformanceKitTest {

    private static final Engine T = Engine.reference();

    private static LossConformance.Example example() {
        return new LossConformance.Example(Map.of(), t -> t.normal(t.generator(1), 0, 1, DType.FLOAT64, 2, 3),
                t -> t.normal(t.generator(2), 0, 1, DType.FLOAT64, 2, 3),
                t -> t.normal(t.generator(2), 0, 1, DType.FLOAT64, 1, 3), List.of(Map.of("scale", -1)));   // (1, 3) broadcasts
    }

    /** A squared error whose gradient is cut, which ignores its parameters and never checks shapes. */
    private static final LossFactory BROKEN = (params, context) -> (p, t) -> p.sub(t).detach().mul(p).sum();

    @Test
    void flagsWrongGradientsUncheckedParamsAndUnnamedShapes() {
        StaticPluginSource plugins = new StaticPluginSource().register(PluginKind.LOSS, "broken", BROKEN);
        CheckTally tally = LossConformance.run(T, plugins, Map.of("broken", example()));
        List<String> failures = tally.failures();
        assertTrue(failures.stream().anyMatch(f -> f.startsWith("broken gradients match")), tally.summary());
        assertTrue(failures.stream().anyMatch(f -> f.startsWith("broken rejects {scale=-1}")), tally.summary());
        assertTrue(failures.stream().anyMatch(f -> f.startsWith("broken rejects a mismatched target")), tally.summary());
    }

    @Test
    void failsARegisteredLossWithoutAnExample() {
        StaticPluginSource plugins = new StaticPluginSource().register(PluginKind.LOSS, "orphan", BROKEN);
        CheckTally tally = LossConformance.run(T, plugins, Map.of());
        assertEquals(0, tally.passed());
        assertEquals(1, tally.total());
    }

    @Test
    void initKitFlagsUnseededRandomnessAndWrongShapes() {
        InitializerFactory unseeded = params -> (shape, dtype, tensors, generator) ->
                tensors.uniform(tensors.generator(System.nanoTime()), 0, 1, dtype, shape[0]);
        StaticPluginSource plugins = new StaticPluginSource().register(PluginKind.INIT, "unseeded", unseeded);
        CheckTally tally = InitConformance.run(T, plugins, Map.of("unseeded", new InitConformance.Example(Map.of(), true, List.of())));
        assertTrue(tally.failures().stream().anyMatch(f -> f.startsWith("unseeded is deterministic")), tally.summary());
        assertTrue(tally.failures().stream().anyMatch(f -> f.startsWith("unseeded fills [8, 3, 3, 3]")), tally.summary());
    }
}
