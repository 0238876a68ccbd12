package dev.kiln.run;

import com.google.gson.reflect.TypeToken;
import dev.kiln.engine.io.Safetensors;
import dev.kiln.engine.io.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tiny runs on real Fashion-MNIST files (a few hundred images, the reference backend): the run directory is
 * complete, a resumed run equals an uninterrupted one bit for bit, and a diverging run names step and layer.
 */
class RunEndToEndTest {

    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    static final String SPEC = """
            name: tiny-fashion
            seed: 3
            dataset:
              name: fashion-mnist
              params:
                validation_fraction: 0.1
                transforms: [{name: normalize, params: {mean: 0.286, std: 0.353}}]
            model:
              layers:
                - {name: conv2d, params: {out_channels: 4, kernel_size: 3}}
                - {name: relu}
                - {name: max_pool2d, params: {kernel_size: 2}}
                - {name: dropout, params: {p: 0.2}}
                - {name: flatten}
                - {name: linear, params: {out_features: 10}}
            loss: {name: cross_entropy}
            optimizer: {name: adam, params: {lr: 0.003}}
            schedule: {name: step, params: {step_size: 1, gamma: 0.5}}
            trainer:
              name: supervised
              epochs: 1
              batch_size: 32
              max_train_examples: 320
              max_eval_examples: 200
              log_every_steps: 1
            backend: java
            """;

    @TempDir
    Path out;

    @BeforeAll
    static void needsData() {
        assumeTrue(Files.exists(FASHION.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST is not installed at " + FASHION);
    }

    private Runner runner(long stopAfter) {
        return new Runner(new RunOptions(FASHION, out, 1, "java", stopAfter, null), TestPlugins.runtime().registry());
    }

    private static SpecDocument spec(String... overrides) {
        return SpecLoader.parse(SPEC, "tiny.yaml", List.of(overrides));
    }

    @Test
    void writesACompleteRunDirectory() throws IOException {
        Runner.Outcome o = runner(0).start(spec(), List.of());
        Path dir = o.runDir();
        assertEquals("completed", o.status(), String.valueOf(o.summary()));
        assertTrue(dir.getFileName().toString().startsWith("tiny-fashion-"), dir.toString());
        for (String f : List.of("spec.json", "run.json", "metrics.jsonl", "summary.json", "run.log", "loss.png", "accuracy.png",
                "confusion.png", "confusion.json", "model.safetensors", "checkpoints/LATEST")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f + " is missing or empty in " + dir);
        }
        Map<String, Object> summary = Runner.readJson(dir.resolve("summary.json"));
        for (String k : List.of("test_accuracy", "test_loss", "best_val_accuracy", "epochs", "wall_seconds", "train_images_per_second")) {
            assertNotNull(summary.get(k), k + " missing from summary.json: " + summary);
        }
        assertTrue(((Number) summary.get("test_accuracy")).doubleValue() > 0.3, "a tiny CNN learns something: " + summary);
        Map<String, Object> run = Runner.readJson(dir.resolve("run.json"));
        assertEquals("java", run.get("backend"));
        assertTrue(String.valueOf(((Map<?, ?>) run.get("plugins")).get("optimizer adam")).startsWith("dev.kiln.plugins.optimizers@"), run.toString());
        assertTrue(TestPlugins.runtime().registry().leases().isEmpty(), "a finished run holds no leases: " + TestPlugins.runtime().registry().leases());
        Path ckpt = Checkpoints.latest(dir);
        SafetensorsFile state = Safetensors.read(ckpt.resolve("state.safetensors"));
        assertEquals(1, state.tensor("cursor.epoch").toLongArray()[0]);
        assertTrue(state.tensors().containsKey("rng.counter"), state.tensors().keySet().toString());
        assertTrue(Safetensors.read(ckpt.resolve("optimizer.safetensors")).tensors().containsKey("0.weight.exp_avg"));
        assertTrue(Safetensors.read(dir.resolve("model.safetensors")).tensors().containsKey("5.weight"));
        long epochLines = Files.readAllLines(dir.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"kind\":\"epoch\"")).count();
        assertEquals(1, epochLines);

        Map<String, Double> eval = runner(0).evaluate(dir);
        assertEquals(((Number) summary.get("test_accuracy")).doubleValue(), eval.get("test_accuracy"), 0.0);
    }

    @Test
    void aProfiledRunWritesEveryBackendCallsTimeAndTrainsTheSame() throws IOException {
        String[] short_ = {"trainer.max_train_examples=64", "trainer.max_eval_examples=32"};
        Runner.Outcome plain = runner(0).start(spec(short_), List.of());
        Runner.Outcome profiled = new Runner(new RunOptions(FASHION, out, 1, "java", 0, null).withProfile(true),
                TestPlugins.runtime().registry()).start(spec(short_), List.of());
        assertEquals(plain.summary().get("results"), profiled.summary().get("results"), "profiling changes no result");
        assertFalse(Files.exists(plain.runDir().resolve("profile.json")), "no profile unless asked for");
        Map<String, Object> report = Runner.readJson(profiled.runDir().resolve("profile.json"));
        double backend = ((Number) report.get("backend_seconds")).doubleValue();
        assertTrue(backend > 0 && backend <= ((Number) report.get("wall_seconds")).doubleValue(), report.toString());
        List<?> ops = (List<?>) report.get("ops");
        assertTrue(ops.stream().anyMatch(o -> String.valueOf(((Map<?, ?>) o).get("op")).startsWith("conv2d 32x1x28x28->4x26x26 k3x3")),
                String.valueOf(ops));
        assertTrue(Files.readString(profiled.runDir().resolve("run.log")).contains("in backend calls"), "the log shows the top calls");
    }

    @Test
    void resumedRunEqualsAnUninterruptedOneBitForBit() throws IOException {
        String[] twoEpochs = {"trainer.epochs=2", "trainer.max_train_examples=192"};
        Runner.Outcome whole = runner(0).start(spec(twoEpochs), List.of());
        assertEquals("completed", whole.status());

        Runner.Outcome first = runner(4).start(spec(twoEpochs), List.of()); // 6 steps per epoch: stops mid-epoch 1
        assertEquals("stopped", first.status(), String.valueOf(first.summary()));
        Runner.Outcome second = runner(5).resume(first.runDir());           // stops mid-epoch 2
        assertEquals("stopped", second.status(), String.valueOf(second.summary()));
        Runner.Outcome last = runner(0).resume(first.runDir());
        assertEquals("completed", last.status(), String.valueOf(last.summary()));

        assertEquals(deterministic(whole.runDir()), deterministic(last.runDir()));
        assertEquals(whole.summary().get("results"), last.summary().get("results"));
        SafetensorsFile a = Safetensors.read(whole.runDir().resolve("model.safetensors"));
        SafetensorsFile b = Safetensors.read(last.runDir().resolve("model.safetensors"));
        for (String k : a.tensors().keySet()) {
            assertEquals(a.tensor(k), b.tensor(k), k);
            assertTrue(java.util.Arrays.equals(a.tensor(k).toFloatArray(), b.tensor(k).toFloatArray()), k);
        }
    }

    @Test
    void startsInAGivenFolderAndReportsEachCheckpointWhenItIsComplete() throws IOException {
        Path dir = out.resolve("worker").resolve("attempt-1");
        List<String> seen = new java.util.ArrayList<>();
        RunListener listener = new RunListener() {
            @Override
            public void checkpoint(Path folder, long step) {
                try {
                    assertEquals(folder.getFileName().toString(), Files.readString(dir.resolve("checkpoints/LATEST")).strip());
                    assertTrue(Files.size(folder.resolve("state.safetensors")) > 0);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                seen.add(dir.relativize(folder) + "@" + step);
            }
        };
        Runner r = new Runner(new RunOptions(FASHION, out.resolve("unused"), 1, "java", 0, listener), TestPlugins.runtime().registry());
        Runner.Outcome o = r.startIn(dir, spec("trainer.max_train_examples=128", "trainer.params.checkpoint_every_steps=2"), List.of());
        assertEquals("completed", o.status(), String.valueOf(o.summary()));
        assertEquals(dir, o.runDir());
        assertTrue(Files.exists(dir.resolve("summary.json")) && Files.exists(dir.resolve("model.safetensors")));
        assertFalse(Files.exists(out.resolve("unused")), "no <name>-<timestamp> folder is made");
        assertEquals(List.of("checkpoints/step-00000002@2", "checkpoints/step-00000004@4"), seen);
        IllegalArgumentException again = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> r.startIn(dir, spec(), List.of()));
        assertTrue(again.getMessage().contains("already holds a run"), again.getMessage());
    }

    /** metrics.jsonl without the timing fields. */
    private static List<Map<String, Object>> deterministic(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve("metrics.jsonl"), StandardCharsets.UTF_8).stream().map(l -> {
            Map<String, Object> m = Recorder.GSON.fromJson(l, new TypeToken<Map<String, Object>>() { }.getType());
            m.remove("time_s");
            m.remove("images_per_second");
            return m;
        }).toList();
    }

    @Test
    void nonFiniteLossStopsTheRunNamingStepAndLayer() throws IOException {
        Runner.Outcome o = runner(0).start(spec("optimizer.name=sgd", "optimizer.params.lr=1.0e30"), List.of());
        assertEquals("failed", o.status(), String.valueOf(o.summary()));
        String error = String.valueOf(o.summary().get("error"));
        assertTrue(error.matches("non-finite loss \\S+ at step \\d+ \\(epoch 1, batch \\d+\\); first non-finite values: layer \"\\d\" \\(\\w+\\).*"),
                error);
        assertFalse(Files.exists(o.runDir().resolve("model.safetensors")));
    }
}
