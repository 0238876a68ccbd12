package dev.kiln.run;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Lease;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A run gets its plugins from the framework: it leases the exact bundle of each plugin while it trains, records
 * those {@code bundle@version}s in {@code run.json}, and releases them when it ends; a higher version of a core
 * bundle dropped into the user's plugin folder mid-run does not touch that run, and serves the next one.
 */
class PluginLeasesTest {

    static final String SPEC = RunEndToEndTest.SPEC.replace("optimizer: {name: adam, params: {lr: 0.003}}", "optimizer: {name: sgd, params: {lr: 0.05}}");

    @TempDir
    Path tmp;

    @BeforeAll
    static void needsData() {
        assumeTrue(Files.exists(RunEndToEndTest.FASHION.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST is not installed");
    }

    @Test
    void aRunLeasesAndRecordsItsPluginsAndTheNextRunPicksAHigherUserVersion() throws IOException {
        Path userPlugins = tmp.resolve("plugins");
        Path newer = TestPlugins.withVersion(TestPlugins.coreBundle("optimizers"), "99.0.0", tmp.resolve("optimizers-99.jar"));
        try (KilnRuntime kiln = TestPlugins.start(userPlugins)) {
            List<String> heldDuringRun = new ArrayList<>();
            RunListener midRun = new RunListener() {
                @Override
                public void step(int epoch, int epochs, int batch, int batches, long step, Map<String, Double> m, double rate) {
                    if (step == 1) {
                        for (Lease<?> l : kiln.registry().leases()) {
                            heldDuringRun.add(l.kind() + " " + l.name() + " " + l.plugin());
                        }
                        try { // a newer optimizers bundle arrives while the run trains
                            Files.copy(newer, userPlugins.resolve("optimizers-99.jar"));
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                        assertTrue(kiln.sync().isEmpty(), "the newer bundle installs beside the core one");
                    }
                }
            };
            Runner.Outcome first = new Runner(new RunOptions(RunEndToEndTest.FASHION, tmp.resolve("runs"), 1, "java", 0, midRun), kiln.registry())
                    .start(SpecLoader.parse(SPEC, "tiny.yaml", List.of("trainer.max_train_examples=96")), List.of());
            assertEquals("completed", first.status(), String.valueOf(first.summary()));

            String coreSgd = heldDuringRun.stream().filter(s -> s.startsWith("optimizer sgd ")).findFirst().orElseThrow(
                    () -> new AssertionError("no lease on sgd during the run: " + heldDuringRun)).substring("optimizer sgd ".length());
            assertTrue(coreSgd.startsWith("dev.kiln.plugins.optimizers@0."), coreSgd);
            for (String kind : List.of("trainer supervised", "dataset fashion-mnist", "layer conv2d", "activation relu", "loss cross_entropy",
                    "optimizer sgd", "schedule step")) {
                assertTrue(heldDuringRun.stream().anyMatch(s -> s.startsWith(kind + " ")), kind + " not leased during the run: " + heldDuringRun);
            }
            Map<?, ?> recorded = (Map<?, ?>) Runner.readJson(first.runDir().resolve("run.json")).get("plugins");
            assertEquals(coreSgd, recorded.get("optimizer sgd"), "run.json records the leased version: " + recorded);
            assertTrue(String.valueOf(recorded.get("trainer supervised")).startsWith("dev.kiln.plugins.trainers@"), recorded.toString());
            assertTrue(kiln.registry().leases().isEmpty(), "leases close when the run ends: " + kiln.registry().leases());

            Runner.Outcome second = new Runner(new RunOptions(RunEndToEndTest.FASHION, tmp.resolve("runs"), 1, "java", 0, null), kiln.registry())
                    .start(SpecLoader.parse(SPEC, "tiny.yaml", List.of("trainer.max_train_examples=96")), List.of());
            assertEquals("completed", second.status(), String.valueOf(second.summary()));
            Map<?, ?> next = (Map<?, ?>) Runner.readJson(second.runDir().resolve("run.json")).get("plugins");
            assertEquals("dev.kiln.plugins.optimizers@99.0.0", next.get("optimizer sgd"), next.toString());
            assertEquals(recorded.get("layer conv2d"), next.get("layer conv2d"), "other bundles are unchanged");
            assertFalse(kiln.registry().installed().isEmpty());
        }
    }
}
