package dev.kiln.plugins.losses;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.engine.Engine;
import dev.kiln.engine.io.SafetensorsFile;
import dev.kiln.model.LossBuildContext;
import dev.kiln.model.MapParams;
import dev.kiln.model.conformance.PluginFixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every loss matches PyTorch 1.13 in float64 within 1e-10, value and gradient with respect to the
 * prediction, on the fixtures of {@code tools/fixtures/make_loss_activation_fixtures.py}.
 */
class LossParityTest {

    private static final String DIRECTORY = "fixtures/losses/";
    private static final double TOLERANCE = 1e-10;

    @Test
    void everyLossMatchesPytorchValueAndGradient() {
        Engine tensors = Engine.reference();
        LossBuildContext context = new LossBuildContext(tensors, Losses.source());
        List<String> cases = PluginFixtures.caseNames(DIRECTORY);
        List<String> failures = new ArrayList<>();
        Set<String> covered = new TreeSet<>();
        for (String name : cases) {
            SafetensorsFile f = PluginFixtures.load(DIRECTORY, name);
            String plugin = f.metadata("plugin");
            covered.add(plugin);
            try {
                Loss loss = LossBuildContext.build(plugin, new MapParams(name, PluginFixtures.params(f)), context);
                Tensor x = PluginFixtures.tensor(tensors, f.tensor("x")).requiresGrad(true);
                Tensor y = loss.compute(x, PluginFixtures.tensor(tensors, f.tensor("target")));
                y.backward();
                String m = Objects.requireNonNullElse(PluginFixtures.mismatch("y", y, f.tensor("y"), TOLERANCE),
                        Objects.requireNonNullElse(PluginFixtures.mismatch("gx", x.grad(), f.tensor("gx"), TOLERANCE), ""));
                if (!m.isEmpty()) {
                    failures.add(name + " (" + plugin + "): " + m);
                }
            } catch (RuntimeException e) {
                failures.add(name + " (" + plugin + "): " + e);
            }
        }
        System.out.println("loss parity: " + (cases.size() - failures.size()) + "/" + cases.size() + " PyTorch cases passed"
                + (failures.isEmpty() ? "" : "\n  " + String.join("\n  ", failures)));
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(new TreeSet<>(Losses.source().names(PluginKind.LOSS)), covered, "every loss has a PyTorch case");
    }
}
