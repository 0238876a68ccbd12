package dev.kiln.plugins.generative;

import com.google.gson.Gson;
import dev.kiln.run.RunOptions;
import dev.kiln.run.Runner;
import dev.kiln.run.SpecException;
import dev.kiln.run.SpecLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cyclegan trainer on real Fashion-MNIST (sandals ↔ sneakers) through the host's runner, with the core bundles in a
 * real framework (the runtime {@link GenerativeRunsTest} starts): {@code experiments/fashion-cyclegan.yaml} completes a
 * short run with its grids and summary metric; a tiny network's cycle loss falls over a few dozen iterations, its four
 * models and two optimizers are checkpointed, and a stopped and resumed run ends like an uninterrupted one.
 */
class CycleGanRunsTest {

    static final Path SPEC = Path.of("../../experiments/fashion-cyclegan.yaml");

    /** The spec's networks are slow on the reference backend (~10 s per iteration of 4 + 4 images): two iterations. */
    static final List<String> SHORT = List.of("trainer.max_train_examples=100", "trainer.max_eval_examples=30", "trainer.batch_size=4",
            "trainer.epochs=1", "trainer.params.samples=3");

    /** The same task with 3×3 convolutions of 8 channels (G, F) and two strided ones (D_X, D_Y: 7×7 patches). */
    static final String TINY = """
            name: tiny-cyclegan
            seed: 5
            dataset:
              name: fashion-mnist
              params: {transforms: [{name: normalize, params: {mean: 0.5, std: 0.5}}]}
            models:
              g: &generator
                layers:
                  - {name: conv2d, params: {out_channels: 8, kernel_size: 3, padding: 1}}
                  - {name: relu}
                  - {name: conv2d, params: {out_channels: 8, kernel_size: 3, padding: 1}}
                  - {name: relu}
                  - {name: conv2d, params: {out_channels: 1, kernel_size: 3, padding: 1}}
                  - {name: tanh}
              f: *generator
              d_x: &discriminator
                layers:
                  - {name: conv2d, params: {out_channels: 8, kernel_size: 4, stride: 2, padding: 1}}
                  - {name: leaky_relu, params: {negative_slope: 0.2}}
                  - {name: conv2d, params: {out_channels: 1, kernel_size: 4, stride: 2, padding: 1}}
              d_y: *discriminator
            loss: {name: l1}
            optimizers:
              generators: {name: adam, params: {lr: 0.002, beta1: 0.5}}
              discriminators: {name: adam, params: {lr: 0.0002, beta1: 0.5}}
            trainer:
              name: cyclegan
              epochs: 3
              batch_size: 8
              max_train_examples: 400
              max_eval_examples: 40
              log_every_steps: 1
              params: {domain_x: {classes: Sandal}, domain_y: {classes: Sneaker}, samples: 3}
            backend: java
            """;

    @TempDir
    Path out;

    @BeforeAll
    static void start() throws IOException {
        GenerativeRunsTest.start();
    }

    @AfterAll
    static void stop() {
        GenerativeRunsTest.stop();
    }

    private Runner runner(long stopAfter) {
        return new Runner(new RunOptions(GenerativeRunsTest.FASHION, out, 1, "java", stopAfter, null), GenerativeRunsTest.runtime.registry());
    }

    private Runner.Outcome spec(List<String> overrides, long stopAfter) throws IOException {
        return runner(stopAfter).start(SpecLoader.load(SPEC, overrides), List.of());
    }

    private Runner.Outcome tiny(List<String> overrides, long stopAfter) throws IOException {
        return runner(stopAfter).start(SpecLoader.parse(TINY, "tiny.yaml", overrides), List.of());
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The {@code kind: epoch} lines of metrics.jsonl. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> epochs(Path dir) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
            Map<String, Object> m = new Gson().fromJson(line, Map.class);
            if ("epoch".equals(m.get("kind"))) {
                out.add(m);
            }
        }
        return out;
    }

    private static double number(Map<String, Object> m, String key) {
        assertTrue(m.get(key) instanceof Number, key + " in " + m);
        return ((Number) m.get(key)).doubleValue();
    }

    @Test
    void theExperimentSpecTranslatesSandalsAndSneakersAndWritesCycleGrids() throws IOException {
        Runner.Outcome o = spec(SHORT, 0);
        assertEquals("completed", o.status(), String.valueOf(o.summary()));
        Path dir = o.runDir();
        // 11 sandals and 8 sneakers among the first 100 training images, 4 of each per iteration
        assertEquals(List.of("x-to-y-to-x-00000002.png", "y-to-x-to-y-00000002.png"), files(dir.resolve("images")));
        // 3 triples (x, G(x), F(G(x))) of 28×28 images, 3 to a row, each image with a 1-pixel border: 90 × 90
        BufferedImage grid = ImageIO.read(dir.resolve("images/x-to-y-to-x-00000002.png").toFile());
        assertEquals(List.of(90, 90), List.of(grid.getWidth(), grid.getHeight()));
        double l1 = number(o.summary(), "test_cycle_l1");
        assertTrue(l1 > 0 && l1 < 1, "mean |cycle(v) - v| per pixel in [0, 1] units: " + l1);
        assertTrue(number(o.summary(), "train_steps_per_second") > 0, String.valueOf(o.summary()));
        @SuppressWarnings("unchecked")
        Map<String, Object> results = (Map<String, Object>) o.summary().get("results");
        assertEquals(2.0, number(results, "steps"));
        assertEquals(l1, (number(results, "test_cycle_l1_x") + number(results, "test_cycle_l1_y")) / 2, 1e-12);
    }

    @Test
    void theCycleLossFallsAndAllFourModelsAndBothOptimizersAreCheckpointed() throws IOException {
        Runner.Outcome o = tiny(List.of(), 0);
        assertEquals("completed", o.status(), String.valueOf(o.summary()));
        Path dir = o.runDir();
        @SuppressWarnings("unchecked")
        Map<String, Object> results = (Map<String, Object>) o.summary().get("results");
        assertEquals(15.0, number(results, "steps"), "41 sneakers among the first 400 images, 8 per batch: 5 iterations per epoch");
        List<Map<String, Object>> e = epochs(dir);
        assertEquals(3, e.size());
        double first = number(e.get(0), "cycle_loss");
        double last = number(e.get(2), "cycle_loss");
        assertTrue(last < 0.8 * first, "the cycle-consistency loss falls: epoch means " + first + " -> " + number(e.get(1), "cycle_loss")
                + " -> " + last);
        assertTrue(number(o.summary(), "test_cycle_l1") < 0.3, String.valueOf(o.summary()));
        for (String k : List.of("g_adv", "d_loss", "d_x_real", "d_x_fake", "d_y_real", "d_y_fake")) {
            assertTrue(Double.isFinite(number(e.get(2), k)), k);
        }
        assertEquals(List.of("x-to-y-to-x-00000005.png", "x-to-y-to-x-00000010.png", "x-to-y-to-x-00000015.png",
                "y-to-x-to-y-00000005.png", "y-to-x-to-y-00000010.png", "y-to-x-to-y-00000015.png"), files(dir.resolve("images")));
        List<String> saved = files(dir);
        for (String model : List.of("g", "f", "d_x", "d_y")) {
            assertTrue(saved.contains(model + ".safetensors"), model + " in " + saved);
        }
        assertTrue(files(dir.resolve("checkpoints/step-00000015")).containsAll(List.of("g.safetensors", "f.safetensors", "d_x.safetensors",
                "d_y.safetensors", "generators.safetensors", "discriminators.safetensors", "state.safetensors")));
    }

    @Test
    void aStoppedAndResumedRunEndsLikeAnUninterruptedOne() throws IOException {
        List<String> shorter = List.of("trainer.epochs=2", "trainer.params.checkpoint_every_steps=2", "trainer.params.lambda_identity=5",
                "trainer.params.adversarial_loss=bce");
        Runner.Outcome whole = tiny(shorter, 0);
        assertEquals("completed", whole.status(), String.valueOf(whole.summary()));
        Runner.Outcome first = tiny(shorter, 3);                // 5 iterations per epoch: stops inside epoch 1
        assertEquals("stopped", first.status(), String.valueOf(first.summary()));
        Runner.Outcome last = runner(0).resume(first.runDir());
        assertEquals("completed", last.status(), String.valueOf(last.summary()));
        assertEquals(whole.summary().get("results"), last.summary().get("results"));
        assertTrue(Files.readString(whole.runDir().resolve("metrics.jsonl")).contains("\"identity_loss\""));
    }

    @Test
    void domainMistakesNameTheParameterAndTheFix() throws IOException {
        SpecException bad = assertThrows(SpecException.class, () -> tiny(List.of("trainer.params.domain_y.transform=inverse"), 0));
        assertTrue(bad.getMessage().contains("trainer.params.domain_y.transform must be one of [none, invert, rotate90,"), bad.getMessage());
        // class names are checked against the dataset when the run starts: the run fails before any step
        Runner.Outcome o = tiny(List.of("trainer.params.domain_y.classes=Sneakerz"), 0);
        assertEquals("failed", o.status());
        assertTrue(String.valueOf(o.summary().get("error")).contains("trainer.params.domain_y.classes: \"Sneakerz\" is not a class of"
                + " fashion-mnist; did you mean \"Sneaker\"?"), String.valueOf(o.summary()));
    }
}
