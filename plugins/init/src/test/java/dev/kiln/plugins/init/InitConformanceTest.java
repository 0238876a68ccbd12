package dev.kiln.plugins.init;

import dev.kiln.api.plugin.PluginKind;
import dev.kiln.engine.Engine;
import dev.kiln.model.StaticPluginSource;
import dev.kiln.model.conformance.CheckTally;
import dev.kiln.model.conformance.InitConformance;
import org.junit.jupiter.api.Test;

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

    @Test
    void everyInitializerPassesTheConformanceKit() {
        CheckTally tally = InitConformance.run(Engine.reference(), source(), InitExamples.examples());
        System.out.println(tally.summary());
        assertTrue(tally.allPassed(), tally::summary);
    }
}
