package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.engine.Engine;
import dev.kiln.engine.io.SafetensorsFile;
import dev.kiln.model.StepContext;
import dev.kiln.model.conformance.PluginFixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every activation matches PyTorch 1.13 in float64 within 1e-10: output, input gradient and (prelu)
 * weight gradient for a random output gradient, on the fixtures of
 * {@code tools/fixtures/make_loss_activation_fixtures.py}. Maxout has no PyTorch module; its reference is
 * {@code x.view(N, C/k, k, ...).max(2)} in PyTorch.
 */
class ActivationParityTest {

    private static final String DIRECTORY = "fixtures/activations/";
    private static final double TOLERANCE = 1e-10;

    @Test
    void everyActivationMatchesPytorchForwardAndBackward() {
        Engine tensors = Engine.reference();
        StepContext ctx = new StepContext(tensors, true, tensors.generator(0));
        List<String> cases = PluginFixtures.caseNames(DIRECTORY);
        List<String> failures = new ArrayList<>();
        Set<String> covered = new TreeSet<>();
        for (String name : cases) {
            SafetensorsFile f = PluginFixtures.load(DIRECTORY, name);
            String plugin = f.metadata("plugin");
            covered.add(plugin);
            try {
                Tensor x = PluginFixtures.tensor(tensors, f.tensor("x")).requiresGrad(true);
                Layer layer = Activations.build(tensors, plugin, PluginFixtures.params(f), DType.FLOAT64,
                        Arrays.copyOfRange(x.shape(), 1, x.dim()));
                Parameter weight = layer.parameters().isEmpty() ? null : layer.parameters().get(0);
                if (weight != null) {
                    try (GradMode off = tensors.noGrad()) {
                        weight.value().assign(PluginFixtures.tensor(tensors, f.tensor("weight")));
                    }
                }
                Tensor y = layer.forward(x, ctx);
                y.backward(PluginFixtures.tensor(tensors, f.tensor("gy")));
                String m = Stream.of(PluginFixtures.mismatch("y", y, f.tensor("y"), TOLERANCE),
                                PluginFixtures.mismatch("gx", x.grad(), f.tensor("gx"), TOLERANCE),
                                weight == null ? null : PluginFixtures.mismatch("gw", weight.grad(), f.tensor("gw"), TOLERANCE))
                        .filter(s -> s != null).collect(Collectors.joining("; "));
                if (!m.isEmpty()) {
                    failures.add(name + " (" + plugin + "): " + m);
                }
            } catch (RuntimeException e) {
                failures.add(name + " (" + plugin + "): " + e);
            }
        }
        System.out.println("activation parity: " + (cases.size() - failures.size()) + "/" + cases.size()
                + " PyTorch cases passed" + (failures.isEmpty() ? "" : "\n  " + String.join("\n  ", failures)));
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(new TreeSet<>(Activations.source().names(PluginKind.ACTIVATION)), covered, "every activation has a PyTorch case");
    }
}
