package dev.kiln.plugins.init;

import dev.kiln.api.plugin.PluginKind;
import dev.kiln.engine.Engine;
import dev.kiln.model.StaticPluginSource;
import dev.kiln.model.conformance.CheckTally;
import dev.kiln.model.conformance.InitConformance;
import dev.kiln.model.conformance.InitConformance.Example;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class InitConformanceTest {

    static StaticPluginSource source() {
        return new StaticPluginSource()
                .register(PluginKind.INIT, "zeros", new ZerosFactory())
                .register(PluginKind.INIT, "constant", new ConstantFactory())
                .register(PluginKind.INIT, "uniform", new UniformFactory())
                .register(PluginKind.INIT, "normal", new NormalFactory())
                .register(PluginKind.INIT, "xavier_uniform", new XavierUniformFactory())
                .register(PluginKind.INIT, "xavier_normal", new XavierNormalFactory())
                .register(PluginKind.INIT, "he_uniform", new KaimingUniformFactory())
                .register(PluginKind.INIT, "he_normal", new KaimingNormalFactory());
    }

    private static final List<Map<String, ?>> BAD_KAIMING = List.of(Map.of("mode", "fan_avg"),
            Map.of("nonlinearity", "gelu"), Map.of("negative_slope", -1));

    @Test
    void everyInitializerPassesTheConformanceKit() {
        Map<String, Example> examples = Map.of(
                "zeros", new Example(Map.of(), false, List.of()),
                "constant", new Example(Map.of("value", 0.1), false,
                        List.of(Map.of("value", Double.NaN), Map.of("value", "big"))),
                "uniform", new Example(Map.of("a", -0.5, "b", 0.5), true,
                        List.of(Map.of("a", 1, "b", 1), Map.of("b", Double.POSITIVE_INFINITY))),
                "normal", new Example(Map.of("mean", 0.1, "std", 0.02), true, List.of(Map.of("std", -0.5))),
                "xavier_uniform", new Example(Map.of("gain", 5.0 / 3), true, List.of(Map.of("gain", 0))),
                "xavier_normal", new Example(Map.of(), true, List.of(Map.of("gain", -2))),
                "he_uniform", new Example(Map.of("mode", "fan_out", "nonlinearity", "leaky_relu", "negative_slope", 0.2), true, BAD_KAIMING),
                "he_normal", new Example(Map.of("mode", "fan_in"), true, BAD_KAIMING));
        CheckTally tally = InitConformance.run(Engine.reference(), source(), examples);
        System.out.println(tally.summary());
        assertTrue(tally.allPassed(), tally::summary);
    }
}
