package dev.kiln.plugins.activations;

import dev.kiln.engine.Engine;
import dev.kiln.model.conformance.LayerConformance;
import org.junit.jupiter.api.Test;

import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layer kit over every activation, with {@link ActivationExamples} (the same run happens in-framework in platform/itests). */
class ActivationLayerKitTest {

    @Test
    void everyActivationPassesTheLayerKit() {
        LayerConformance.Report report = new LayerConformance(Engine.reference(), Activations.source())
                .run(ActivationExamples.cases(), ActivationExamples.invalid());
        System.out.println("activation " + report.summary());
        assertTrue(report.failures().isEmpty(), report.summary() + "\n"
                + report.failures().stream().map(Object::toString).collect(Collectors.joining("\n")));
    }
}
