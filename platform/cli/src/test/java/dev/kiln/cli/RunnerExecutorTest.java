package dev.kiln.cli;

import dev.kiln.engine.io.Safetensors;
import dev.kiln.engine.io.SafetensorsFile;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.PluginRef;
import dev.kiln.proto.v1.TrainerSpec;
import dev.kiln.run.SpecLoader;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.server.RunExecutor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link RunnerExecutor} without a server: a cancelled attempt's uploaded checkpoint resumes bit for bit elsewhere. */
class RunnerExecutorTest {

    static KilnRuntime kiln;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws IOException {
        kiln = PluginRuntime.start(Files.createTempDirectory("kiln-executor-test-").resolve("plugins"));
    }

    @AfterAll
    static void stop() {
        kiln.close();
    }

    /** What a worker's sink would hear; checkpoint zips are copied away when they arrive (the worker may delete them). */
    static final class Recorded implements RunExecutor.Events {
        final Map<String, Double> metrics = new TreeMap<>();
        final List<String> logs = new ArrayList<>();
        final List<String> files = new ArrayList<>();
        final Map<Long, Path> checkpoints = new TreeMap<>();
        final Path keep;
        LongConsumer onCheckpoint = s -> { };

        Recorded(Path keep) {
            this.keep = keep;
        }

        @Override
        public void metric(long step, int epoch, String key, double value) {
            if (!key.equals("images_per_second")) {
                metrics.put(String.format("%04d/%d/%s", step, epoch, key), value);
            }
        }

        @Override
        public void log(String line) {
            logs.add(line);
        }

        @Override
        public void image(String title, long step, byte[] png) {
        }

        @Override
        public void checkpoint(long step, Path file) {
            try {
                checkpoints.put(step, Files.copy(file, Files.createDirectories(keep).resolve(step + "-" + file.getFileName())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            onCheckpoint.accept(step);
        }

        @Override
        public void file(Path file) {
            files.add(file.getFileName().toString());
        }
    }

    private static ExperimentSpec spec() {
        return SpecLoader.parse(RemoteRunTest.SPEC, "tiny.yaml", List.of("trainer.epochs=2")).spec(); // 4 steps per epoch
    }

    private RunExecutor.Result execute(String dir, Path resume, long resumeStep, BooleanSupplier stop, Recorded events) throws Exception {
        return new RunnerExecutor(kiln.registry(), RemoteRunTest.FASHION, 1, "java")
                .execute(new RunExecutor.Task("runs/r", resume == null ? 1 : 2, spec(), tmp.resolve(dir), resume, resumeStep, stop), events);
    }

    @Test
    void aCancelledAttemptsCheckpointResumesOnTheNextAttemptBitForBit() throws Exception {
        assumeTrue(Files.exists(RemoteRunTest.FASHION.resolve("train-images-idx3-ubyte.gz")), "no Fashion-MNIST");
        Recorded whole = new Recorded(tmp.resolve("keep-whole"));
        assertEquals(RunExecutor.Outcome.SUCCEEDED, execute("whole", null, 0, () -> false, whole).outcome());
        assertEquals(List.of(2L, 4L, 6L, 8L), List.copyOf(whole.checkpoints.keySet()));
        assertTrue(whole.files.containsAll(List.of("summary.json", "model.safetensors", "metrics.jsonl", "run.json", "spec.json")),
                whole.files.toString());

        // attempt 1 is cancelled after its step-6 checkpoint (mid epoch 2, after the epoch-1 "best" weights were saved)
        Recorded first = new Recorded(tmp.resolve("keep-1"));
        AtomicBoolean cancel = new AtomicBoolean();
        first.onCheckpoint = s -> cancel.compareAndSet(false, s == 6);
        RunExecutor.Result r1 = execute("attempt-1", null, 0, cancel::get, first);
        assertEquals(RunExecutor.Outcome.CANCELLED, r1.outcome(), r1.error());
        assertTrue(first.metrics.keySet().stream().noneMatch(k -> k.startsWith("0008/")), "cancelled before the end: " + first.metrics.keySet());

        // attempt 2 starts from the uploaded zip in a fresh folder
        Path zip = Files.copy(first.checkpoints.get(6L), Files.createDirectories(tmp.resolve("attempt-2")).resolve("resume-checkpoint-6"));
        Recorded second = new Recorded(tmp.resolve("keep-2"));
        RunExecutor.Result r2 = execute("attempt-2", zip, 6, () -> false, second);
        assertEquals(RunExecutor.Outcome.SUCCEEDED, r2.outcome(), r2.error() + "\n" + second.logs);
        assertTrue(second.metrics.keySet().stream().allMatch(k -> k.compareTo("0007") >= 0), "continues after step 6: " + second.metrics.keySet());
        assertTrue(second.files.stream().noneMatch(f -> f.startsWith("resume-")), second.files.toString());

        Map<String, Double> joined = new TreeMap<>(first.metrics);
        joined.keySet().removeIf(k -> k.compareTo("0007") >= 0); // what came after the checkpoint is replaced by attempt 2
        joined.putAll(second.metrics);
        assertEquals(whole.metrics, joined, "checkpointed attempt 1 + attempt 2 = an undisturbed run");

        SafetensorsFile a = Safetensors.read(tmp.resolve("whole/r/model.safetensors"));
        SafetensorsFile b = Safetensors.read(tmp.resolve("attempt-2/r/model.safetensors"));
        for (String k : a.tensors().keySet()) {
            assertTrue(Arrays.equals(a.tensor(k).toFloatArray(), b.tensor(k).toFloatArray()), k);
        }
        String summary = Files.readString(tmp.resolve("attempt-2/r/summary.json"));
        assertTrue(summary.contains("\"epochs\": 2"), "metrics.jsonl travelled with the checkpoint: " + summary);
        assertTrue(summary.contains("\"name\": \"r\""), "the run keeps its name on every attempt: " + summary);
        Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
        RunnerExecutor.unpack(zip, unpacked);
        double before = RunnerExecutor.wallSeconds(unpacked);
        double total = RunnerExecutor.wallSeconds(tmp.resolve("attempt-2/r"));
        assertTrue(before > 0 && total > before, "wall_seconds counts on from attempt 1's checkpoint (" + before + " s): " + total);
    }

    @Test
    void refusesSpecsWhosePluginsAreNotHereAndAcceptsTheRest() {
        RunnerExecutor e = new RunnerExecutor(kiln.registry(), null, 1, null);
        assertNull(e.unsupported(spec()));
        ExperimentSpec synthetic = ExperimentSpec.newBuilder().setName("s").setDataset(PluginRef.newBuilder().setName("synthetic-regression"))
                .setTrainer(TrainerSpec.newBuilder().setName("synthetic").setEpochs(1)).build();
        String why = e.unsupported(synthetic);
        assertTrue(why != null && why.contains("trainer.name: \"synthetic\" is not a registered trainer"), why);
    }
}
