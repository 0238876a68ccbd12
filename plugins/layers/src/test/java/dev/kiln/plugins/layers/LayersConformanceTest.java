package dev.kiln.plugins.layers;

import dev.kiln.engine.Engine;
import dev.kiln.model.conformance.LayerConformance;
import org.junit.jupiter.api.Test;

import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayersConformanceTest {

    @Test
    void everyLayerPassesTheConformanceKit() {
        LayerConformance.Report report = new LayerConformance(Engine.reference(), LayerPlugins.source())
                .run(LayerExamples.cases(), LayerExamples.invalid());
        System.out.println(report.summary());
        report.checks().forEach(System.out::println);
        assertTrue(report.failures().isEmpty(), report.summary() + "\n"
                + report.failures().stream().map(Object::toString).collect(Collectors.joining("\n")));
    }

    @Test
    void registersTheLayersOfIssue4() {
        assertEquals(22, LayerPlugins.factories().size());
    }
}
